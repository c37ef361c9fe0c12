package dev.strata.engine.store;

/**
 * What a store request is for: the source identity of the snapshot it serves, the payload's path (a
 * file path inside the source, or the name of an index) and its size. Carried so implementations
 * can route and trace requests.
 */
public record Metadata(String sourceId, String payloadPath, long payloadSize) {

  public static Metadata of(String sourceId, String payloadPath) {
    return new Metadata(sourceId, payloadPath, -1);
  }

  public Metadata withSize(long size) {
    return new Metadata(sourceId, payloadPath, size);
  }
}
