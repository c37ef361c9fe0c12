package dev.strata.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;


/**
 * The YAML files of {@code examples/}, as users apply them. Tests apply them with kubectl, replacing only what differs
 * on a test machine (the MinIO endpoint and credentials), never the resources' shape.
 */
public final class Examples {

  /** The endpoint and credentials the examples name, as a person's cluster would have them. */
  public static final String EXAMPLE_ENDPOINT = "http://minio.strata-system:9000";
  public static final String EXAMPLE_ACCESS_KEY = "AWS_ACCESS_KEY_ID: strata";
  public static final String EXAMPLE_SECRET_KEY = "AWS_SECRET_ACCESS_KEY: strata-secret-key";
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

  /** The example with the test MinIO's endpoint and credentials in place of the example's. */
  public static String forMinio(String name, MinioServer minio) {
    return read(name)
        .replace(EXAMPLE_ENDPOINT, minio.endpoint())
        .replace(EXAMPLE_ACCESS_KEY, "AWS_ACCESS_KEY_ID: " + minio.accessKey())
        .replace(EXAMPLE_SECRET_KEY, "AWS_SECRET_ACCESS_KEY: " + minio.secretKey());
  }

  /** {@code kubectl apply -n ns -f -} of the given YAML. */
  public static CommandResult apply(ControlPlane plane, String namespace, String yaml, Path workDir) {
    try {
      Path file = Files.createTempFile(workDir, "example", ".yaml");
      Files.writeString(file, yaml);
      return plane.kubectl("apply", "-n", namespace, "-f", file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

}
