package dev.strata.e2e.support.kubelet;

import dev.strata.e2e.support.ClusterDns;
import dev.strata.e2e.support.LogTail;
import dev.strata.e2e.support.kubelet.MountNamespaceLauncher.Mount;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The life of one pod on a stand-in node, as a kubelet runs it: volumes, then init containers one
 * by one, then the containers (app images are simply Running; runner images run as processes, one
 * after another), restarts per restartPolicy, a terminal phase, and every step written to the pod's
 * status.
 */
final class PodWorker implements Runnable {

  private static final int QUEUED = 0;
  private static final int RUNNING = 1;
  private static final int DONE = 2;
  private static final int MESSAGE_LIMIT = 4096;
  private static final int CRASH_LOOP = Integer.MIN_VALUE;

  private final StandInRuntime runtime;
  private final Pod pod;
  private final String namespace;
  private final String name;
  private final Path podDir;
  private final PodStatusModel status;
  private final Map<String, Process> processes = new ConcurrentHashMap<>();
  private final AtomicInteger state = new AtomicInteger(QUEUED);
  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile String stopReason;

  PodWorker(StandInRuntime runtime, Pod pod) {
    this.runtime = runtime;
    this.pod = pod;
    this.namespace = pod.getMetadata().getNamespace();
    this.name = pod.getMetadata().getName();
    this.podDir = runtime.podDir(pod);
    this.status = new PodStatusModel(pod, FakeNodes.HOST_IP);
  }

