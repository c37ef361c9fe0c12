package dev.strata.e2e.support;

import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A server started once per test JVM and kept in JUnit's root store: either the running server or
 * why it could not start (so every test that needs it fails with that reason, instead of each
 * trying again). Closed when the root context ends, and by a shutdown hook if the JVM ends first.
 */
@SuppressWarnings("deprecation")
public final class StartedOnce<T extends AutoCloseable>
    implements ExtensionContext.Store.CloseableResource, AutoCloseable {

  private final String what;
  private final T value;
  private final RuntimeException failure;

  private StartedOnce(String what, T value, RuntimeException failure) {
    this.what = what;
    this.value = value;
    this.failure = failure;
  }

  public static <T extends AutoCloseable> StartedOnce<T> start(String what, Supplier<T> starter) {
    try {
      T value = starter.get();
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(() -> closeQuietly(value), "strata-stop-" + what.replace(' ', '-')));
      return new StartedOnce<>(what, value, null);
    } catch (RuntimeException e) {
      return new StartedOnce<>(what, null, e);
    }
  }

  /** The server, or an exception saying why it could not start. */
  public T get() {
    if (failure != null) {
      throw new IllegalStateException(what + " could not start: " + failure.getMessage(), failure);
    }
    return value;
  }

  /** The server if it started, else null: for diagnostics that must not throw. */
  public T orNull() {
    return value;
  }

  @Override
  public void close() {
    if (value != null) {
      closeQuietly(value);
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // stopping a test server is best effort
    }
  }
}
