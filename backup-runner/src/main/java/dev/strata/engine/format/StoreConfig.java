package dev.strata.engine.format;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The store's {@code config} object, written once when the store is created ({@code strata init} or
 * its first backup) and never changed: the store format version (readers refuse a version they do
 * not know), the store's id, the target size of its packs, the parameters of its chunker, and
 * whether it is encrypted. It holds no secret. In an encrypted store, {@code keyCheck} (an HMAC of
 * these fields under the master key's id key) tells a master key that belongs to this store and
 * proves the fields were not changed.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "formatVersion",
  "storeId",
  "createdAt",
  "packSize",
  "chunker",
  "encryption",
  "keyCheck"
})
public record StoreConfig(
    int formatVersion,
    String storeId,
    Instant createdAt,
    int packSize,
    ChunkerParams chunker,
    String encryption,
    String keyCheck) {

  public static final int FORMAT_VERSION = 2;
  public static final String NONE = "none";
  public static final String AES_256_GCM = "aes-256-gcm";

  public static final int DEFAULT_PACK_SIZE = 16 << 20;
  public static final int MIN_PACK_SIZE = 64 << 10;
  public static final int MAX_PACK_SIZE = 128 << 20;

  /** FastCDC's bounds and average chunk size. */
  public record ChunkerParams(String algorithm, int minSize, int avgSize, int maxSize) {
    public static final ChunkerParams DEFAULT =
        new ChunkerParams("fastcdc", 256 * 1024, 1024 * 1024, 4 * 1024 * 1024);

    public void validate() {
      if (!"fastcdc".equals(algorithm)) {
        throw new IllegalArgumentException("unknown chunker '" + algorithm + "'");
      }
      if (minSize < 1024
          || avgSize < 2 * minSize
          || maxSize < 2 * avgSize
          || maxSize > 16 << 20
          || Integer.bitCount(avgSize) != 1) {
        throw new IllegalArgumentException(
            "chunker sizes " + minSize + "/" + avgSize + "/" + maxSize + " are out of range");
      }
    }
  }

  @JsonIgnore
  public boolean encrypted() {
    return AES_256_GCM.equals(encryption);
  }

  /** Throws a message naming what is wrong, or what release reads this store. */
  public void validate(String where) {
    if (formatVersion > FORMAT_VERSION) {
      throw new UnsupportedFormatException(
          "the store "
              + where
              + " has format version "
              + formatVersion
              + ", but this Strata reads versions 1 and "
              + FORMAT_VERSION
              + " only: use a Strata release that supports it");
    }
    if (formatVersion != FORMAT_VERSION) {
      throw new UnsupportedFormatException(
          "the store "
              + where
              + " has a config object of format version "
              + formatVersion
              + ", which no Strata writes");
    }
    if (storeId == null || !storeId.matches("[0-9a-f]{32}")) {
      throw new UnsupportedFormatException(
          "the config of the store " + where + " has no valid storeId");
    }
    if (packSize < MIN_PACK_SIZE || packSize > MAX_PACK_SIZE) {
      throw new UnsupportedFormatException(
          "the config of the store "
              + where
              + " has packSize "
              + packSize
              + ", outside "
              + MIN_PACK_SIZE
              + " to "
              + MAX_PACK_SIZE);
    }
    try {
      if (chunker == null) {
        throw new IllegalArgumentException("no chunker");
      }
      chunker.validate();
    } catch (IllegalArgumentException e) {
      throw new UnsupportedFormatException(
          "the config of the store " + where + ": " + e.getMessage());
    }
    if (!NONE.equals(encryption) && !AES_256_GCM.equals(encryption)) {
      throw new UnsupportedFormatException(
          "the store "
              + where
              + " uses encryption '"
              + encryption
              + "', which this Strata does not know");
    }
  }

  /** The fields the key check covers, in a fixed order. */
  byte[] checkedFields() {
    return ("strata-config|"
            + formatVersion
            + "|"
            + storeId
            + "|"
            + packSize
            + "|"
            + chunker.algorithm()
            + "|"
            + chunker.minSize()
            + "|"
            + chunker.avgSize()
            + "|"
            + chunker.maxSize()
            + "|"
            + encryption)
        .getBytes(StandardCharsets.UTF_8);
  }

  public StoreConfig withKeyCheck(String check) {
    return new StoreConfig(formatVersion, storeId, createdAt, packSize, chunker, encryption, check);
  }
}
