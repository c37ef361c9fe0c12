package dev.strata.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records Kubernetes Events (events.k8s.io/v1) on Strata objects; a failure to record never fails a
 * reconcile.
 */
public class EventRecorder {

  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  public static final String NORMAL = "Normal";
  public static final String WARNING = "Warning";

  /** The API server wants exactly six fractional digits in an event time. */
  private static final DateTimeFormatter MICRO_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX")
          .withZone(java.time.ZoneOffset.UTC);

  private final KubernetesClient client;
  private final String reportingInstance;

  public EventRecorder(KubernetesClient client, String reportingInstance) {
    this.client = client;
    this.reportingInstance = reportingInstance;
  }

  /**
   * An Event a decision asks for; the reconciler records it on its resource with the action it
   * names.
   */
  public record Event(String type, String reason, String note) {
    public static Event normal(String reason, String note) {
      return new Event(NORMAL, reason, note);
    }

    public static Event warning(String reason, String note) {
      return new Event(WARNING, reason, note);
    }
  }

  public void record(HasMetadata about, Event event, String action) {
    record(about, event.type(), event.reason(), action, event.note());
  }

  public void record(HasMetadata about, String type, String reason, String action, String note) {
    String ns = about.getMetadata().getNamespace();
    String name =
        about.getMetadata().getName()
            + "."
            + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 4);
    try {
      client
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withName(name)
                  .withNamespace(ns)
                  .endMetadata()
                  .withEventTime(
                      new io.fabric8.kubernetes.api.model.MicroTime(
                          MICRO_TIME.format(Instant.now())))
                  .withType(type)
                  .withReason(reason)
                  .withAction(action)
                  .withNote(note.length() > 1000 ? note.substring(0, 1000) : note)
                  .withReportingController("strata.dev/operator")
                  .withReportingInstance(reportingInstance)
                  .withRegarding(
                      new ObjectReferenceBuilder()
                          .withApiVersion(about.getApiVersion())
                          .withKind(about.getKind())
                          .withName(about.getMetadata().getName())
                          .withNamespace(ns)
                          .withUid(about.getMetadata().getUid())
                          .withResourceVersion(about.getMetadata().getResourceVersion())
                          .build())
                  .build())
          .create();
    } catch (KubernetesClientException e) {
      LOG.warn(
          "{}/{}: event {} not recorded: {}",
          ns,
          about.getMetadata().getName(),
          reason,
          e.getMessage());
    }
  }
}
