package dev.strata.operator.restorepolicy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.operator.webhook.AdmissionServer.Answer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AdmissionReview v1 in, AdmissionReview v1 out. It never fails closed by accident: a pod it cannot
 * read is allowed unchanged with a warning; only a request without a uid (not an AdmissionReview at
 * all) gets a 400, which the API server then treats by the webhook's failure policy.
 */
public final class AdmissionHandler implements Function<byte[], Answer> {

  private static final Logger LOG = LoggerFactory.getLogger(AdmissionHandler.class);
  private static final ObjectMapper JSON = Serialization.jsonMapper();

  private final PodMutator mutator;

  public AdmissionHandler(PodMutator mutator) {
    this.mutator = mutator;
  }

  @Override
  public Answer apply(byte[] body) {
    JsonNode request;
    try {
      request = JSON.readTree(body).path("request");
    } catch (Exception e) {
      return new Answer(400, error("the body is not JSON: " + e.getMessage()));
    }
    String uid = request.path("uid").asText("");
    if (uid.isEmpty()) {
      return new Answer(400, error("not an AdmissionReview: request.uid is missing"));
    }
    String namespace = request.path("namespace").asText("");
    PodMutation mutation;
    try {
      Pod pod =
          request.hasNonNull("object") ? JSON.treeToValue(request.get("object"), Pod.class) : null;
      mutation = mutator.mutate(request.path("operation").asText(""), namespace, pod);
      log(namespace, pod, mutation);
    } catch (Exception e) {
      LOG.warn("{}: pod not examined by the restore webhook: {}", namespace, e.toString());
      mutation =
          PodMutation.unchanged(
              List.of(
                  "the Strata restore webhook could not examine this pod ("
                      + e.getClass().getSimpleName()
                      + "): it starts without an automatic restore"));
    }
    return new Answer(200, review(uid, mutation));
  }

  private static void log(String namespace, Pod pod, PodMutation mutation) {
    if (mutation.policy() == null) {
      return;
    }
    String name =
        pod.getMetadata().getName() != null && !pod.getMetadata().getName().isEmpty()
            ? pod.getMetadata().getName()
            : pod.getMetadata().getGenerateName() + "*";
    if (mutation.allowed()) {
      LOG.info(
          "{}/{}: RestorePolicy {} adds a restore of {}",
          namespace,
          name,
          mutation.policy(),
          mutation.sourceId());
    } else {
      LOG.warn("{}/{}: refused: {}", namespace, name, mutation.denial());
    }
  }

  static byte[] review(String uid, PodMutation mutation) {
    ObjectNode review = JSON.createObjectNode();
    review.put("apiVersion", "admission.k8s.io/v1");
    review.put("kind", "AdmissionReview");
    ObjectNode response = review.putObject("response");
    response.put("uid", uid);
    response.put("allowed", mutation.allowed());
    mutation
        .patch()
        .ifPresent(
            patch -> {
              response.put("patchType", "JSONPatch");
              response.put(
                  "patch",
                  Base64.getEncoder()
                      .encodeToString(patch.toString().getBytes(StandardCharsets.UTF_8)));
            });
    if (!mutation.allowed()) {
      ObjectNode status = response.putObject("status");
      status.put("code", 403);
      status.put("reason", "Forbidden");
      status.put("message", mutation.denial());
    }
    if (!mutation.warnings().isEmpty()) {
      ArrayNode warnings = response.putArray("warnings");
      new ArrayList<>(mutation.warnings()).forEach(warnings::add);
    }
    return review.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] error(String message) {
    ObjectNode node = JSON.createObjectNode();
    node.put("error", message);
    return node.toString().getBytes(StandardCharsets.UTF_8);
  }
}
