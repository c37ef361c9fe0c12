package dev.strata.engine.pack;

/**
 * One blob in a pack: its type ({@link #DATA} file content, {@link #TREE} a piece of a snapshot's
 * tree), whether it is compressed ({@link BlobCodec#COMPRESSED}), its id (32 bytes), where its
 * stored bytes start in the pack, how many there are, and the length of its content.
 */
public record PackEntry(
    byte type, byte flags, byte[] id, int offset, int storedLength, int rawLength) {
  public static final byte DATA = 0;
  public static final byte TREE = 1;
}
