package dev.strata.engine.tree;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Writes tree records, one JSON line each, into a {@link TreeChunker}. Not thread-safe: one writer
 * thread.
 */
public final class TreeWriter {

  private final TreeChunker chunker;
  private final JsonGenerator g;
  private long records;

  public TreeWriter(TreeChunker chunker) {
    this.chunker = chunker;
    try {
      this.g = TreeCodec.JSON.createGenerator(chunker);
      g.setRootValueSeparator(null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void write(TreeEntry e) {
    try {
      TreeCodec.write(g, e);
      g.writeRaw('\n');
      g.flush();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    chunker.endRecord();
    records++;
  }

  public void finish() {
    chunker.finish();
  }

  public long records() {
    return records;
  }
}
