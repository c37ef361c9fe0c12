package dev.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.e2e.support.CommandResult;
import dev.strata.e2e.support.ControlPlane;
import dev.strata.e2e.support.ControlPlaneExtension;
import dev.strata.e2e.support.Examples;
import dev.strata.e2e.support.TestNamespace;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * spec.credentials at admission, on the real API server with the committed CRDs: every form a user
 * writes is taken, and every mistake is refused with a message that says what to write (the CEL
 * rules of SnapshotStoreSpec, StoreCredentials and WebIdentityCredentials).
 */
@ExtendWith(ControlPlaneExtension.class)
class StoreCredentialsValidationTest {

  @TempDir Path tmp;

  @BeforeAll
  static void crds(ControlPlane plane) {
    plane.kubectl("apply", "-f", Examples.dir().resolveSibling("crds").toString()).assertSuccess();
  }

  static String store(String name, String credentials) {
    return String.join(
        "\n",
        "apiVersion: strata.dev/v1alpha1",
        "kind: SnapshotStore",
        "metadata:",
        "  name: " + name,
        "spec:",
        "  bucket: strata",
        credentials.stripTrailing(),
        "");
  }

  @Test
  void everyFormOfCredentialsIsTaken(ControlPlane plane, TestNamespace ns) {
    Map<String, String> valid = new LinkedHashMap<>();
    valid.put("older-field", "  credentialsSecretRef:\n    name: minio-credentials");
    valid.put(
        "secret-ref",
        "  credentials:\n    secretRef:\n      name: vault-aws\n      sessionTokenKey: security_token");
    valid.put(
        "irsa",
        "  credentials:\n    webIdentity:\n      roleArn: arn:aws:iam::123456789012:role/strata-backup\n"
            + "      serviceAccountName: strata-runner");
    valid.put(
        "minio-sts",
        "  credentials:\n    webIdentity:\n      roleArn: arn:minio:iam:us-east-1::role/wZaRhoyjqKRO1Z1llDSshLp-GhY\n"
            + "      serviceAccountName: strata-runner\n      audience: strata\n      stsEndpoint: http://minio.strata-system:9000");
    for (var e : valid.entrySet()) {
      CommandResult r = Examples.apply(plane, ns.name(), store(e.getKey(), e.getValue()), tmp);
      assertThat(r.exitCode()).as(e.getKey() + ": " + r.stderr()).isZero();
    }
    // The IRSA example as committed.
    Examples.apply(plane, ns.name(), "snapshot-store-irsa.yaml").assertSuccess();
    assertThat(
            plane.client().serviceAccounts().inNamespace(ns.name()).withName("strata-runner").get())
        .isNotNull();
    assertThat(
            plane
                .client()
                .resources(SnapshotStore.class)
                .inNamespace(ns.name())
                .withName("s3")
                .get()
                .getSpec()
                .webIdentityOrNull())
        .isNotNull();
    SnapshotStore irsa =
        plane.client().resources(SnapshotStore.class).inNamespace(ns.name()).withName("irsa").get();
    assertThat(irsa.getSpec().webIdentityOrNull().audience())
        .as("defaulted")
        .isEqualTo("sts.amazonaws.com");
    assertThat(irsa.getSpec().secretRefOrNull()).isNull();
  }

  @Test
  void mistakesAreRefusedWithWhatToWrite(ControlPlane plane, TestNamespace ns) {
    String irsa =
        "  credentials:\n    webIdentity:\n      roleArn: %s\n      serviceAccountName: %s\n";
    Map<String, String[]> invalid = new LinkedHashMap<>();
    invalid.put(
        "both",
        new String[] {
          "  credentialsSecretRef:\n    name: a\n  credentials:\n    secretRef:\n      name: b",
          "give the store's credentials once: spec.credentials (secretRef or webIdentity), or the older spec.credentialsSecretRef"
        });
    invalid.put(
        "neither", new String[] {"  region: eu-west-1", "give the store's credentials once"});
    invalid.put(
        "two-kinds",
        new String[] {
          "  credentials:\n    secretRef:\n      name: a\n    webIdentity:\n"
              + "      roleArn: arn:aws:iam::1:role/r\n      serviceAccountName: s",
          "credentials needs exactly one of secretRef (access keys in a Secret) or webIdentity"
        });
    invalid.put(
        "empty", new String[] {"  credentials: {}", "credentials needs exactly one of secretRef"});
    invalid.put(
        "role-name",
        new String[] {
          irsa.formatted("strata-backup", "strata-runner"),
          "webIdentity.roleArn must be the role's ARN, like arn:aws:iam::123456789012:role/strata-backup"
        });
    invalid.put(
        "sts-host",
        new String[] {
          irsa.formatted("arn:aws:iam::1:role/r", "s") + "      stsEndpoint: sts.amazonaws.com",
          "webIdentity.stsEndpoint must be http(s)://host[:port] with no path"
        });
    invalid.put(
        "sts-path",
        new String[] {
          irsa.formatted("arn:aws:iam::1:role/r", "s")
              + "      stsEndpoint: https://sts.example.com/sts",
          "webIdentity.stsEndpoint must be http(s)://host[:port] with no path"
        });
    invalid.put(
        "account",
        new String[] {
          irsa.formatted("arn:aws:iam::1:role/r", "Strata_Runner"),
          "webIdentity.serviceAccountName must name a ServiceAccount of the store's namespace"
        });
    invalid.put(
        "no-account",
        new String[] {
          "  credentials:\n    webIdentity:\n      roleArn: arn:aws:iam::1:role/r",
          "spec.credentials.webIdentity.serviceAccountName: Required value"
        });
    invalid.put(
        "audience",
        new String[] {
          irsa.formatted("arn:aws:iam::1:role/r", "s") + "      audience: two words",
          "webIdentity.audience must be one word"
        });
    for (var e : invalid.entrySet()) {
      CommandResult r = Examples.apply(plane, ns.name(), store(e.getKey(), e.getValue()[0]), tmp);
      assertThat(r.exitCode()).as(e.getKey()).isNotZero();
      assertThat(r.stderr()).as(e.getKey()).contains(e.getValue()[1]);
    }
    assertThat(
            plane
                .kubectl("get", "snapshotstores", "-n", ns.name(), "-o", "name")
                .assertSuccess()
                .stdout())
        .isBlank();
  }
}
