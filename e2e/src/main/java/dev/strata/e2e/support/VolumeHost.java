package dev.strata.e2e.support;

import java.nio.file.Path;

/**
 * Where the files of a claim's volume are on this machine: the kubelet stand-in's or a real node's
 * volumes.
 */
public interface VolumeHost {

  /**
   * The host directory of the volume bound to a claim, for seeding or checking files; waits until
   * it is Bound.
   */
  Path hostPathOf(String namespace, String claimName);
}
