package dev.strata.engine.store;

import java.time.Instant;

/**
 * One object in a store: its key relative to the store's root, its size and when it was last
 * written.
 */
public record ObjectInfo(String key, long size, Instant lastModified) {}
