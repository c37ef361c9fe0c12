package dev.strata.e2e.support;

/**
 * A namespace made for one test by {@link ControlPlaneExtension} (declare a parameter of this
 * type), deleted after the test unless {@code -Dstrata.e2e.keepNamespaces=true}.
 */
public record TestNamespace(String name) {
  @Override
  public String toString() {
    return name;
  }
}
