package dev.strata.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

/**
 * A kubeconfig that authenticates with a bearer token, as a pod's mounted ServiceAccount token
 * does: a process started with it (e.g. {@link OperatorProcess}) has exactly the ServiceAccount's
 * permissions and nothing of the admin's.
 */
public final class TokenKubeconfig {

  private TokenKubeconfig() {}

  /**
   * Writes a kubeconfig for {@code namespace/serviceAccount} (which must exist) with a token from
   * the TokenRequest API, readable by the owner only.
   */
  public static Path forServiceAccount(
      ControlPlane plane, String namespace, String serviceAccount, Duration lifetime, Path file) {
    return write(
        plane, plane.serviceAccountToken(namespace, serviceAccount, lifetime), namespace, file);
  }

  /** Writes a kubeconfig that presents {@code token} to the control plane's API server. */
  public static Path write(ControlPlane plane, String token, String namespace, Path file) {
    String yaml =
        String.join(
            "\n",
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "- name: strata-e2e",
            "  cluster:",
            "    server: " + plane.apiServerUrl(),
            "    certificate-authority: " + plane.caCertificate(),
            "users:",
            "- name: token",
            "  user:",
            "    token: " + token,
            "contexts:",
            "- name: strata-e2e",
            "  context:",
            "    cluster: strata-e2e",
            "    user: token",
            "    namespace: " + namespace,
            "current-context: strata-e2e",
            "");
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, yaml);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
