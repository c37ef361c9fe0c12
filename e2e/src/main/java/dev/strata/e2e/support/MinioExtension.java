package dev.strata.e2e.support;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Starts one {@link MinioServer} per test JVM (root store; closed when the run ends) and injects
 * it. Before each test it restarts the server if an earlier test stopped it and did not start it
 * again, so an outage test cannot break the next one. Use {@link MinioServer#freshBucket} for
 * isolation between tests.
 */
public final class MinioExtension
    implements BeforeAllCallback, BeforeEachCallback, ParameterResolver, TestWatcher {

  private static final ExtensionContext.Namespace STORE =
      ExtensionContext.Namespace.create(MinioExtension.class);

  public static MinioServer minio(ExtensionContext context) {
    return started(context).get();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    minio(context);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    MinioServer server = minio(context);
    if (!server.isRunning()) {
      server.start();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == MinioServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return minio(context);
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    @SuppressWarnings("unchecked")
    StartedOnce<MinioServer> holder =
        context.getRoot().getStore(STORE).get(MinioServer.class, StartedOnce.class);
    MinioServer server = holder == null ? null : holder.orNull();
    if (server != null) {
      System.err.println(
          "\n===== MinIO diagnostics for "
              + context.getDisplayName()
              + " =====\n"
              + server.diagnostics(30));
    }
  }

  @SuppressWarnings("unchecked")
  private static StartedOnce<MinioServer> started(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(STORE)
        .getOrComputeIfAbsent(
            MinioServer.class,
            key -> StartedOnce.start("MinIO", MinioServer::startNew),
            StartedOnce.class);
  }
}
