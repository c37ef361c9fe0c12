package dev.strata.engine;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Snapshot ids: UTC creation time to the millisecond plus 24 random bits, e.g. {@code
 * 20261126T071913.042Z-a1b2c3}. They sort by creation time, which is what "latest" means, and two
 * runners starting in the same millisecond still get different ids.
 */
public final class SnapshotIds {

  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final Pattern VALID = Pattern.compile("\\d{8}T\\d{6}\\.\\d{3}Z-[0-9a-f]{6}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private SnapshotIds() {}

  public static String next(Instant now) {
    byte[] r = new byte[3];
    RANDOM.nextBytes(r);
    return FORMAT.format(now) + "-" + HexFormat.of().formatHex(r);
  }

  public static boolean isValid(String id) {
    return id != null && VALID.matcher(id).matches();
  }

  /** Fails with a message that says what a snapshot id looks like. */
  public static String require(String id) {
    if (!isValid(id)) {
      throw new IllegalArgumentException(
          "'"
              + id
              + "' is not a snapshot id (expected like 20261126T071913.042Z-a1b2c3; see `strata snapshots`)");
    }
    return id;
  }
}
