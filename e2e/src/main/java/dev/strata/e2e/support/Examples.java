package dev.strata.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The YAML files of {@code examples/}, as users apply them: tests apply the files unchanged with
 * kubectl. The test MinIO answers the examples' endpoint and credentials (see {@link MinioServer}
 * and {@link ClusterDns}).
 */
public final class Examples {

  /**
   * The Service, endpoint and credentials the examples name, as a person's cluster would have them.
   */
  public static final String EXAMPLE_SERVICE = "minio";

  public static final String EXAMPLE_SERVICE_NAMESPACE = "strata-system";
  public static final int EXAMPLE_SERVICE_PORT = 9000;
  public static final String EXAMPLE_ENDPOINT = "http://minio.strata-system:9000";
  public static final String EXAMPLE_ACCESS_KEY_ID = "strata";
  public static final String EXAMPLE_SECRET_ACCESS_KEY = "strata-secret-key";
  public static final String EXAMPLE_BUCKET = "strata";

  private Examples() {}

  public static Path dir() {
    Path here = Path.of("").toAbsolutePath();
    for (Path p = here; p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("examples")) && Files.exists(p.resolve("pom.xml"))) {
        return p.resolve("examples");
      }
    }
    throw new IllegalStateException("no examples/ directory above " + here);
  }

  public static String read(String name) {
    try {
      return Files.readString(dir().resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code kubectl apply -n ns -f examples/<name>}: the committed file, unchanged. */
  public static CommandResult apply(ControlPlane plane, String namespace, String name) {
    return plane.kubectl("apply", "-n", namespace, "-f", dir().resolve(name).toString());
  }

  /** {@code kubectl apply -n ns -f -} of the given YAML. */
  public static CommandResult apply(
      ControlPlane plane, String namespace, String yaml, Path workDir) {
    try {
      Path file = Files.createTempFile(workDir, "example", ".yaml");
      Files.writeString(file, yaml);
      return plane.kubectl("apply", "-n", namespace, "-f", file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
