package dev.strata.engine.tree;

/** A snapshot's tree as a stream of records, depth first; see {@link TreeEntry}. */
public interface TreeSource extends AutoCloseable {

  /** The next record, or null after the root directory's end. */
  TreeEntry next();

  @Override
  default void close() {}
}
