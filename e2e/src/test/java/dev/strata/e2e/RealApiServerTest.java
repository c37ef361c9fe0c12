package dev.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.e2e.support.ControlPlane;
import dev.strata.e2e.support.ControlPlaneExtension;
import dev.strata.e2e.support.TestNamespace;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Proves the API server is real where fabric8's mock is not: CEL validation from a CRD schema,
 * server-side apply of the status subresource with a field manager, RBAC, and kubectl against the
 * same server.
 */
@ExtendWith(ControlPlaneExtension.class)
class RealApiServerTest {

  private static final String GROUP = "e2e.strata.dev";
  private static final ResourceDefinitionContext SCALERS =
      new ResourceDefinitionContext.Builder()
          .withGroup(GROUP)
          .withVersion("v1")
          .withKind("Scaler")
          .withPlural("scalers")
          .withNamespaced(true)
          .build();
  private static final String CRD =
      String.join(
          "\n",
          "apiVersion: apiextensions.k8s.io/v1",
          "kind: CustomResourceDefinition",
          "metadata:",
          "  name: scalers." + GROUP,
          "spec:",
          "  group: " + GROUP,
          "  scope: Namespaced",
          "  names: {kind: Scaler, plural: scalers, singular: scaler, listKind: ScalerList}",
          "  versions:",
          "  - name: v1",
          "    served: true",
          "    storage: true",
          "    subresources:",
          "      status: {}",
          "    schema:",
          "      openAPIV3Schema:",
          "        type: object",
          "        properties:",
          "          spec:",
          "            type: object",
          "            required: [minReplicas, maxReplicas]",
          "            x-kubernetes-validations:",
          "            - rule: self.minReplicas <= self.maxReplicas",
          "              message: minReplicas must not exceed maxReplicas",
          "            properties:",
          "              minReplicas: {type: integer}",
          "              maxReplicas: {type: integer}",
          "          status:",
          "            type: object",
          "            properties:",
          "              phase: {type: string}",
          "              observedReplicas: {type: integer}",
          "");

  @BeforeAll
  static void installCrd(KubernetesClient client) {
    CustomResourceDefinition crd =
        client
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .load(new ByteArrayInputStream(CRD.getBytes(StandardCharsets.UTF_8)))
            .item();
    client.apiextensions().v1().customResourceDefinitions().resource(crd).serverSideApply();
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName(crd.getMetadata().getName())
        .waitUntilCondition(
            c ->
                c != null
                    && c.getStatus() != null
                    && c.getStatus().getConditions().stream()
                        .anyMatch(
                            cond ->
                                "Established".equals(cond.getType())
                                    && "True".equals(cond.getStatus())),
            60,
            TimeUnit.SECONDS);
  }

  @Test
  void celRuleRejectsAnInvalidObjectWithItsMessage(KubernetesClient client, TestNamespace ns) {
    GenericKubernetesResource invalid = scaler(ns.name(), "inverted", 5, 2);

    assertThatThrownBy(
            () ->
                client
                    .genericKubernetesResources(SCALERS)
                    .inNamespace(ns.name())
                    .resource(invalid)
                    .create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(422);
              assertThat(e.getMessage()).contains("minReplicas must not exceed maxReplicas");
            });
    assertThat(
            client
                .genericKubernetesResources(SCALERS)
                .inNamespace(ns.name())
                .withName("inverted")
                .get())
        .isNull();
  }

  @Test
  void serverSideApplyOfStatusIsStoredWithItsFieldManager(
      KubernetesClient client, TestNamespace ns) {
    client
        .genericKubernetesResources(SCALERS)
        .inNamespace(ns.name())
        .resource(scaler(ns.name(), "web", 1, 3))
        .create();
    GenericKubernetesResource statusPatch =
        new GenericKubernetesResourceBuilder()
            .withApiVersion(GROUP + "/v1")
            .withKind("Scaler")
            .withNewMetadata()
            .withName("web")
            .withNamespace(ns.name())
            .endMetadata()
            .withAdditionalProperties(
                Map.of("status", Map.of("phase", "Scaled", "observedReplicas", 2)))
            .build();

    client
        .genericKubernetesResources(SCALERS)
        .inNamespace(ns.name())
        .withName("web")
        .subresource("status")
        .patch(
            new PatchContext.Builder()
                .withPatchType(PatchType.SERVER_SIDE_APPLY)
                .withFieldManager("strata-e2e")
                .withForce(true)
                .build(),
            statusPatch);

    GenericKubernetesResource stored =
        client.genericKubernetesResources(SCALERS).inNamespace(ns.name()).withName("web").get();
    assertThat(stored.<String>get("status", "phase")).isEqualTo("Scaled");
    assertThat(stored.<Number>get("status", "observedReplicas").intValue()).isEqualTo(2);
    assertThat(stored.<Number>get("spec", "maxReplicas").intValue()).isEqualTo(3);
    assertThat(stored.getMetadata().getManagedFields())
        .anySatisfy(entry -> assertManagedStatus(entry, "strata-e2e"));
  }

  @Test
  void rbacIsEnforcedForServiceAccountsAndKubectlWorks(ControlPlane plane, TestNamespace ns) {
    try (KubernetesClient asDefault = plane.clientAs(ns.name(), "default")) {
      assertThatThrownBy(() -> asDefault.secrets().inNamespace(ns.name()).list())
          .isInstanceOfSatisfying(
              KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
    }
    String output =
        plane
            .kubectl(
                "get",
                "serviceaccount",
                "default",
                "-n",
                ns.name(),
                "-o",
                "jsonpath={.metadata.name}")
            .assertSuccess()
            .stdout();
    assertThat(output).isEqualTo("default");
    assertThat(plane.startupTime()).isLessThan(Duration.ofMinutes(3));
  }

  private static void assertManagedStatus(ManagedFieldsEntry entry, String manager) {
    assertThat(entry.getManager()).isEqualTo(manager);
    assertThat(entry.getOperation()).isEqualTo("Apply");
    assertThat(entry.getSubresource()).isEqualTo("status");
  }

  private static GenericKubernetesResource scaler(String namespace, String name, int min, int max) {
    return new GenericKubernetesResourceBuilder()
        .withApiVersion(GROUP + "/v1")
        .withKind("Scaler")
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .endMetadata()
        .withAdditionalProperties(Map.of("spec", Map.of("minReplicas", min, "maxReplicas", max)))
        .build();
  }
}
