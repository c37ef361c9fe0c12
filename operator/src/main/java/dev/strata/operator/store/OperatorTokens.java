package dev.strata.operator.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The operator's own web identity tokens: one file per audience, projected into the operator's pod
 * by the Helm chart (values {@code webIdentity.audiences}) under {@code
 * STRATA_WEB_IDENTITY_TOKEN_DIR}. The operator checks a web identity store and reads its progress
 * as itself: the store's role must trust the operator's ServiceAccount as well as the runners'. It
 * never asks the API server for a token of another ServiceAccount, which would need the right to
 * mint tokens for every account in the cluster.
 */
public final class OperatorTokens {

  public static final String DIR_VARIABLE = "STRATA_WEB_IDENTITY_TOKEN_DIR";
  public static final String DEFAULT_DIR = "/var/run/secrets/strata.dev/web-identity";

  /** The role session name of the operator's requests, as the store's audit log shows it. */
  public static final String SESSION_NAME = "strata-operator";

  private final Path dir;

  public OperatorTokens(Path dir) {
    this.dir = dir;
  }

  public static OperatorTokens fromEnv(Map<String, String> env) {
    String dir = env.get(DIR_VARIABLE);
    return new OperatorTokens(Path.of(dir == null || dir.isBlank() ? DEFAULT_DIR : dir));
  }

  /**
   * The file name of an audience's token: the audience with every character but letters, digits,
   * '.', '_' and '-' replaced by '_', and a leading '.' too (the chart names the files the same
   * way).
   */
  public static String fileName(String audience) {
    return audience.replaceAll("[^A-Za-z0-9._-]", "_").replaceFirst("^\\.", "_");
  }

  /** The token file for {@code audience}, when the operator's pod has one. */
  public Optional<Path> tokenFile(String audience) {
    Path file = dir.resolve(fileName(audience));
    return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
  }
}
