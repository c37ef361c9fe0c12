package dev.strata.e2e.support.node;

import dev.strata.e2e.support.ControlPlane;
import dev.strata.e2e.support.MinioServer;
import dev.strata.e2e.support.TestNamespace;
import dev.strata.e2e.support.VolumeHost;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Starts one {@link RealCluster} per test JVM (closed when the run ends, or by a shutdown hook) and
 * injects it, its {@link ControlPlane}, admin {@link KubernetesClient}, {@link MinioServer}, {@link
 * RealNode} (also as {@link VolumeHost}) and a fresh {@link TestNamespace} per test. Not to be
 * combined with ControlPlaneExtension or MinioExtension on one class: this cluster has its own
 * control plane and MinIO. A failing test prints every component's log tail, the pods and the
 * operator's log.
 */
public final class RealClusterExtension
    implements BeforeAllCallback,
        BeforeEachCallback,
        AfterEachCallback,
        ParameterResolver,
        TestWatcher {

  private static final ExtensionContext.Namespace STORE =
      ExtensionContext.Namespace.create(RealClusterExtension.class);
  private static final String NAMESPACE_KEY = "test-namespace";

  public static RealCluster cluster(ExtensionContext context) {
    return started(context).get();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    cluster(context);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    RealCluster cluster = cluster(context);
    cluster.node().checkAlive();
    if (!cluster.minio().isRunning()) {
      cluster.minio().start();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    TestNamespace namespace = context.getStore(STORE).get(NAMESPACE_KEY, TestNamespace.class);
    if (namespace != null && !Boolean.getBoolean("strata.e2e.keepNamespaces")) {
      cluster(context).plane().deleteNamespace(namespace.name());
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == RealCluster.class
        || type == ControlPlane.class
        || type == KubernetesClient.class
        || type == MinioServer.class
        || type == RealNode.class
        || type == VolumeHost.class
        || type == TestNamespace.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    RealCluster cluster = cluster(context);
    Class<?> type = parameter.getParameter().getType();
    if (type == RealCluster.class) {
      return cluster;
    }
    if (type == ControlPlane.class) {
      return cluster.plane();
    }
    if (type == KubernetesClient.class) {
      return cluster.plane().client();
    }
    if (type == MinioServer.class) {
      return cluster.minio();
    }
    if (type == RealNode.class || type == VolumeHost.class) {
      return cluster.node();
    }
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
                    cluster.plane().createNamespace(context.getRequiredTestMethod().getName())),
            TestNamespace.class);
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    @SuppressWarnings("unchecked")
    dev.strata.e2e.support.StartedOnce<RealCluster> holder =
        context
            .getRoot()
            .getStore(STORE)
            .get(RealCluster.class, dev.strata.e2e.support.StartedOnce.class);
    RealCluster cluster = holder == null ? null : holder.orNull();
    if (cluster != null) {
      System.err.println(
          "\n===== real cluster diagnostics for "
              + context.getDisplayName()
              + " =====\n"
              + cluster.diagnostics(30));
    }
  }

  @SuppressWarnings("unchecked")
  private static dev.strata.e2e.support.StartedOnce<RealCluster> started(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(STORE)
        .getOrComputeIfAbsent(
            RealCluster.class,
            key -> dev.strata.e2e.support.StartedOnce.start("the real cluster", RealCluster::start),
            dev.strata.e2e.support.StartedOnce.class);
  }
}
