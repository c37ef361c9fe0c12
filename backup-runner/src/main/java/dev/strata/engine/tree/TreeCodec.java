package dev.strata.engine.tree;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.strata.engine.index.FileBlob;
import dev.strata.engine.index.FileIndex;
import dev.strata.engine.index.FileMetadata;
import dev.strata.engine.index.IndexFormatException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON of one tree record, one record per line:
 *
 * <pre>
 * {"d":"name","m":[mode,mtimeNanos,uid,gid],"x":{…}}                                      a directory opens
 * {"f":"name","m":[size,mode,mtimeNanos,uid,gid],"b":[["id",size],…],"x":{…},"h":"path","hl":1,"c":1,"ct":ctime}   a file
 * {"l":"name","m":[mode,mtimeNanos,uid,gid],"t":"target"}                                   a symlink
 * {"e":1,"rf":[…],"rd":[…]}                                                                 the directory closes
 * </pre>
 *
 * Optional fields are left out when empty: {@code x} extended attributes (name to base64), {@code
 * rf}/{@code rd} files and directories removed since the previous snapshot, {@code h} the path of
 * the earlier entry this one is a hard link to, {@code hl} other names of this inode follow, {@code
 * c} the file changed while it was read, {@code ct} its change time in nanoseconds when it was
 * backed up (what lets the next backup skip reading its attributes again).
 */
public final class TreeCodec {

  public static final JsonFactory JSON = new JsonFactory();

  private TreeCodec() {}

  public static void write(JsonGenerator g, TreeEntry entry) throws IOException {
    g.writeStartObject();
    if (entry instanceof TreeEntry.Dir d) {
      g.writeStringField("d", d.name());
      writeMetadata(g, d.metadata(), false);
      writeXattrs(g, d.xattrs());
    } else if (entry instanceof TreeEntry.File fe) {
      FileIndex f = fe.file();
      FileMetadata m = f.metadata();
      if (f.isSymlink()) {
        g.writeStringField("l", f.name());
        writeMetadata(g, m, false);
        g.writeStringField("t", f.linkTarget());
      } else {
        g.writeStringField("f", f.name());
        writeMetadata(g, m, true);
        if (!f.blobs().isEmpty()) {
          g.writeArrayFieldStart("b");
          for (FileBlob b : f.blobs()) {
            g.writeStartArray();
            g.writeString(b.id());
            g.writeNumber(b.size());
            g.writeEndArray();
          }
          g.writeEndArray();
        }
        writeXattrs(g, f.xattrs());
        if (f.hardLink() != null) {
          g.writeStringField("h", f.hardLink());
        }
        if (fe.hardLinked()) {
          g.writeNumberField("hl", 1);
        }
        if (f.isChanged()) {
          g.writeNumberField("c", 1);
        }
        if (fe.ctimeNanos() != 0) {
          g.writeNumberField("ct", fe.ctimeNanos());
        }
      }
    } else {
      TreeEntry.End end = (TreeEntry.End) entry;
      g.writeNumberField("e", 1);
      writeNames(g, "rf", end.filesRemoved());
      writeNames(g, "rd", end.subDirsRemoved());
    }
    g.writeEndObject();
  }

  /** {@code "m":[size,mode,mtimeNanos,uid,gid]}, without the size for directories and symlinks. */
  private static void writeMetadata(JsonGenerator g, FileMetadata m, boolean withSize)
      throws IOException {
    g.writeArrayFieldStart("m");
    if (withSize) {
      g.writeNumber(m.size());
    }
    g.writeNumber(m.mode());
    g.writeNumber(m.mtimeNanos());
    g.writeNumber(m.uid());
    g.writeNumber(m.gid());
    g.writeEndArray();
  }

  private static void writeXattrs(JsonGenerator g, Map<String, String> x) throws IOException {
    if (x == null || x.isEmpty()) {
      return;
    }
    g.writeObjectFieldStart("x");
    for (Map.Entry<String, String> e : new java.util.TreeMap<>(x).entrySet()) {
      g.writeStringField(e.getKey(), e.getValue());
    }
    g.writeEndObject();
  }

  private static void writeNames(JsonGenerator g, String field, List<String> names)
      throws IOException {
    if (names.isEmpty()) {
      return;
    }
    g.writeArrayFieldStart(field);
    for (String n : names) {
      g.writeString(n);
    }
    g.writeEndArray();
  }

