package dev.strata.e2e.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Strata operator as a real process (java, this JVM's classpath, {@code
 * dev.strata.operator.app.StrataOperator}), talking to the test control plane through a kubeconfig.
 * It can be killed with SIGKILL and started again, as a crashed pod would be.
 */
public final class OperatorProcess implements AutoCloseable {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final ManagedProcess process;
  private final int httpPort;

  private OperatorProcess(ManagedProcess process, int httpPort) {
    this.process = process;
    this.httpPort = httpPort;
  }

  /**
   * @param kubeconfig whose credentials the operator uses (the admin's, or a ServiceAccount's)
   * @param env more STRATA_* settings, e.g. STRATA_NAMESPACES or STRATA_STORE_RECHECK_SECONDS
   */
  public static OperatorProcess start(Path kubeconfig, Path workDir, Map<String, String> env) {
    OperatorProcess operator = launch(kubeconfig, workDir, env);
    operator.process.awaitReady(
        Duration.ofSeconds(90), () -> operator.get("/readyz").statusCode() == 200);
    return operator;
  }

  /**
   * Like {@link #start}, but returns at once: for tests of an operator that is expected never to
   * become ready.
   */
  public static OperatorProcess launch(Path kubeconfig, Path workDir, Map<String, String> env) {
    int port = FreePorts.next();
    Map<String, String> all = new HashMap<>();
    all.put("KUBECONFIG", kubeconfig.toString());
    all.put("STRATA_LEADER_ELECTION", "false");
    all.put("STRATA_HTTP_PORT", Integer.toString(port));
    all.put("STRATA_PROGRESS_INTERVAL_SECONDS", "1");
    all.putAll(env);
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m",
            "-XX:+UseSerialGC",
            ClusterDns.jvmOption(),
            "-cp",
            System.getProperty("java.class.path"),
            "dev.strata.operator.app.StrataOperator");
    ManagedProcess process =
        new ManagedProcess(
                "strata-operator", command, all, workDir.resolve("operator-" + port + ".log"))
            .start();
    return new OperatorProcess(process, port);
  }

  public HttpResponse<String> get(String path) {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
              .timeout(Duration.ofSeconds(5))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(
          "the operator's http endpoint does not answer: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public String metrics() {
    return get("/metrics").body();
  }

  /** SIGKILL, as when its pod is killed. */
  public void kill() {
    process.kill();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public String tail(int lines) {
    return process.tail(lines);
  }

  public Path logFile() {
    return process.logFile();
  }

  @Override
  public void close() {
    process.stop(Duration.ofSeconds(10));
  }
}
