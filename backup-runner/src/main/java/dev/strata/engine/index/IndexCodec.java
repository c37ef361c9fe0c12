package dev.strata.engine.index;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Reads and writes SnapshotIndex objects: gzip-compressed JSON whose first field is the format
 * version. A reader refuses a version it does not know before binding anything else, so an index
 * written by a newer Strata fails with a message that says so rather than a confusing parse error.
 */
public final class IndexCodec {

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  private IndexCodec() {}

  public static ObjectMapper mapper() {
    return MAPPER;
  }

  public static byte[] encode(SnapshotIndex index) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes, 64 * 1024)) {
      MAPPER.writeValue(gz, index);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  public static SnapshotIndex decode(byte[] compressed, String what) {
    checkVersion(compressed, what);
    try (InputStream in = gunzip(compressed)) {
      SnapshotIndex index = MAPPER.readValue(in, SnapshotIndex.class);
      if (index.root() == null || index.snapshotId() == null || index.metadata() == null) {
        throw new IndexFormatException(
            what + " is incomplete: it lacks snapshotId, metadata or root");
      }
      // Every number and name checked as the index is read, by the same validator whoever reads it.
      IndexValidator.validate(index);
      return index;
    } catch (IOException e) {
      throw new IndexFormatException(
          what + " is not a readable Strata index: " + e.getMessage(), e);
    }
  }

  /**
   * Reads only the header (everything before {@code root}); cheap for listings of large indexes.
   */
  public static SnapshotSummary decodeSummary(byte[] compressed, String what) {
    checkVersion(compressed, what);
    try (InputStream in = gunzip(compressed);
        JsonParser p = MAPPER.createParser(in)) {
      expect(p.nextToken() == JsonToken.START_OBJECT, what);
      String id = null;
      String previous = null;
      SnapshotMetadata metadata = null;
      SnapshotStats stats = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        switch (field) {
          case "snapshotId" -> id = p.getValueAsString();
          case "previousSnapshotId" -> previous = p.getValueAsString();
          case "metadata" -> metadata = MAPPER.readValue(p, SnapshotMetadata.class);
          case "stats" -> stats = MAPPER.readValue(p, SnapshotStats.class);
          case "root" -> {
            return new SnapshotSummary(id, metadata, previous, stats);
          }
          default -> p.skipChildren();
        }
      }
      return new SnapshotSummary(id, metadata, previous, stats);
    } catch (IOException e) {
      throw new IndexFormatException(
          what + " is not a readable Strata index: " + e.getMessage(), e);
    }
  }

  private static void checkVersion(byte[] compressed, String what) {
    try (InputStream in = gunzip(compressed);
        JsonParser p = MAPPER.createParser(in)) {
      expect(p.nextToken() == JsonToken.START_OBJECT, what);
      expect(
          p.nextToken() == JsonToken.FIELD_NAME && "formatVersion".equals(p.currentName()), what);
      expect(p.nextToken() == JsonToken.VALUE_NUMBER_INT, what);
      int version = p.getIntValue();
      if (version != SnapshotIndex.FORMAT_VERSION) {
        throw new IndexFormatException(
            what
                + " has index format version "
                + version
                + ", but this Strata reads versions 1 and 2 only"
                + (version > 2
                    ? ": use a Strata release that supports it"
                    : " (version 2 is read through its store)"));
      }
    } catch (IOException e) {
      throw new IndexFormatException(
          what + " is not a readable Strata index: " + e.getMessage(), e);
    }
  }

  private static void expect(boolean ok, String what) {
    if (!ok) {
      throw new IndexFormatException(
          what + " is not a Strata index: it does not start with formatVersion");
    }
  }

  private static InputStream gunzip(byte[] compressed) throws IOException {
    return new GZIPInputStream(new ByteArrayInputStream(compressed), 64 * 1024);
  }
}
