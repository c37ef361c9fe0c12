package dev.strata.engine.format;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * A key a user holds for an encrypted store: the bytes of a key file or of an environment variable
 * (a passphrase, or better a long random string). It never leaves the process: a key slot in the
 * store holds the master key wrapped under a key derived from it. Where it comes from is said in
 * {@link #source()}, for messages; the bytes are never printed.
 */
public final class UserKey {

  public static final String ENV_FILE = "STRATA_KEY_FILE";
  public static final String ENV_KEY = "STRATA_KEY";

  private final byte[] secret;
  private final String source;

  private UserKey(byte[] secret, String source) {
    if (secret.length == 0) {
      throw new IllegalArgumentException("the key from " + source + " is empty");
    }
    this.secret = secret;
    this.source = source;
  }

  public static UserKey of(String secret, String source) {
    return new UserKey(secret.getBytes(StandardCharsets.UTF_8), source);
  }

  /** The key in a file: its bytes, less one trailing newline (as editors and `echo` leave). */
  public static UserKey fromFile(Path file) {
    byte[] b;
    try {
      b = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read the key file " + file + ": " + dev.strata.engine.Names.reason(e, false), e);
    }
    int n = b.length;
    if (n > 0 && b[n - 1] == '\n') {
      n--;
      if (n > 0 && b[n - 1] == '\r') {
        n--;
      }
    }
    return new UserKey(Arrays.copyOf(b, n), "key file " + file);
  }

  /**
   * The key a command was given: the file named by {@code --key-file}, else the file named by
   * STRATA_KEY_FILE, else STRATA_KEY; null when none is given.
   */
  public static UserKey from(Path keyFile, Map<String, String> env) {
    if (keyFile != null) {
      return fromFile(keyFile);
    }
    String file = env.get(ENV_FILE);
    if (file != null && !file.isBlank()) {
      return fromFile(Path.of(file));
    }
    String key = env.get(ENV_KEY);
    if (key != null && !key.isEmpty()) {
      return new UserKey(key.getBytes(StandardCharsets.UTF_8), "environment variable " + ENV_KEY);
    }
    return null;
  }

  byte[] secret() {
    return secret;
  }

  public String source() {
    return source;
  }

  @Override
  public String toString() {
    return "UserKey[" + source + "]";
  }
}
