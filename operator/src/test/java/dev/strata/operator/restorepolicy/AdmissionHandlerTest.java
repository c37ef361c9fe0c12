package dev.strata.operator.restorepolicy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.operator.OperatorSettings;
import dev.strata.operator.webhook.AdmissionServer.Answer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** AdmissionReview in and out; it never fails closed by accident. */
class AdmissionHandlerTest {

  final FixedLookup lookup =
      new FixedLookup()
          .with(Fixtures.store())
          .with(Fixtures.policy("kafka", Map.of("app", "kafka-streams")));
  final AdmissionHandler handler =
      new AdmissionHandler(
          new PodMutator(
              lookup, new RestoreInitContainerBuilder(OperatorSettings.defaults()), Set.of()));

  static String review(String operation, String object) {
    return "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"705ab4f5-6393-11e8-b7cc-42010a800002\","
        + "\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},\"namespace\":\"streams\",\"operation\":\""
        + operation
        + "\",\"object\":"
        + object
        + "}}";
  }

  JsonNode answer(String body, int status) throws Exception {
    Answer a = handler.apply(body.getBytes(StandardCharsets.UTF_8));
    assertThat(a.status()).isEqualTo(status);
    return Serialization.jsonMapper().readTree(a.body());
  }

  @Test
  void aSelectedPodGetsABase64JsonPatchAndTheRequestsUid() throws Exception {
    String pod =
        Serialization.asJson(
            Fixtures.pod("kafka-streams-0", "kafka-streams", "data-kafka-streams-0"));
    JsonNode response = answer(review("CREATE", pod), 200).get("response");
    assertThat(response.get("uid").asText()).isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
    assertThat(response.get("allowed").asBoolean()).isTrue();
    assertThat(response.get("patchType").asText()).isEqualTo("JSONPatch");
    JsonNode patch =
        Serialization.jsonMapper()
            .readTree(Base64.getDecoder().decode(response.get("patch").asText()));
    assertThat(patch.isArray()).isTrue();
    assertThat(patch.get(0).get("value").get(0).get("name").asText()).isEqualTo("strata-restore");
  }

  @Test
  void aPodNoPolicySelectsIsAllowedWithoutAPatch() throws Exception {
    JsonNode response =
        answer(review("CREATE", Serialization.asJson(Fixtures.pod("web-0", "web", "w"))), 200)
            .get("response");
    assertThat(response.get("allowed").asBoolean()).isTrue();
    assertThat(response.has("patch")).isFalse();
    assertThat(response.has("patchType")).isFalse();
  }

  @Test
  void anObjectThatIsNotAPodIsAllowedWithAWarningNotRefused() throws Exception {
    JsonNode response =
        answer(review("CREATE", "{\"metadata\":{\"labels\":\"not a map\"},\"spec\":{}}"), 200)
            .get("response");
    assertThat(response.get("allowed").asBoolean()).isTrue();
    assertThat(response.has("patch")).isFalse();
    assertThat(response.get("warnings").get(0).asText())
        .contains("could not examine this pod")
        .contains("without an automatic restore");
  }

  @Test
  void somethingThatIsNotAnAdmissionReviewIsABadRequest() throws Exception {
    assertThat(answer("not json at all", 400).get("error").asText()).contains("not JSON");
    assertThat(answer("{\"request\":{}}", 400).get("error").asText())
        .contains("request.uid is missing");
  }

  @Test
  void aRefusalCarriesA403AndTheReason() throws Exception {
    lookup.stores.clear();
    JsonNode response =
        answer(
                review(
                    "CREATE",
                    Serialization.asJson(Fixtures.pod("kafka-streams-0", "kafka-streams", "d"))),
                200)
            .get("response");
    assertThat(response.get("allowed").asBoolean()).isFalse();
    assertThat(response.get("status").get("code").asInt()).isEqualTo(403);
    assertThat(response.get("status").get("message").asText())
        .contains("SnapshotStore minio does not exist");
  }
}
