package dev.strata.e2e.support.kubelet;

/**
 * A container cannot be configured yet (a referenced Secret, ConfigMap or key is missing); the
 * kubelet reports this as {@code CreateContainerConfigError} and tries again.
 */
public final class ContainerConfigException extends Exception {
  public ContainerConfigException(String message) {
    super(message);
  }
}