  @Override
  public void run() {
    if (!state.compareAndSet(QUEUED, RUNNING)) {
      return;
    }
    try {
      lifecycle();
    } catch (RuntimeException | IOException e) {
      runtime.events.warn(namespace, name, "worker failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      state.set(DONE);
      finished.countDown();
    }
  }

  private void lifecycle() throws IOException, InterruptedException {
    status.started();
    Files.createDirectories(podDir);
    report();
    Long deadline = pod.getSpec().getActiveDeadlineSeconds();
    if (deadline != null) {
      runtime.timers.schedule(
          () -> runtime.control.submit(() -> deadlineExceeded(deadline)),
          deadline,
          TimeUnit.SECONDS);
    }
    Map<String, Path> volumes = awaitVolumes();
    if (volumes == null) {
      return;
    }
    status.condition("PodReadyToStartContainers", true, null, null);
    report();

    for (Container container : orEmpty(pod.getSpec().getInitContainers())) {
      if (stopped()) {
        return;
      }
      if ("Always".equals(container.getRestartPolicy())
          || !runtime.isRunnerImage(container.getImage())) {
        // A sidecar keeps running; any other non-runner init container is taken as having done its
        // work.
        if ("Always".equals(container.getRestartPolicy())) {
          status.running(container, true, PodStatusModel.now());
        } else {
          String startedAt = PodStatusModel.now();
          status.terminated(container, true, 0, "Completed", null, startedAt);
        }
        report();
        continue;
      }
      int exit = runToCompletion(container, true, volumes);
      if (stopped() || exit == CRASH_LOOP) {
        return;
      }
      if (exit != 0) {
        status.phase("Failed", null, null);
        finish();
        return;
      }
    }
    status.condition("Initialized", true, null, null);

    List<Container> runners = new ArrayList<>();
    for (Container container : pod.getSpec().getContainers()) {
      if (runtime.isRunnerImage(container.getImage())) {
        runners.add(container);
      } else {
        status.running(container, false, PodStatusModel.now());
        runtime.events.info(
            namespace,
            name,
            "container "
                + container.getName()
                + " running (app image "
                + container.getImage()
                + ")");
      }
    }
    if (runners.size() < pod.getSpec().getContainers().size()) {
      status.phase("Running", null, null);
    }
    status.refreshReadiness();
    report();
    for (Container container : runners) {
      if (stopped()) {
        return;
      }
      int exit = runToCompletion(container, false, volumes);
      if (stopped() || exit == CRASH_LOOP) {
        return;
      }
      status.refreshReadiness();
      report();
    }
    if (runners.size() == pod.getSpec().getContainers().size()) {
      status.phase(status.allSucceeded() ? "Succeeded" : "Failed", null, null);
      finish();
    }
  }

  /**
   * The volumes' host directories, retrying while one is not ready; null when the pod is stopped
   * meanwhile.
   */
  private Map<String, Path> awaitVolumes() throws IOException {
    String lastProblem = null;
    while (!stopped()) {
      try {
        return runtime.volumes.prepare(pod, podDir);
      } catch (VolumeNotReadyException e) {
        if (!e.getMessage().equals(lastProblem)) {
          lastProblem = e.getMessage();
          runtime.events.info(namespace, name, "waiting for volumes: " + lastProblem);
        }
        runtime.sleep(Duration.ofMillis(500));
      }
    }
    return null;
  }

  /**
   * Runs one runner container until it needs no restart; returns its last exit code, or CRASH_LOOP
   * once the restart budget is spent (the container then stays waiting, as a kubelet's would in
   * back-off).
   */
  private int runToCompletion(Container container, boolean init, Map<String, Path> volumes)
      throws IOException, InterruptedException {
    String restartPolicy =
        pod.getSpec().getRestartPolicy() == null ? "Always" : pod.getSpec().getRestartPolicy();
    int restarts = 0;
    while (true) {
      Map<String, String> env = awaitEnv(container, init);
      if (env == null) {
        return CRASH_LOOP;
      }
      int exit = runOnce(container, init, volumes, env, restarts);
      if (stopped()) {
        return exit;
      }
      boolean restart =
          "Always".equals(restartPolicy) && !init
              ? true
              : ("OnFailure".equals(restartPolicy) || "Always".equals(restartPolicy)) && exit != 0;
      if (!restart) {
        return exit;
      }
      if (restarts >= runtime.options.maxRestarts()) {
        status.restarting(
            container, init, "restart budget of " + runtime.options.maxRestarts() + " spent");
        report();
        runtime.events.warn(
            namespace,
            name,
            "container "
                + container.getName()
                + " left in CrashLoopBackOff after "
                + restarts
                + " restarts");
        return CRASH_LOOP;
      }
      restarts++;
      status.restarting(
          container, init, "back-off restarting failed container " + container.getName());
      report();
      runtime.sleep(Duration.ofMillis(Math.min(8000, 500L << Math.min(restarts, 5))));
    }
  }

  private Map<String, String> awaitEnv(Container container, boolean init) {
    String lastProblem = null;
    while (!stopped()) {
      try {
        return runtime.env.resolve(pod, container, runtime.serviceEnv(pod));
      } catch (ContainerConfigException e) {
        if (!e.getMessage().equals(lastProblem)) {
          lastProblem = e.getMessage();
          status.waiting(container, init, "CreateContainerConfigError", lastProblem);
          report();
          runtime.events.warn(
              namespace, name, "container " + container.getName() + ": " + lastProblem);
        }
        runtime.sleep(Duration.ofSeconds(1));
      }
    }
    return null;
  }

  private int runOnce(
      Container container,
      boolean init,
      Map<String, Path> volumes,
      Map<String, String> env,
      int attempt)
      throws IOException, InterruptedException {
    Path containerDir = podDir.resolve("containers").resolve(container.getName());
    Files.createDirectories(containerDir);
    Path logFile = containerDir.resolve(attempt + ".log");
    Path messageFile = containerDir.resolve("termination-log-" + attempt);
    Files.deleteIfExists(messageFile);
    Files.createFile(messageFile);
    List<Mount> mounts = mounts(container, volumes, messageFile);
    List<String> command = runtime.commandOf(container, env);
    String startedAt = PodStatusModel.now();
    long startNanos = System.nanoTime();
    Process process;
    synchronized (this) {
      if (stopped()) {
        return 137;
      }
      try {
        process = runtime.launcher.launch(mounts, container.getWorkingDir(), command, env, logFile);
      } catch (IOException e) {
        status.terminated(container, init, 128, "StartError", e.getMessage(), startedAt);
        report();
        runtime.events.warn(
            namespace,
            name,
            "container " + container.getName() + " failed to start: " + e.getMessage());
        return 128;
      }
      processes.put(container.getName(), process);
    }
    status.running(container, init, startedAt);
    if (!init) {
      if ("Pending".equals(status.phase())) {
        status.phase("Running", null, null); // a kubelet reports Running once a container runs
      }
      status.refreshReadiness();
    }
    report();
    runtime.events.info(
        namespace,
        name,
        "container " + container.getName() + " started pid=" + process.pid() + " log=" + logFile);
    int exit = process.waitFor();
    processes.remove(container.getName());
    String message = readMessage(messageFile);
    if (message.isEmpty()
        && exit != 0
        && "FallbackToLogsOnError".equals(container.getTerminationMessagePolicy())) {
      message = LogTail.lastLines(logFile, 80, 2048); // the kubelet's own limits for this fallback
    }
    status.terminated(
        container,
        init,
        exit,
        exit == 0 ? "Completed" : "Error",
        message.isEmpty() ? null : message,
        startedAt);
    report();
    runtime.events.info(
        namespace,
        name,
        "container "
            + container.getName()
            + " exited "
            + exit
            + " ("
            + (exit == 0 ? "Completed" : "Error")
            + ") after "
            + (System.nanoTime() - startNanos) / 1_000_000
            + " ms");
    return exit;
  }

  private List<Mount> mounts(Container container, Map<String, Path> volumes, Path messageFile)
      throws IOException {
    List<Mount> mounts = new ArrayList<>();
    for (VolumeMount mount : orEmpty(container.getVolumeMounts())) {
      Path source = volumes.get(mount.getName());
      if (source == null) {
        throw new IOException("volumeMount " + mount.getName() + " names no volume of the pod");
      }
      if (mount.getSubPath() != null && !mount.getSubPath().isEmpty()) {
        source = source.resolve(mount.getSubPath()).normalize();
        if (!source.startsWith(volumes.get(mount.getName()))) {
          throw new IOException("subPath " + mount.getSubPath() + " leaves its volume");
        }
        if (!Files.exists(source)) {
          Files.createDirectories(source); // as the kubelet does for a missing subPath
        }
      }
      mounts.add(
          new Mount(
              source,
              mount.getMountPath(),
              Boolean.TRUE.equals(mount.getReadOnly())
                  || runtime.isReadOnlyVolume(pod, mount.getName())));
    }
    String messagePath =
        container.getTerminationMessagePath() == null
            ? "/dev/termination-log"
            : container.getTerminationMessagePath();
    mounts.add(new Mount(messageFile, messagePath, false));
    // The kubelet manages /etc/hosts in every container; here it also answers the test cluster's
    // Service names.
    mounts.add(new Mount(ClusterDns.hostsFile(), "/etc/hosts", true));
    return mounts;
  }

  private static String readMessage(Path file) throws IOException {
    if (!Files.exists(file)) {
      return "";
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      byte[] bytes = new byte[(int) Math.min(raf.length(), MESSAGE_LIMIT)];
      raf.readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  private boolean stopped() {
    return stopReason != null;
  }

  /**
   * Stops the pod: SIGTERM to its processes, SIGKILL after {@code grace}, then a terminal status.
   * Returns whether a status was written (false when the pod had already finished).
   */
  boolean stop(String reason, Duration grace, String phaseReason, String phaseMessage) {
    synchronized (this) {
      if (stopReason != null) {
        return false;
      }
      stopReason = reason;
    }
    boolean neverStarted = state.compareAndSet(QUEUED, DONE);
    if (neverStarted) {
      finished.countDown();
    }
    for (Map.Entry<String, Process> entry : processes.entrySet()) {
      entry.getValue().destroy();
    }
    try {
      long deadline = System.nanoTime() + grace.toNanos();
      for (Process process : processes.values()) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !process.waitFor(left, TimeUnit.NANOSECONDS)) {
          process.destroyForcibly();
        }
      }
      finished.await(grace.toSeconds() + 10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (neverStarted || status.isTerminal()) {
      return false;
    }
    // What is still "running" was stopped: app containers as a graceful exit, processes as killed.
    for (Container container : pod.getSpec().getContainers()) {
      if (status.isRunning(container.getName(), false)) {
        boolean app = !runtime.isRunnerImage(container.getImage());
        status.terminated(
            container,
            false,
            app && phaseReason == null ? 0 : 137,
            app && phaseReason == null ? "Completed" : "Error",
            null,
            status.status(container.getName(), false).getState().getRunning().getStartedAt());
      }
    }
    status.phase(
        phaseReason == null && status.allSucceeded() ? "Succeeded" : "Failed",
        phaseReason,
        phaseMessage);
    finish();
    return true;
  }

  private void deadlineExceeded(long seconds) {
    if (status.isTerminal() || stopped()) {
      return;
    }
    runtime.events.warn(
        namespace, name, "active deadline of " + seconds + "s exceeded, killing the pod");
    stop(
        "deadline",
        runtime.options.maxKillGrace(),
        "DeadlineExceeded",
        "Pod was active on the node longer than the specified deadline");
  }

  private void finish() {
    status.refreshReadiness();
    report();
    runtime.events.info(namespace, name, "phase " + status.phase());
  }

  boolean isTerminal() {
    return status.isTerminal();
  }

  /** Writes the status; a vanished pod is not an error. */
  private void report() {
    String patch = status.toPatch();
    for (int attempt = 1; ; attempt++) {
      try {
        runtime
            .client
            .pods()
            .inNamespace(namespace)
            .withName(name)
            .subresource("status")
            .patch(PatchContext.of(PatchType.STRATEGIC_MERGE), patch);
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404) {
          return;
        }
        if (attempt >= 3) {
          runtime.events.warn(namespace, name, "status update failed: " + e.getMessage());
          return;
        }
        runtime.sleep(Duration.ofMillis(200L * attempt));
      }
    }
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }
}
