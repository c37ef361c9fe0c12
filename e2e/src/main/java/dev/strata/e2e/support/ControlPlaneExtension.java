package dev.strata.e2e.support;

import dev.strata.e2e.support.kubelet.KubeletStandIn;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Starts one {@link ControlPlane} per test JVM (kept in the root store, closed when the run ends)
 * and injects {@link ControlPlane}, {@link KubernetesClient} (admin), {@link KubeletStandIn}
 * (started on first use) and a fresh {@link TestNamespace} per test. A failing test prints the tail
 * of every process log and the stand-in's events and container logs for the test's namespace. A
 * missing tool fails the test; it is never skipped.
 */
public final class ControlPlaneExtension
    implements BeforeAllCallback,
        BeforeEachCallback,
        AfterEachCallback,
        ParameterResolver,
        TestWatcher {

  private static final ExtensionContext.Namespace STORE =
      ExtensionContext.Namespace.create(ControlPlaneExtension.class);
  private static final String NAMESPACE_KEY = "test-namespace";

  /**
   * The shared control plane, starting it on first call; a start failure is remembered and
   * rethrown.
   */
  public static ControlPlane controlPlane(ExtensionContext context) {
    return started(context).get();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    controlPlane(context);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    String dead = controlPlane(context).deadProcess();
    if (dead != null) {
      throw new IllegalStateException("The shared control plane is broken: " + dead);
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    // Kept in the store (which ends with the test) so that a failure report can still name it.
    TestNamespace namespace = context.getStore(STORE).get(NAMESPACE_KEY, TestNamespace.class);
    if (namespace != null && !Boolean.getBoolean("strata.e2e.keepNamespaces")) {
      try {
        controlPlane(context).deleteNamespace(namespace.name());
      } catch (RuntimeException e) {
        System.err.println(
            "[strata-e2e] cannot delete namespace " + namespace + ": " + e.getMessage());
      }
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == ControlPlane.class
        || type == KubernetesClient.class
        || type == KubeletStandIn.class
        || type == TestNamespace.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    ControlPlane plane = controlPlane(context);
    Class<?> type = parameter.getParameter().getType();
    if (type == ControlPlane.class) {
      return plane;
    }
    if (type == KubernetesClient.class) {
      return plane.client();
    }
    if (type == KubeletStandIn.class) {
      return plane.kubelet();
    }
    if (type == TestNamespace.class) {
      if (context.getTestMethod().isEmpty()) {
        throw new ParameterResolutionException(
            "TestNamespace is per test method; inject it into a test or @BeforeEach");
      }
      return context
          .getStore(STORE)
          .getOrComputeIfAbsent(
              NAMESPACE_KEY,
              key ->
                  new TestNamespace(
                      plane.createNamespace(context.getRequiredTestMethod().getName())),
              TestNamespace.class);
    }
    throw new ParameterResolutionException("Unsupported parameter " + type);
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    @SuppressWarnings("unchecked")
    StartedOnce<ControlPlane> holder =
        context.getRoot().getStore(STORE).get(ControlPlane.class, StartedOnce.class);
    ControlPlane plane = holder == null ? null : holder.orNull();
    if (plane == null) {
      return;
    }
    String namespace =
        Optional.ofNullable(context.getStore(STORE).get(NAMESPACE_KEY, TestNamespace.class))
            .map(TestNamespace::name)
            .orElse(null);
    StringBuilder report =
        new StringBuilder("\n===== strata e2e diagnostics for ")
            .append(context.getDisplayName())
            .append(" =====\n")
            .append(plane.diagnostics(30));
    KubeletStandIn kubelet = plane.kubeletIfStarted();
    if (kubelet != null) {
      report.append(kubelet.diagnostics(namespace, 60));
    }
    System.err.println(report);
  }

  @SuppressWarnings("unchecked")
  private static StartedOnce<ControlPlane> started(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(STORE)
        .getOrComputeIfAbsent(
            ControlPlane.class,
            key -> StartedOnce.start("the local control plane", ControlPlane::start),
            StartedOnce.class);
  }
}
