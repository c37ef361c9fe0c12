package dev.strata.engine.format;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.engine.index.IndexCodec;
import dev.strata.engine.index.IndexFormatException;
import dev.strata.engine.index.SnapshotRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The bytes of a format-2 snapshot object, {@code snapshots/<source key>/<snapshot id>.json.gz}:
 * first a small gzip member, {@code
 * {"formatVersion":2,"snapshotId":…,"encryption":…,"payloadLength":N}}, then N bytes of payload,
 * the {@link SnapshotRecord} as compressed JSON, sealed when the store is encrypted (bound to the
 * object's key). The gzip member is what Strata releases that know format 1 only read first: they
 * refuse the snapshot, naming version 2, instead of misreading it (and their garbage collector
 * stops before deleting anything).
 */
public final class SnapshotCodec {

  private SnapshotCodec() {}

  public static byte[] encode(Repository repo, String key, SnapshotRecord record) {
    try {
      byte[] json = IndexCodec.mapper().writeValueAsBytes(record);
      byte[] payload = repo.sealer().seal(Zstd.compressObject(json), Sealer.objectAad(key));
      Map<String, Object> head = new LinkedHashMap<>();
      head.put("formatVersion", StoreConfig.FORMAT_VERSION);
      head.put("snapshotId", record.snapshotId());
      head.put("encryption", repo.encrypted() ? StoreConfig.AES_256_GCM : StoreConfig.NONE);
      head.put("payloadLength", payload.length);
      ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 128);
      try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
        IndexCodec.mapper().writeValue(gz, head);
      }
      out.write(payload);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The format version in the leading gzip member of an index or snapshot object (1 or 2...). */
  public static int version(byte[] bytes, String what) {
    return header(bytes, what).path("formatVersion").asInt(-1);
  }

  private static JsonNode header(byte[] bytes, String what) {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes), 8192)) {
      var p = IndexCodec.mapper().createParser(in);
      if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT
          || p.nextToken() != com.fasterxml.jackson.core.JsonToken.FIELD_NAME
          || !"formatVersion".equals(p.currentName())) {
        throw new IndexFormatException(
            what + " is not a Strata index: it does not start with formatVersion");
      }
      p.nextToken();
      int version = p.getIntValue();
      if (version != StoreConfig.FORMAT_VERSION) {
        return IndexCodec.mapper().createObjectNode().put("formatVersion", version);
      }
      Map<String, Object> rest = new LinkedHashMap<>();
      rest.put("formatVersion", version);
      while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
        String f = p.currentName();
        p.nextToken();
        rest.put(f, p.getText());
      }
      return IndexCodec.mapper().valueToTree(rest);
    } catch (IOException e) {
      throw new IndexFormatException(
          what + " is not a readable Strata index: " + e.getMessage(), e);
    }
  }

  public static SnapshotRecord decode(Repository repo, String key, byte[] bytes) {
    String what = "snapshot " + key;
    JsonNode head = header(bytes, what);
    int length = head.path("payloadLength").asInt(-1);
    if (length <= 0 || length > bytes.length) {
      throw new IndexFormatException(what + " has no valid payloadLength");
    }
    String encryption = head.path("encryption").asText("");
    if (StoreConfig.AES_256_GCM.equals(encryption) != repo.encrypted()) {
      throw new IndexFormatException(
          what
              + " says its encryption is '"
              + encryption
              + "', but the store's is "
              + (repo.encrypted() ? StoreConfig.AES_256_GCM : StoreConfig.NONE)
              + ": the store has been tampered with");
    }
    byte[] payload = java.util.Arrays.copyOfRange(bytes, bytes.length - length, bytes.length);
    byte[] json;
    try {
      json = Zstd.decompressObject(repo.sealer().open(payload, Sealer.objectAad(key)), what);
    } catch (SealException e) {
      throw new IndexFormatException(what + " cannot be opened: " + e.getMessage(), e);
    }
    try {
      SnapshotRecord r = IndexCodec.mapper().readValue(json, SnapshotRecord.class);
      if (r.snapshotId() == null
          || !r.snapshotId().equals(head.path("snapshotId").asText())
          || r.metadata() == null
          || r.stats() == null) {
        throw new IndexFormatException(
            what + " is incomplete or names another snapshot than its header");
      }
      for (String chunk : r.tree()) {
        if (chunk == null || !chunk.matches("[0-9a-f]{64}")) {
          throw new IndexFormatException(what + " lists a tree blob id that is not 64 hex digits");
        }
      }
      if (r.tree().isEmpty() || r.treeBytes() <= 0) {
        throw new IndexFormatException(what + " has no tree");
      }
      return r;
    } catch (IOException e) {
      throw new IndexFormatException(what + " is not readable: " + e.getMessage(), e);
    }
  }
}
