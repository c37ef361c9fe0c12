package dev.strata.engine.index;

/**
 * One stored blob of a file's content: its id (the SHA-256 of its bytes, in lower-case hex), the
 * offset at which it starts in the file, and its length. A file is the concatenation of its blobs
 * in offset order.
 */
public record FileBlob(String id, long offset, long size) {}
