package dev.strata.engine.tree;

import com.fasterxml.jackson.core.JsonParser;
import dev.strata.engine.index.IndexFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;

/** Reads the records of a tree stored as chunks, fetching each chunk when the parser reaches it. */
public final class ChunkedTreeSource implements TreeSource {

  private final JsonParser parser;

  public ChunkedTreeSource(Iterator<byte[]> chunks) {
    try {
      this.parser = TreeCodec.JSON.createParser(new Concatenated(chunks));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public TreeEntry next() {
    try {
      return TreeCodec.read(parser);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IndexFormatException(
          "a snapshot's tree is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      parser.close();
    } catch (IOException ignored) {
      // nothing to release but buffers
    }
  }

  /** The chunks one after another, fetched lazily. */
  private static final class Concatenated extends InputStream {
    private final Iterator<byte[]> chunks;
    private byte[] current = new byte[0];
    private int pos;

    Concatenated(Iterator<byte[]> chunks) {
      this.chunks = chunks;
    }

    private boolean fill() {
      while (pos >= current.length) {
        if (!chunks.hasNext()) {
          return false;
        }
        current = chunks.next();
        pos = 0;
      }
      return true;
    }

    @Override
    public int read() {
      return fill() ? current[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (len == 0) {
        return 0;
      }
      if (!fill()) {
        return -1;
      }
      int n = Math.min(len, current.length - pos);
      System.arraycopy(current, pos, b, off, n);
      pos += n;
      return n;
    }
  }
}
