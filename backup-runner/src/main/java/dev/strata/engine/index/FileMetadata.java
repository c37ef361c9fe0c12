package dev.strata.engine.index;

/**
 * What a restore re-applies to a file, a symlink or a directory: size in bytes (0 for directories),
 * the full POSIX mode (permission bits plus setuid, setgid and sticky), the modification time in
 * nanoseconds since the epoch, and the numeric owner and group.
 */
public record FileMetadata(long size, int mode, long mtimeNanos, int uid, int gid) {}
