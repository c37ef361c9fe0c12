package dev.strata.operator.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.api.v1alpha1.ConcurrencyPolicy;
import dev.strata.api.v1alpha1.SnapshotSchedule;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.operator.EventRecorder;
import dev.strata.operator.metrics.StrataMetrics;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a grouped schedule's reconcile asks the API server for, counted at the mock server. */
@EnableKubernetesMockClient(crud = true)
class SnapshotScheduleReconcilerTest {

  static KubernetesClient client;
  static KubernetesMockServer server;

  @BeforeEach
  void statefulSetWithItsClaims() throws InterruptedException {
    client
        .resource(
            Serialization.unmarshal(
                "apiVersion: apps/v1\nkind: StatefulSet\n"
                    + "metadata: {name: web, namespace: ns}\n"
                    + "spec: {replicas: 3, serviceName: web, selector: {matchLabels: {app: web}},"
                    + " template: {metadata: {labels: {app: web}}},"
                    + " volumeClaimTemplates: [{metadata: {name: data}}]}",
                StatefulSet.class))
        .createOr(r -> r.update());
    for (int i = 0; i < 3; i++) {
      client
          .resource(
              Serialization.unmarshal(
                  "apiVersion: v1\nkind: PersistentVolumeClaim\n"
                      + "metadata: {name: data-web-"
                      + i
                      + ", namespace: ns}",
                  PersistentVolumeClaim.class))
          .createOr(r -> r.update());
    }
    requests();
  }

  /** The requests the server received since the last call, as "METHOD path". */
  static List<String> requests() throws InterruptedException {
    List<String> seen = new ArrayList<>();
    for (RecordedRequest r = server.takeRequest(50, TimeUnit.MILLISECONDS);
        r != null;
        r = server.takeRequest(50, TimeUnit.MILLISECONDS)) {
      seen.add(r.getMethod() + " " + r.getPath());
    }
    return seen;
  }

  /** A reconcile's context: the client, and no StateSnapshot of the schedule's yet. */
  @SuppressWarnings("unchecked")
  static Context<SnapshotSchedule> context() {
    return (Context<SnapshotSchedule>)
        Proxy.newProxyInstance(
            Context.class.getClassLoader(),
            new Class<?>[] {Context.class},
            (proxy, method, args) ->
                switch (method.getName()) {
                  case "getClient" -> client;
                  case "getSecondaryResources" -> Set.of();
                  case "getSecondaryResourcesAsStream" -> Stream.empty();
                  default -> throw new UnsupportedOperationException(method.getName());
                });
  }

  static void reconcile(SnapshotSchedule schedule, String now) {
    new SnapshotScheduleReconciler(
            new ScheduleDecider(Duration.ofSeconds(60)),
            new EventRecorder(client, "test"),
            new StrataMetrics(),
            Clock.fixed(Instant.parse(now), ZoneOffset.UTC))
        .reconcile(schedule, context());
  }

  static List<String> volumeReads(List<String> requests) {
    return requests.stream()
        .filter(r -> r.contains("/statefulsets") || r.contains("/persistentvolumeclaims"))
        .toList();
  }

  @Test
  void aGroupedScheduleReadsItsStatefulSetAndClaimsOnlyWhenARunIsDue() throws Exception {
    SnapshotSchedule schedule =
        ScheduleDeciderTest.grouped(ConcurrencyPolicy.Forbid, "2026-11-26T10:00:00Z");
    for (String now :
        List.of("2026-11-26T10:01:00Z", "2026-11-26T10:02:00Z", "2026-11-26T10:03:00Z")) {
      reconcile(schedule, now);
    }
    assertThat(volumeReads(requests())).as("three looks at the clock between due times").isEmpty();

    reconcile(schedule, "2026-11-26T10:05:10Z");
    List<String> due = requests();
    assertThat(volumeReads(due))
        .containsExactly(
            "GET /apis/apps/v1/namespaces/ns/statefulsets/web",
            "GET /api/v1/namespaces/ns/persistentvolumeclaims");
    assertThat(client.resources(StateSnapshot.class).inNamespace("ns").list().getItems())
        .extracting(s -> s.getSpec().source().pvcName())
        .containsExactlyInAnyOrder("data-web-0", "data-web-1", "data-web-2");
  }
}
