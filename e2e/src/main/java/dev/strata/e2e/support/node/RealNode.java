package dev.strata.e2e.support.node;

import dev.strata.e2e.support.CommandResult;
import dev.strata.e2e.support.ControlPlane;
import dev.strata.e2e.support.FreePorts;
import dev.strata.e2e.support.ManagedProcess;
import dev.strata.e2e.support.Tools;
import dev.strata.e2e.support.VolumeHost;
import dev.strata.e2e.support.Waits;
import dev.strata.e2e.support.kubelet.VolumeProvisioner;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kubernetes node on this machine, beside a {@link ControlPlane}: containerd (Debian's, on
 * its own socket and directories) with runc and the CNI bridge, a kubelet, kube-scheduler,
 * kube-proxy (iptables) and CoreDNS, and the images of {@code images/} imported from {@code
 * images/build-test-images.sh}'s tarball. Pods get addresses in {@link #POD_CIDR} on the bridge
 * {@link #CNI_BRIDGE}; the node's address {@link #NODE_IP} (TEST-NET-1) is on an interface of its
 * own, {@link #NODE_LINK}; pods have routes only to the test ranges. Claims get {@code local}
 * volumes on this node ({@link VolumeProvisioner#forNode}).
 *
 * <p>One node at a time per machine: kube-proxy's iptables chains have fixed names in the host's
 * network namespace, so a second node would fight the first. A second test JVM waits on the
 * machine-wide lock {@link #LOCK} (saying so every 30 s, up to {@code strata.e2e.nodeLockMinutes},
 * default 30) and then fails with a message naming the holder; it never touches the running node.
 * Everything the node changes on the host is recorded first and put back by {@link #close()}, or by
 * the next start if the JVM was killed ({@link HostChanges}).
 */
public final class RealNode implements AutoCloseable, VolumeHost {

  private static final Logger LOG = LoggerFactory.getLogger(RealNode.class);

  public static final String NODE_NAME = "strata-node";
  public static final String NODE_IP = "192.0.2.10";
  public static final String POD_CIDR = "198.18.10.0/24";
  public static final String SERVICE_CIDR = "198.19.10.0/24";
  public static final String KUBERNETES_SERVICE_IP = "198.19.10.1";
  static final String NODE_LINK = "strata-node0";
  static final String CNI_BRIDGE = "strata-cni0";
  static final Path STATE = Path.of("/var/lib/strata-node");
  static final Path RUN = Path.of("/run/strata-node");
  static final String CGROUP_ROOT = "strata-node";
  static final Path CONTAINERD_SOCKET = RUN.resolve("containerd/containerd.sock");
  static final Path LOCK = Path.of("/run/strata-node.lock");

  /**
   * The network a control plane for this node serves on: all addresses (pods reach it at the
   * node's), 198.19.10.0/24.
   */
  public static final ControlPlane.Network CONTROL_PLANE_NETWORK =
      new ControlPlane.Network("0.0.0.0", SERVICE_CIDR, KUBERNETES_SERVICE_IP, List.of(NODE_IP));

  private final ControlPlane plane;
  private final Tools tools;
  private final List<ManagedProcess> processes = new ArrayList<>();
  private final ExecutorService control =
      Executors.newFixedThreadPool(
          2,
          r -> {
            Thread t = new Thread(r, "real-node-volumes");
            t.setDaemon(true);
            return t;
          });
  private FileChannel lockChannel;
  private FileLock lock;
  private VolumeProvisioner provisioner;
  private boolean closed;

  private RealNode(ControlPlane plane) {
    this.plane = plane;
    this.tools = plane.tools();
  }

  /**
   * Starts the node for {@code plane} (started with {@link #CONTROL_PLANE_NETWORK}) and imports the
   * images of {@code imagesTar}; returns once the node is Ready and cluster DNS answers.
   */
  public static RealNode start(ControlPlane plane, Path imagesTar) {
    RealNode node = new RealNode(plane);
    try {
      node.startAll(imagesTar);
      return node;
    } catch (RuntimeException e) {
      LOG.error(
          "real node start failed: {}; last log lines:\n{}", e.getMessage(), node.diagnostics(30));
      node.close();
      throw e;
    }
  }

  private void startAll(Path imagesTar) {
    long started = System.nanoTime();
    for (String binary :
        List.of(
            "/usr/bin/containerd",
            "/usr/sbin/runc",
            "/usr/bin/ctr",
            "/usr/lib/cni/bridge",
            "/usr/sbin/iptables",
            "/usr/sbin/conntrack")) {
      if (!Files.isExecutable(Path.of(binary))
          && !Files.isExecutable(Path.of(binary.replace("/sbin/", "/bin/")))) {
        throw new IllegalStateException(
            binary
                + " is missing: the real node needs Debian's containerd, runc, "
                + "containernetworking-plugins, iptables and conntrack (apt-get install containerd runc "
                + "containernetworking-plugins iptables conntrack; .ci/run installs them)");
      }
    }
    tools.require(Tools.KUBELET);
    tools.require(Tools.KUBE_SCHEDULER);
    tools.require(Tools.KUBE_PROXY);
    tools.require(Tools.COREDNS);
    acquireLock();
    if (HostChanges.leftOver()) {
      LOG.warn(
          "a test node's host changes were left behind (its JVM was killed): putting them back first");
      List<String> problems = HostChanges.restore();
      if (!problems.isEmpty()) {
        throw new IllegalStateException(
            "cannot put back what an earlier test node left: " + problems);
      }
    }
    HostChanges.record();
    try {
      Files.createDirectories(STATE);
      Files.createDirectories(RUN.resolve("containerd"));
      Files.createDirectories(STATE.resolve("cni/net.d"));
      Files.createDirectories(STATE.resolve("volumes"));
      Files.createDirectories(logs());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    sh(
        "ip link add "
            + NODE_LINK
            + " type bridge && ip addr add "
            + NODE_IP
            + "/32 dev "
            + NODE_LINK
            + " && ip link set "
            + NODE_LINK
            + " up");
    for (String controller :
        List.of(
            "cpu",
            "cpuacct",
            "cpuset",
            "memory",
            "pids",
            "devices",
            "freezer",
            "blkio",
            "systemd",
            "hugetlb",
            "net_cls",
            "net_prio",
            "perf_event")) {
      Path dir = Path.of("/sys/fs/cgroup", controller);
      if (Files.isDirectory(dir)) {
        try {
          Files.createDirectories(dir.resolve(CGROUP_ROOT));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    if (Files.isRegularFile(Path.of("/sys/fs/cgroup/cpuset/cpuset.cpus"))) {
      // A new cpuset cgroup starts with no CPUs and memory nodes; give it its parent's.
      for (String file : List.of("cpuset.cpus", "cpuset.mems")) {
        HostChanges.write(
            Path.of("/sys/fs/cgroup/cpuset", CGROUP_ROOT, file),
            HostChanges.read(Path.of("/sys/fs/cgroup/cpuset", file)));
      }
    }

    startContainerd();
    long t = System.nanoTime();
    CommandResult imported =
        CommandResult.run(
            List.of(
                "/usr/bin/ctr",
                "-a",
                CONTAINERD_SOCKET.toString(),
                "-n",
                "k8s.io",
                "images",
                "import",
                imagesTar.toString()),
            Map.of(),
            Duration.ofMinutes(5));
    if (imported.exitCode() != 0) {
      throw new IllegalStateException(
          "ctr images import " + imagesTar + " failed: " + imported.stderr());
    }
    LOG.info("images imported into the node's containerd in {} ms", millis(t));

    startKubelet();
    KubernetesClient client = plane.client();
    Waits.until(
        "node " + NODE_NAME + " Ready",
        Duration.ofSeconds(120),
        Duration.ofMillis(300),
        () -> {
          checkAlive();
          Node node = client.nodes().withName(NODE_NAME).get();
          return node != null
              && node.getStatus() != null
              && node.getStatus().getConditions() != null
              && node.getStatus().getConditions().stream()
                  .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        });
    LOG.info("node {} Ready after {} ms", NODE_NAME, millis(started));
    Path admin = plane.kubeconfig();
    launch(
        "kube-scheduler",
        List.of(
            tools.require(Tools.KUBE_SCHEDULER).toString(),
            "--kubeconfig=" + admin,
            "--authentication-kubeconfig=" + admin,
            "--authorization-kubeconfig=" + admin,
            "--leader-elect=false",
            "--bind-address=127.0.0.1",
            "--secure-port=" + FreePorts.next()));
    startKubeProxy(admin);
    startCoreDns(admin);
    // The API server for pods: the "kubernetes" Service's endpoint (no reconciler runs) at the
    // node's address.
    exposeHostService("default", "kubernetes", "https", 443, plane.apiServerPort());
    provisioner = VolumeProvisioner.forNode(client, STATE.resolve("volumes"), NODE_NAME, control);
    LOG.info(
        "real node ready in {} ms (containerd, kubelet, kube-scheduler, kube-proxy, CoreDNS)",
        millis(started));
  }

  /**
   * The node of this JVM, if one runs: a second one must not even open the lock file (see
   * acquireLock).
   */
  private static RealNode running;

  /**
   * The machine's lock, kept by a node closed for a replacement until the next node of this JVM
   * starts.
   */
  private static FileLock handedOver;

  private void acquireLock() {
    // POSIX record locks belong to the process, and closing any descriptor of the file drops them
    // all: so a second node
    // of this JVM fails at once, before it opens the file, and the holder is read through the
    // channel that locks it.
    synchronized (RealNode.class) {
      if (running != null) {
        throw new IllegalStateException(
            "A real node already runs in this JVM; one node at a time per machine. Use"
                + " RealClusterExtension, which shares one cluster per JVM.");
      }
      running = this;
      if (handedOver != null) {
        // The node this one replaces kept the machine's lock for it (closeForReplacement): no other
        // JVM's node came between.
        lockChannel = handedOver.channel();
        lock = handedOver;
        handedOver = null;
        return;
      }
    }
    long minutes = Long.getLong("strata.e2e.nodeLockMinutes", 30);
    long deadline = System.nanoTime() + Duration.ofMinutes(minutes).toNanos();
    long nextNote = 0;
    try {
      lockChannel =
          FileChannel.open(
              LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
      while ((lock = tryLock()) == null) {
        java.nio.ByteBuffer text = java.nio.ByteBuffer.allocate(512);
        lockChannel.read(text, 0);
        String holder = new String(text.array(), 0, text.position()).trim();
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "Another test node runs on this machine ("
                  + holder
                  + ", lock "
                  + LOCK
                  + ") and did not stop within "
                  + minutes
                  + " minutes. One real node runs at a time per machine "
                  + "(kube-proxy's iptables chains are machine-wide); wait for that test run, or raise -Dstrata.e2e.nodeLockMinutes.");
        }
        if (System.nanoTime() > nextNote) {
          LOG.warn(
              "another test node runs on this machine ({}); waiting for {} (one node at a time per machine)",
              holder,
              LOCK);
          nextNote = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        }
        Waits.sleep(Duration.ofSeconds(1));
      }
      lockChannel.truncate(0);
      lockChannel.write(
          java.nio.ByteBuffer.wrap(
              ("pid " + ProcessHandle.current().pid() + " in " + System.getProperty("user.dir"))
                  .getBytes()),
          0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The lock, or null when another JVM holds it; a node of this JVM holding it counts as another
   * holder.
   */
  private FileLock tryLock() throws IOException {
    try {
      return lockChannel.tryLock();
    } catch (java.nio.channels.OverlappingFileLockException heldHere) {
      return null;
    }
  }

  private void startContainerd() {
    String config =
        String.join(
            "\n",
            "version = 2",
            "root = \"" + STATE.resolve("containerd") + "\"",
            "state = \"" + RUN.resolve("containerd-state") + "\"",
            "disabled_plugins = [\"io.containerd.snapshotter.v1.btrfs\", \"io.containerd.snapshotter.v1.zfs\","
                + " \"io.containerd.snapshotter.v1.aufs\", \"io.containerd.snapshotter.v1.devmapper\"]",
            "[grpc]",
            "  address = \"" + CONTAINERD_SOCKET + "\"",
            "[ttrpc]",
            "  address = \"" + RUN.resolve("containerd/containerd.sock.ttrpc") + "\"",
            "[debug]",
            "  address = \"\"",
            "[plugins.\"io.containerd.internal.v1.opt\"]",
            "  path = \"" + STATE.resolve("opt") + "\"",
            "[plugins.\"io.containerd.grpc.v1.cri\"]",
            "  sandbox_image = \"strata.local/pause:" + tools.version("pause.version") + "\"",
            // Root in this VM lacks CAP_SYS_RESOURCE: without this every sandbox fails ("can't get
            // final child's PID").
            "  restrict_oom_score_adj = true",
            "  enable_selinux = false",
            "  [plugins.\"io.containerd.grpc.v1.cri\".containerd]",
            "    snapshotter = \"overlayfs\"",
            "    default_runtime_name = \"runc\"",
            "    [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc]",
            "      runtime_type = \"io.containerd.runc.v2\"",
            "      [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]",
            "        SystemdCgroup = false",
            "        Root = \"" + RUN.resolve("runc") + "\"",
            "  [plugins.\"io.containerd.grpc.v1.cri\".cni]",
            "    bin_dir = \"/usr/lib/cni\"",
            "    conf_dir = \"" + STATE.resolve("cni/net.d") + "\"",
            "");
    String cni =
        """
        {"cniVersion": "0.4.0", "name": "strata-node", "plugins": [
          {"type": "bridge", "bridge": "%s", "isGateway": true, "ipMasq": false, "hairpinMode": true,
           "ipam": {"type": "host-local", "dataDir": "%s",
                    "ranges": [[{"subnet": "%s"}]],
                    "routes": [{"dst": "192.0.2.0/24"}, {"dst": "198.18.0.0/15"}]}}
        ]}
        """
            .formatted(CNI_BRIDGE, STATE.resolve("cni/ipam"), POD_CIDR);
    write(STATE.resolve("containerd.toml"), config);
    write(STATE.resolve("cni/net.d/10-strata-node.conflist"), cni);
    ManagedProcess containerd =
        launch(
            "containerd",
            List.of(
                "/usr/bin/containerd",
                "--config",
                STATE.resolve("containerd.toml").toString(),
                "--log-level",
                "warn"));
    containerd.awaitReady(
        Duration.ofSeconds(60),
        () ->
            Files.exists(CONTAINERD_SOCKET)
                && CommandResult.run(
                            List.of("/usr/bin/ctr", "-a", CONTAINERD_SOCKET.toString(), "version"),
                            Map.of(),
                            Duration.ofSeconds(10))
                        .exitCode()
                    == 0);
  }

  private void startKubelet() {
    Path kubeconfig = plane.kubeconfigFor("kubelet", "system:node:" + NODE_NAME, "system:nodes");
    String config =
        String.join(
            "\n",
            "apiVersion: kubelet.config.k8s.io/v1beta1",
            "kind: KubeletConfiguration",
            "address: " + NODE_IP,
            "port: " + FreePorts.next(),
            "readOnlyPort: 0",
            "healthzBindAddress: 127.0.0.1",
            "healthzPort: " + FreePorts.next(),
            "authentication:",
            "  anonymous: {enabled: false}",
            "  webhook: {enabled: true}",
            "  x509: {clientCAFile: " + plane.caCertificate() + "}",
            "authorization: {mode: Webhook}",
            "cgroupDriver: cgroupfs",
            "cgroupRoot: /" + CGROUP_ROOT,
            "failCgroupV1: false",
            "failSwapOn: false",
            "oomScoreAdj: 0",
            "containerRuntimeEndpoint: unix://" + CONTAINERD_SOCKET,
            "clusterDNS: [" + NODE_IP + "]",
            "clusterDomain: cluster.local",
            "resolvConf: \"\"",
            "podLogsDir: " + STATE.resolve("pod-logs"),
            "evictionHard: {nodefs.available: \"1%\", imagefs.available: \"1%\", memory.available: \"100Mi\"}",
            "imageGCHighThresholdPercent: 100",
            "imageGCLowThresholdPercent: 99",
            "nodeStatusUpdateFrequency: 4s",
            "nodeStatusReportFrequency: 10s",
            "syncFrequency: 5s",
            "serializeImagePulls: false",
            "volumePluginDir: " + STATE.resolve("volume-plugins"),
            "");
    write(STATE.resolve("kubelet.yaml"), config);
    launch(
        "kubelet",
        List.of(
            tools.require(Tools.KUBELET).toString(),
            "--config=" + STATE.resolve("kubelet.yaml"),
            "--kubeconfig=" + kubeconfig,
            "--root-dir=" + STATE.resolve("kubelet"),
            "--cert-dir=" + STATE.resolve("kubelet-pki"),
            "--hostname-override=" + NODE_NAME,
            "--node-ip=" + NODE_IP,
            "--v=1"));
  }

  private void startKubeProxy(Path kubeconfig) {
    String config =
        String.join(
            "\n",
            "apiVersion: kubeproxy.config.k8s.io/v1alpha1",
            "kind: KubeProxyConfiguration",
            "clientConnection: {kubeconfig: " + kubeconfig + "}",
            "mode: iptables",
            "hostnameOverride: " + NODE_NAME,
            "clusterCIDR: " + POD_CIDR,
            "bindAddress: " + NODE_IP,
            "healthzBindAddress: 127.0.0.1:" + FreePorts.next(),
            "metricsBindAddress: 127.0.0.1:" + FreePorts.next(),
            "nodePortAddresses: [" + NODE_IP + "/32]",
            // Leave the machine's conntrack sysctls as they are.
            "conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}",
            // No route_localnet: node ports are not served on 127.0.0.1.
            "iptables: {localhostNodePorts: false, syncPeriod: 10s, minSyncPeriod: 0s}",
            "");
    write(STATE.resolve("kube-proxy.yaml"), config);
    launch(
        "kube-proxy",
        List.of(
            tools.require(Tools.KUBE_PROXY).toString(),
            "--config=" + STATE.resolve("kube-proxy.yaml")));
  }

  private void startCoreDns(Path kubeconfig) {
    String corefile =
        String.join(
            "\n",
            ".:53 {",
            "    bind " + NODE_IP,
            "    errors",
            "    kubernetes cluster.local in-addr.arpa ip6.arpa {",
            "        kubeconfig " + kubeconfig + " strata-e2e",
            "        pods insecure",
            "        ttl 5",
            "    }",
            "    cache 5",
            "}",
            "");
    write(STATE.resolve("Corefile"), corefile);
    ManagedProcess dns =
        launch(
            "coredns",
            List.of(
                tools.require(Tools.COREDNS).toString(),
                "-conf",
                STATE.resolve("Corefile").toString()));
    dns.awaitReady(Duration.ofSeconds(60), () -> dns.tail(50).contains("CoreDNS-"));
  }

  /**
   * A Service without selector in {@code namespace} whose endpoint is a server of the test on this
   * machine, listening on the node's address at {@code targetPort}: pods reach it by name through
   * cluster DNS and kube-proxy.
   */
  public void exposeHostService(
      String namespace, String name, String portName, int port, int targetPort) {
    KubernetesClient client = plane.client();
    if (client.namespaces().withName(namespace).get() == null) {
      client
          .namespaces()
          .resource(
              new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
          .create();
    }
    if (client.services().inNamespace(namespace).withName(name).get() == null) {
      client
          .services()
          .inNamespace(namespace)
          .resource(
              new ServiceBuilder()
                  .withNewMetadata()
                  .withName(name)
                  .endMetadata()
                  .withNewSpec()
                  .addNewPort()
                  .withName(portName)
                  .withPort(port)
                  .withProtocol("TCP")
                  .withNewTargetPort(targetPort)
                  .endPort()
                  .endSpec()
                  .build())
          .create();
    }
    client
        .endpoints()
        .inNamespace(namespace)
        .resource(
            new EndpointsBuilder()
                .withNewMetadata()
                .withName(name)
                .addToLabels("endpointslice.kubernetes.io/skip-mirror", "true")
                .endMetadata()
                .addNewSubset()
                .addNewAddress()
                .withIp(NODE_IP)
                .endAddress()
                .addNewPort()
                .withName(portName)
                .withPort(targetPort)
                .withProtocol("TCP")
                .endPort()
                .endSubset()
                .build())
        .serverSideApply();
    client
        .discovery()
        .v1()
        .endpointSlices()
        .inNamespace(namespace)
        .resource(
            new EndpointSliceBuilder()
                .withNewMetadata()
                .withName(name + "-host")
                .addToLabels("kubernetes.io/service-name", name)
                .addToLabels("endpointslice.kubernetes.io/managed-by", "strata-e2e")
                .endMetadata()
                .withAddressType("IPv4")
                .addNewEndpoint()
                .withAddresses(NODE_IP)
                .withNewConditions()
                .withReady(true)
                .endConditions()
                .endEndpoint()
                .addNewPort()
                .withName(portName)
                .withPort(targetPort)
                .withProtocol("TCP")
                .endPort()
                .build())
        .serverSideApply();
  }

  @Override
  public Path hostPathOf(String namespace, String claimName) {
    return provisioner.hostPathOf(namespace, claimName);
  }

  /** Fails when a component of the node has died. */
  public void checkAlive() {
    for (ManagedProcess process : processes) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            process.name()
                + " of the real node is not running. Last log lines of "
                + process.logFile()
                + ":\n"
                + process.tail(40));
      }
    }
  }

  /** The last lines of every component's log, for failure reports. */
  public String diagnostics(int lines) {
    return ManagedProcess.tails(processes, lines);
  }

  /**
   * The local volumes every node of this machine provisioned (a stopped node's stay, as a disk
   * would).
   */
  public static Path volumesDir() {
    return STATE.resolve("volumes");
  }

  /**
   * Deletes every volume a node of this machine provisioned, as when the node's disk is lost; only
   * while no node runs.
   */
  static void deleteVolumes() {
    synchronized (RealNode.class) {
      if (running != null) {
        throw new IllegalStateException("a real node runs: its volumes are in use");
      }
    }
    if (!Files.isDirectory(volumesDir())) {
      return;
    }
    try (var paths = Files.walk(volumesDir())) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        if (!p.equals(volumesDir())) {
          Files.delete(p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the node's volumes in " + volumesDir(), e);
    }
  }

  /** The logs of a pod's containers as the kubelet keeps them (every run), for failure reports. */
  public Path podLogs() {
    return STATE.resolve("pod-logs");
  }

  private Path logs() {
    return plane.workDir().resolve("logs/node");
  }

  private ManagedProcess launch(String name, List<String> command) {
    ManagedProcess process =
        new ManagedProcess(
            name,
            command,
            Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"),
            logs().resolve(name + ".log"));
    processes.add(process);
    return process.start();
  }

  private static void sh(String script) {
    CommandResult result =
        CommandResult.run(List.of("sh", "-c", script), Map.of(), Duration.ofSeconds(30));
    if (result.exitCode() != 0) {
      throw new IllegalStateException("`" + script + "` failed: " + result.stderr());
    }
  }

  private static void write(Path file, String content) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long millis(long since) {
    return (System.nanoTime() - since) / 1_000_000;
  }

  /**
   * Stops every component, then puts back everything the node changed on the host, and releases the
   * lock.
   */
  @Override
  public void close() {
    close(false);
  }

  /**
   * Like {@link #close()}, but the machine's lock stays with this JVM for the node that replaces
   * this one (a disaster-recovery test's second cluster), so that another JVM's node cannot start
   * in between. Everything else is put back as by close(). A JVM that ends before the next node
   * starts releases the lock with its process.
   */
  public void closeForReplacement() {
    close(true);
  }

  private synchronized void close(boolean keepLock) {
    if (closed) {
      return;
    }
    closed = true;
    long t = System.nanoTime();
    if (provisioner != null) {
      provisioner.close();
    }
    control.shutdownNow();
    for (int i = processes.size() - 1; i >= 0; i--) {
      processes.get(i).stop(Duration.ofSeconds(5));
    }
    if (lock == null && lockChannel != null) {
      try {
        lockChannel.close();
      } catch (IOException e) {
        LOG.warn("cannot close {}: {}", LOCK, e.getMessage());
      }
    }
    if (lock != null) {
      List<String> problems = HostChanges.restore();
      if (!problems.isEmpty()) {
        LOG.warn(
            "the real node could not put back everything: {} (the next start tries again)",
            problems);
      }
      if (keepLock) {
        synchronized (RealNode.class) {
          handedOver = lock;
        }
      } else {
        try {
          lock.release();
          lockChannel.close();
        } catch (IOException e) {
          LOG.warn("cannot release {}: {}", LOCK, e.getMessage());
        }
      }
    }
    LOG.info("real node stopped and host changes put back in {} ms", millis(t));
    synchronized (RealNode.class) {
      if (running == this) {
        running = null;
      }
    }
  }
}
