package dev.strata.e2e.support.kubelet;

import dev.strata.e2e.support.ControlPlane;
import dev.strata.e2e.support.LogTail;
import dev.strata.e2e.support.RunnerLaunch;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A kubelet and scheduler stand-in for a local control plane without a container runtime. It
 * registers fake, heartbeating Nodes; binds pending pods to them; provisions hostPath volumes for
 * claims; and runs pods: a container of Strata's runner image ({@code
 * ghcr.io/strata-dev/strata-runner}) is a real local {@code strata} process with the pod's env and
 * volumes bind-mounted at their mount paths in a private mount namespace; any other image is a
 * long-running app container. Statuses are written as a kubelet writes them, so the Job and
 * garbage-collector controllers see the real sequence.
 *
 * <p>Mount points missing on the host (e.g. {@code /data}, {@code /dev/termination-log}) are
 * created on the host because the file system is shared across mount namespaces; they are removed
 * on {@link #close()} if still empty. Not modelled: taints and tolerations, resources, probes,
 * image pulls, {@code kubectl logs/exec} (read logs with {@link #containerLog}), network namespaces
 * (every pod has IP 127.0.0.1).
 */
public final class KubeletStandIn implements AutoCloseable, dev.strata.e2e.support.VolumeHost {

  public static final String RUNNER_IMAGE = "ghcr.io/strata-dev/strata-runner";

  /**
   * Settings. {@code maxRestarts} bounds restarts of a failing container under OnFailure/Always;
   * {@code maxKillGrace} caps a deleted pod's termination grace period.
   */
  public record Options(
      KubernetesClient client,
      Path workDir,
      List<String> nodeNames,
      RunnerLaunch runner,
      String apiHost,
      int apiPort,
      String kubeletVersion,
      int maxConcurrentPods,
      int maxRestarts,
      Duration maxKillGrace,
      String runnerImage) {

    /**
     * Nodes node-a and node-b, the runner found by {@link RunnerLaunch#detect()}, data under the
     * control plane.
     */
    public static Options defaults(ControlPlane controlPlane) {
      return new Options(
          controlPlane.client(),
          controlPlane.workDir().resolve("kubelet"),
          List.of("node-a", "node-b"),
          RunnerLaunch.detect(),
          "127.0.0.1",
          controlPlane.apiServerPort(),
          controlPlane.kubernetesVersion(),
          8,
          5,
          Duration.ofSeconds(5),
          RUNNER_IMAGE);
    }

    public Options withNodeNames(List<String> names) {
      return new Options(
          client,
          workDir,
          names,
          runner,
          apiHost,
          apiPort,
          kubeletVersion,
          maxConcurrentPods,
          maxRestarts,
          maxKillGrace,
          runnerImage);
    }

    public Options withRunner(RunnerLaunch launch) {
      return new Options(
          client,
          workDir,
          nodeNames,
          launch,
          apiHost,
          apiPort,
          kubeletVersion,
          maxConcurrentPods,
          maxRestarts,
          maxKillGrace,
          runnerImage);
    }
  }

  private final Options options;
  private final EventLog events = new EventLog();
  private final Map<String, PodWorker> workers = new ConcurrentHashMap<>();
  private final Map<String, String> nodeOfPod = new ConcurrentHashMap<>();
  private final Set<String> terminating = ConcurrentHashMap.newKeySet();
  private final HostMountPoints hostMountPoints = new HostMountPoints();
  private final AtomicInteger heartbeats = new AtomicInteger();
  private final ExecutorService podPool;
  private final ExecutorService control;
  private final ScheduledExecutorService timers;
  private FakeNodes nodes;
  private VolumeProvisioner provisioner;
  private StandInRuntime runtime;
  private PodScheduler scheduler;
  private SharedIndexInformer<Pod> pods;
  private volatile boolean closed;

  private KubeletStandIn(Options options) {
    this.options = options;
    this.podPool =
        Executors.newFixedThreadPool(options.maxConcurrentPods(), threads("stand-in-pod"));
    this.control = Executors.newFixedThreadPool(4, threads("stand-in-control"));
    this.timers = Executors.newScheduledThreadPool(1, threads("stand-in-timer"));
  }

  /** Registers the nodes and starts watching claims and pods. */
  public static KubeletStandIn start(Options options) {
    MountNamespaceLauncher.checkAvailable();
    KubeletStandIn standIn = new KubeletStandIn(options);
    try {
      standIn.startAll();
      return standIn;
    } catch (RuntimeException e) {
      standIn.close();
      throw e;
    }
  }

  private void startAll() {
    try {
      Files.createDirectories(options.workDir());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    KubernetesClient client = options.client();
    nodes = new FakeNodes(client, options.nodeNames(), options.kubeletVersion(), events);
    nodes.register();
    // Leases every 10 s (what the node lifecycle controller reads); the Ready condition's heartbeat
    // every minute.
    timers.scheduleWithFixedDelay(
        () -> nodes.heartbeat(heartbeats.incrementAndGet() % 6 == 0), 10, 10, TimeUnit.SECONDS);
    provisioner =
        new VolumeProvisioner(client, options.workDir().resolve("volumes"), events, control);
    provisioner.start();
    ObjectLookup lookup = ObjectLookup.of(client);
    runtime =
        new StandInRuntime(
            options,
            events,
            new PodVolumes(client, provisioner, lookup, FakeNodes.HOST_IP),
            new EnvResolver(lookup, FakeNodes.HOST_IP, FakeNodes.ALLOCATABLE),
            new MountNamespaceLauncher(hostMountPoints),
            control,
            timers);
    scheduler = new PodScheduler(client, nodes, runtime, this::activePodsOn);
    pods =
        client
            .pods()
            .inAnyNamespace()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Pod pod) {
                    control.submit(() -> dispatch(pod));
                  }

                  @Override
                  public void onUpdate(Pod old, Pod pod) {
                    control.submit(() -> dispatch(pod));
                  }

                  @Override
                  public void onDelete(Pod pod, boolean unknown) {
                    control.submit(() -> forget(pod));
                  }
                },
                30_000);
    events.info(
        null,
        "kubelet stand-in",
        "started with nodes " + options.nodeNames() + ", runner " + options.runner().describe());
  }

  private void dispatch(Pod pod) {
    if (closed) {
      return;
    }
    try {
      String uid = pod.getMetadata().getUid();
      String nodeName = pod.getSpec().getNodeName();
      if (pod.getMetadata().getDeletionTimestamp() != null) {
        if (nodes.owns(nodeName) && terminating.add(uid)) {
          terminateAndDelete(pod);
        }
        return;
      }
      if (nodeName == null || nodeName.isEmpty()) {
        scheduler.enqueue(pod);
        return;
      }
      if (!nodes.owns(nodeName)) {
        return;
      }
      nodeOfPod.put(uid, nodeName);
      String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
      if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
        return;
      }
      workers.computeIfAbsent(
          uid,
          key -> {
            PodWorker worker = new PodWorker(runtime, pod);
            events.info(
                pod.getMetadata().getNamespace(),
                pod.getMetadata().getName(),
                "starting on " + nodeName);
            podPool.submit(worker);
            return worker;
          });
    } catch (RuntimeException e) {
      events.warn(
          pod.getMetadata().getNamespace(), pod.getMetadata().getName(), "dispatch failed: " + e);
    }
  }

  /**
   * As a kubelet does for a pod with a deletionTimestamp: stop it, report it, delete it with grace
   * 0.
   */
  private void terminateAndDelete(Pod pod) {
    String namespace = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    long requested =
        pod.getMetadata().getDeletionGracePeriodSeconds() == null
            ? 30
            : pod.getMetadata().getDeletionGracePeriodSeconds();
    Duration grace = Duration.ofSeconds(Math.min(requested, options.maxKillGrace().toSeconds()));
    PodWorker worker = workers.get(pod.getMetadata().getUid());
    if (worker != null) {
      worker.stop("deleted", grace, null, null);
    }
    try {
      options.client().pods().inNamespace(namespace).withName(name).withGracePeriod(0).delete();
      events.info(namespace, name, "deleted (grace " + grace.toSeconds() + "s)");
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        events.warn(namespace, name, "delete failed: " + e.getMessage());
        terminating.remove(pod.getMetadata().getUid());
      }
    }
  }

  private void forget(Pod pod) {
    String uid = pod.getMetadata().getUid();
    PodWorker worker = workers.remove(uid);
    if (worker != null && !worker.isTerminal()) {
      worker.stop(
          "gone", options.maxKillGrace(), null, null); // force-deleted without a grace period
    }
    terminating.remove(uid);
    nodeOfPod.remove(uid);
  }

  private int activePodsOn(String nodeName) {
    int count = 0;
    for (Map.Entry<String, String> entry : nodeOfPod.entrySet()) {
      PodWorker worker = workers.get(entry.getKey());
      if (nodeName.equals(entry.getValue()) && worker != null && !worker.isTerminal()) {
        count++;
      }
    }
    return count;
  }

  @Override
  public Path hostPathOf(String namespace, String claimName) {
    return provisioner.hostPathOf(namespace, claimName, Duration.ofSeconds(60));
  }

  /** The log of the latest run of a container ("" when it never ran). */
  public String containerLog(String namespace, String podName, String container) {
    Path dir = containerDir(namespace, podName, container);
    if (dir == null) {
      return "";
    }
    Path latest = latestLog(dir);
    try {
      return latest == null ? "" : Files.readString(latest);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public List<String> nodeNames() {
    return nodes.names();
  }

  /**
   * The stand-in's last events for {@code namespace} (all if null) and the log tails of its
   * containers.
   */
  public String diagnostics(String namespace, int lines) {
    StringBuilder out =
        new StringBuilder("---- kubelet stand-in events")
            .append(namespace == null ? "" : " in " + namespace)
            .append(" ----\n");
    events.last(lines, namespace).forEach(line -> out.append(line).append('\n'));
    Path podsDir = options.workDir().resolve("pods");
    Path scope = namespace == null ? podsDir : podsDir.resolve(namespace);
    if (Files.isDirectory(scope)) {
      try (Stream<Path> files = Files.walk(scope)) {
        List<Path> logs = files.filter(p -> p.toString().endsWith(".log")).sorted().toList();
        for (Path log : logs) {
          out.append("---- container log ")
              .append(podsDir.relativize(log))
              .append(" ----\n")
              .append(LogTail.lastLines(log, 20))
              .append('\n');
        }
      } catch (IOException e) {
        out.append("(cannot list container logs: ").append(e.getMessage()).append(")\n");
      }
    }
    return out.toString();
  }

  private Path containerDir(String namespace, String podName, String container) {
    Path nsDir = options.workDir().resolve("pods").resolve(namespace);
    if (!Files.isDirectory(nsDir)) {
      return null;
    }
    try (Stream<Path> dirs = Files.list(nsDir)) {
      return dirs.filter(
              d ->
                  d.getFileName().toString().startsWith(podName + "-")
                      && d.getFileName().toString().length() == podName.length() + 9)
          .map(d -> d.resolve("containers").resolve(container))
          .filter(Files::isDirectory)
          .max(Comparator.comparing(KubeletStandIn::modified))
          .orElse(null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path latestLog(Path containerDir) {
    try (Stream<Path> files = Files.list(containerDir)) {
      return files
          .filter(p -> p.getFileName().toString().matches("\\d+\\.log"))
          .max(
              Comparator.comparingInt(
                  p -> Integer.parseInt(p.getFileName().toString().replace(".log", ""))))
          .orElse(null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static java.nio.file.attribute.FileTime modified(Path path) {
    try {
      return Files.getLastModifiedTime(path);
    } catch (IOException e) {
      return java.nio.file.attribute.FileTime.fromMillis(0);
    }
  }

  /**
   * Stops watching, kills every container process, and removes the mount points it created on the
   * host.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (pods != null) {
      pods.close();
    }
    if (provisioner != null) {
      provisioner.close();
    }
    List<PodWorker> all = new ArrayList<>(workers.values());
    all.stream()
        .filter(Objects::nonNull)
        .forEach(
            w ->
                control.submit(
                    () -> w.stop("stand-in closing", Duration.ofSeconds(2), null, null)));
    control.shutdown();
    try {
      control.awaitTermination(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    podPool.shutdownNow();
    timers.shutdownNow();
    hostMountPoints.removeCreated();
    events.info(null, "kubelet stand-in", "stopped");
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger counter = new AtomicInteger();
    return r -> {
      Thread thread = new Thread(r, prefix + "-" + counter.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
