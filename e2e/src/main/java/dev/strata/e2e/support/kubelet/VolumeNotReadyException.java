package dev.strata.e2e.support.kubelet;

/**
 * A pod volume cannot be set up yet (claim not bound, Secret missing...): the pod stays
 * ContainerCreating.
 */
final class VolumeNotReadyException extends Exception {
  VolumeNotReadyException(String message) {
    super(message);
  }
}