  /** Reads the next record, or null at the end of the stream. */
  public static TreeEntry read(JsonParser p) throws IOException {
    JsonToken t = p.nextToken();
    if (t == null) {
      return null;
    }
    if (t != JsonToken.START_OBJECT) {
      throw bad("a record does not start with '{'");
    }
    String kind = null;
    String name = null;
    long[] m = null;
    List<FileBlob> blobs = null;
    Map<String, String> x = null;
    List<String> rf = null;
    List<String> rd = null;
    String hardLink = null;
    String target = null;
    boolean hl = false;
    boolean changed = false;
    long ctime = 0;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken v = p.nextToken();
      switch (field) {
        case "d", "f", "l" -> {
          if (kind != null || v != JsonToken.VALUE_STRING) {
            throw bad("a record has two kinds or a name that is not a string");
          }
          kind = field;
          name = p.getText();
        }
        case "e" -> {
          if (kind != null) {
            throw bad("a record has two kinds");
          }
          kind = "e";
        }
        case "m" -> m = numbers(p, v);
        case "b" -> blobs = blobs(p, v);
        case "x" -> x = strings(p, v);
        case "rf" -> rf = names(p, v);
        case "rd" -> rd = names(p, v);
        case "h" -> hardLink = string(p, v);
        case "t" -> target = string(p, v);
        case "hl" -> hl = p.getValueAsInt() == 1;
        case "c" -> changed = p.getValueAsInt() == 1;
        case "ct" -> ctime = p.getValueAsLong();
        default -> p.skipChildren();
      }
    }
    if (p.currentToken() != JsonToken.END_OBJECT) {
      throw bad("a record is not closed");
    }
    if (kind == null) {
      throw bad("a record has no kind");
    }
    switch (kind) {
      case "e":
        return rf == null && rd == null ? TreeEntry.END : new TreeEntry.End(rf, rd);
      case "d":
        requireLength(m, 4);
        return new TreeEntry.Dir(
            name, new FileMetadata(0, (int) m[0], m[1], (int) m[2], (int) m[3]), x);
      case "l":
        requireLength(m, 4);
        return new TreeEntry.File(
            FileIndex.symlink(
                name, new FileMetadata(0, (int) m[0], m[1], (int) m[2], (int) m[3]), target),
            false);
      default:
        requireLength(m, 5);
        FileIndex f =
            new FileIndex(
                name,
                FileIndex.Kind.FILE,
                new FileMetadata(m[0], (int) m[1], m[2], (int) m[3], (int) m[4]),
                blobs == null ? List.of() : blobs,
                null,
                null,
                x,
                hardLink,
                changed ? Boolean.TRUE : null);
        return new TreeEntry.File(f, hl, ctime);
    }
  }

  private static void requireLength(long[] m, int n) {
    if (m == null || m.length != n) {
      throw bad("a record's metadata has " + (m == null ? 0 : m.length) + " numbers, not " + n);
    }
  }

  private static long[] numbers(JsonParser p, JsonToken v) throws IOException {
    if (v != JsonToken.START_ARRAY) {
      throw bad("metadata is not an array");
    }
    long[] out = new long[6];
    int n = 0;
    while (p.nextToken() == JsonToken.VALUE_NUMBER_INT) {
      if (n == out.length) {
        throw bad("metadata has too many numbers");
      }
      out[n++] = p.getLongValue();
    }
    if (p.currentToken() != JsonToken.END_ARRAY) {
      throw bad("metadata holds something other than integers");
    }
    return java.util.Arrays.copyOf(out, n);
  }

  private static List<FileBlob> blobs(JsonParser p, JsonToken v) throws IOException {
    if (v != JsonToken.START_ARRAY) {
      throw bad("blobs are not an array");
    }
    List<FileBlob> out = new ArrayList<>();
    long offset = 0;
    while (p.nextToken() == JsonToken.START_ARRAY) {
      if (p.nextToken() != JsonToken.VALUE_STRING) {
        throw bad("a blob has no id");
      }
      String id = p.getText();
      if (p.nextToken() != JsonToken.VALUE_NUMBER_INT) {
        throw bad("a blob has no size");
      }
      long size = p.getLongValue();
      if (p.nextToken() != JsonToken.END_ARRAY) {
        throw bad("a blob has more than an id and a size");
      }
      out.add(new FileBlob(id, offset, size));
      offset += Math.max(0, size);
    }
    if (p.currentToken() != JsonToken.END_ARRAY) {
      throw bad("blobs hold something other than [id, size] pairs");
    }
    return out;
  }

  private static Map<String, String> strings(JsonParser p, JsonToken v) throws IOException {
    if (v != JsonToken.START_OBJECT) {
      throw bad("attributes are not an object");
    }
    Map<String, String> out = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String k = p.currentName();
      if (p.nextToken() != JsonToken.VALUE_STRING) {
        throw bad("an attribute's value is not a string");
      }
      out.put(k, p.getText());
    }
    return out;
  }

  private static List<String> names(JsonParser p, JsonToken v) throws IOException {
    if (v != JsonToken.START_ARRAY) {
      throw bad("a list of names is not an array");
    }
    List<String> out = new ArrayList<>();
    while (p.nextToken() == JsonToken.VALUE_STRING) {
      out.add(p.getText());
    }
    if (p.currentToken() != JsonToken.END_ARRAY) {
      throw bad("a list of names holds something other than strings");
    }
    return out;
  }

  private static String string(JsonParser p, JsonToken v) throws IOException {
    if (v != JsonToken.VALUE_STRING) {
      throw bad("a field that must be a string is not");
    }
    return p.getText();
  }

  static IndexFormatException bad(String why) {
    return new IndexFormatException("a snapshot's tree is malformed: " + why);
  }
}
