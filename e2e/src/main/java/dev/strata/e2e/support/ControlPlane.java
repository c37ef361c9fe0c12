package dev.strata.e2e.support;

import dev.strata.e2e.support.kubelet.KubeletStandIn;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real, local Kubernetes control plane: etcd, kube-apiserver (RBAC on, client-certificate auth,
 * service-account tokens) and kube-controller-manager (all default controllers: Job, garbage
 * collector, namespace, service accounts, PV binder...). Everything listens on loopback, on free
 * ports, with its data in one temporary directory that {@link #close()} removes. Start it through
 * {@link ControlPlaneExtension} to share one per JVM.
 */
public final class ControlPlane implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ControlPlane.class);
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);

  /** Services' cluster IPs: in the benchmarking range 198.18.0.0/15, never a private range. */
  public static final String SERVICE_CIDR = "198.19.0.0/24";

  private static final String ISSUER = "https://kubernetes.default.svc.cluster.local";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Tools tools;
  private final Path workDir;
  private final List<String> extraApiServerArgs;
  private final Network network;
  private final List<ManagedProcess> processes = new ArrayList<>();
  private int apiServerPort;
  private Path kubeconfig;
  private Pki pki;
  private Pki.CertFiles adminCert;
  private KubernetesClient client;
  private KubeletStandIn kubelet;
  private Duration startupTime;
  private boolean closed;

  private ControlPlane(
      Tools tools, Path workDir, List<String> extraApiServerArgs, Network network) {
    this.tools = tools;
    this.workDir = workDir;
    this.extraApiServerArgs = List.copyOf(extraApiServerArgs);
    this.network = network;
  }

  /**
   * Where the API server serves: its bind address, the Services' range and the first address in it
   * (the {@code kubernetes} Service, named in the serving certificate), and more addresses the
   * certificate names.
   */
  public record Network(
      String bindAddress, String serviceCidr, String kubernetesServiceIp, List<String> extraIps) {
    static final Network LOOPBACK = new Network("127.0.0.1", SERVICE_CIDR, "198.19.0.1", List.of());
  }

  /** Starts the whole control plane and waits until it serves and its controllers work. */
  public static ControlPlane start() {
    return start(List.of());
  }

  /**
   * A control plane of its own whose kube-apiserver gets {@code extraApiServerArgs} after its usual
   * flags, for a test that needs a differently configured API server (an audit log, more admission
   * plugins). Files the flags name must exist before the call (its work directory does not yet).
   * The caller closes it: it is not the shared one.
   */
  public static ControlPlane start(List<String> extraApiServerArgs) {
    return start(extraApiServerArgs, Network.LOOPBACK);
  }

  /**
   * A control plane of its own serving on {@code network} (for a real node's pods); the caller
   * closes it.
   */
  public static ControlPlane start(List<String> extraApiServerArgs, Network network) {
    Tools tools = Tools.installed();
    // Resolve every binary first so that a missing one fails before anything starts.
    tools.require(Tools.ETCD);
    tools.require(Tools.KUBE_APISERVER);
    tools.require(Tools.KUBE_CONTROLLER_MANAGER);
    Path dir;
    try {
      dir = Files.createTempDirectory("strata-control-plane-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ControlPlane plane = new ControlPlane(tools, dir, extraApiServerArgs, network);
    try {
      plane.startAll();
      return plane;
    } catch (RuntimeException e) {
      plane.close();
      throw e;
    }
  }

  private void startAll() {
    long started = System.nanoTime();
    // etcd needs no certificates: let it boot while the keys are generated.
    int etcdPort = FreePorts.next();
    ManagedProcess etcd = startEtcd(etcdPort);
    pki = Pki.create(workDir.resolve("pki"));
    Pki.CertFiles serving =
        pki.serving(
            "apiserver",
            "kube-apiserver",
            List.of(
                "localhost",
                "kubernetes",
                "kubernetes.default",
                "kubernetes.default.svc",
                "kubernetes.default.svc.cluster.local"),
            java.util.stream.Stream.concat(
                    Stream.of("127.0.0.1", network.kubernetesServiceIp()),
                    network.extraIps().stream())
                .toList());
    adminCert = pki.client("admin", "strata-e2e-admin", "system:masters");
    Pki.CertFiles controllerManagerCert =
        pki.client("controller-manager", "system:kube-controller-manager", null);
    Pki.CertFiles serviceAccountKey = pki.serviceAccountKey();
    LOG.info("certificates and keys ready after {} ms", millisSince(started));
    etcd.awaitReady(
        Duration.ofSeconds(60),
        () -> httpGet("http://127.0.0.1:" + etcdPort + "/health").contains("\"health\":\"true\""));
    LOG.info("etcd ready on 127.0.0.1:{} after {} ms", etcdPort, millisSince(started));

    apiServerPort = FreePorts.next();
    ManagedProcess apiServer = startApiServer(etcdPort, serving, serviceAccountKey);
    kubeconfig = writeKubeconfig(workDir.resolve("admin.kubeconfig"), adminCert);
    client = new KubernetesClientBuilder().withConfig(clientConfig()).build();
    apiServer.awaitReady(Duration.ofSeconds(120), () -> "ok".equals(client.raw("/readyz")));
    LOG.info("kube-apiserver ready on {} after {} ms", apiServerUrl(), millisSince(started));

    Path controllerManagerConfig =
        writeKubeconfig(workDir.resolve("controller-manager.kubeconfig"), controllerManagerCert);
    ManagedProcess controllerManager =
        startControllerManager(controllerManagerConfig, serviceAccountKey);
    // The service-account controller creating "default" proves the controller manager is up and
    // authorised.
    controllerManager.awaitReady(
        Duration.ofSeconds(120),
        () ->
            client.namespaces().withName("default").get() != null
                && client.serviceAccounts().inNamespace("default").withName("default").get()
                    != null);
    startupTime = Duration.ofNanos(System.nanoTime() - started);
    LOG.info(
        "control plane ready in {} ms (Kubernetes {}, kubeconfig {})",
        startupTime.toMillis(),
        tools.version("kubernetes.version"),
        kubeconfig);
  }

  private ManagedProcess startEtcd(int clientPort) {
    int peerPort = FreePorts.next();
    String peer = "http://127.0.0.1:" + peerPort;
    String clientUrl = "http://127.0.0.1:" + clientPort;
    return launch(
        "etcd",
        List.of(
            tools.require(Tools.ETCD).toString(),
            "--name=strata-e2e",
            "--data-dir=" + workDir.resolve("etcd"),
            "--listen-client-urls=" + clientUrl,
            "--advertise-client-urls=" + clientUrl,
            "--listen-peer-urls=" + peer,
            "--initial-advertise-peer-urls=" + peer,
            "--initial-cluster=strata-e2e=" + peer,
            "--unsafe-no-fsync=true", // test data: durability is worthless, latency on a small disk
            // is not
            "--log-level=warn"));
  }

  private ManagedProcess startApiServer(
      int etcdPort, Pki.CertFiles serving, Pki.CertFiles serviceAccountKey) {
    List<String> command =
        new ArrayList<>(
            List.of(
                tools.require(Tools.KUBE_APISERVER).toString(),
                "--etcd-servers=http://127.0.0.1:" + etcdPort,
                "--bind-address=" + network.bindAddress(),
                "--advertise-address=127.0.0.1",
                "--secure-port=" + apiServerPort,
                // kubectl logs/exec on a real node; webhooks reached at their pods' addresses.
                "--kubelet-client-certificate=" + adminCert.cert(),
                "--kubelet-client-key=" + adminCert.key(),
                "--kubelet-preferred-address-types=InternalIP",
                "--enable-aggregator-routing=true",
                "--cert-dir=" + workDir.resolve("apiserver-certs"),
                "--tls-cert-file=" + serving.cert(),
                "--tls-private-key-file=" + serving.key(),
                "--client-ca-file=" + pki.caCert(),
                "--authorization-mode=Node,RBAC",
                "--service-account-issuer=" + ISSUER,
                "--service-account-key-file=" + serviceAccountKey.cert(),
                "--service-account-signing-key-file=" + serviceAccountKey.key(),
                "--service-cluster-ip-range=" + network.serviceCidr(),
                "--allow-privileged=true",
                // Endpoints may not point at loopback; the "kubernetes" Service has no reachable IP
                // here anyway.
                "--endpoint-reconciler-type=none",
                "--profiling=false"));
    command.addAll(extraApiServerArgs);
    return launch("kube-apiserver", command);
  }

  private ManagedProcess startControllerManager(
      Path kubeconfigFile, Pki.CertFiles serviceAccountKey) {
    return launch(
        "kube-controller-manager",
        List.of(
            tools.require(Tools.KUBE_CONTROLLER_MANAGER).toString(),
            "--kubeconfig=" + kubeconfigFile,
            "--authentication-kubeconfig=" + kubeconfigFile,
            "--authorization-kubeconfig=" + kubeconfigFile,
            "--bind-address=127.0.0.1",
            "--secure-port=" + FreePorts.next(),
            "--leader-elect=false",
            "--controllers=*",
            "--use-service-account-credentials=true",
            "--root-ca-file=" + pki.caCert(),
            "--service-account-private-key-file=" + serviceAccountKey.key(),
            "--cluster-signing-cert-file=" + pki.caCert(),
            "--cluster-signing-key-file=" + pki.caKey(),
            "--service-cluster-ip-range=" + network.serviceCidr(),
            "--cluster-name=strata-e2e",
            "--profiling=false"));
  }

  private ManagedProcess launch(String name, List<String> command) {
    ManagedProcess process =
        new ManagedProcess(name, command, Map.of(), workDir.resolve("logs/" + name + ".log"));
    processes.add(process);
    return process.start();
  }

  /**
   * A kubeconfig file for a new client certificate of {@code user} in {@code group} (may be null).
   */
  public Path kubeconfigFor(String name, String user, String group) {
    return writeKubeconfig(workDir.resolve(name + ".kubeconfig"), pki.client(name, user, group));
  }

  private Path writeKubeconfig(Path file, Pki.CertFiles user) {
    String yaml =
        String.join(
            "\n",
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "- name: strata-e2e",
            "  cluster:",
            "    server: " + apiServerUrl(),
            "    certificate-authority: " + pki.caCert(),
            "users:",
            "- name: user",
            "  user:",
            "    client-certificate: " + user.cert(),
            "    client-key: " + user.key(),
            "contexts:",
            "- name: strata-e2e",
            "  context:",
            "    cluster: strata-e2e",
            "    user: user",
            "    namespace: default",
            "current-context: strata-e2e",
            "");
    try {
      Files.writeString(file, yaml);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Config clientConfig() {
    // Config.empty() keeps ~/.kube/config and KUBECONFIG of the machine out of the tests.
    return new ConfigBuilder(Config.empty())
        .withMasterUrl(apiServerUrl())
        .withCaCertFile(pki.caCert().toString())
        .withClientCertFile(adminCert.cert().toString())
        .withClientKeyFile(adminCert.key().toString())
        .withClientKeyAlgo("RSA")
        .withNamespace("default")
        .withRequestTimeout(30_000)
        .withConnectionTimeout(10_000)
        .build();
  }

  private static String httpGet(String url) {
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
              HttpResponse.BodyHandlers.ofString());
      return response.body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }

  /** An admin client (group system:masters). Do not close it: the control plane owns it. */
  public KubernetesClient client() {
    return client;
  }

  /**
   * A new client authenticated as a service account, through a TokenRequest; the caller closes it.
   */
  public KubernetesClient clientAs(String namespace, String serviceAccount) {
    String token = serviceAccountToken(namespace, serviceAccount, Duration.ofHours(1));
    Config config =
        new ConfigBuilder(Config.empty())
            .withMasterUrl(apiServerUrl())
            .withCaCertFile(pki.caCert().toString())
            .withOauthToken(token)
            .withNamespace(namespace)
            .build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** A token for {@code namespace/serviceAccount} (which must exist) from the TokenRequest API. */
  public String serviceAccountToken(
      String namespace, String serviceAccount, Duration lifetime, String... audiences) {
    TokenRequest request =
        new TokenRequestBuilder()
            .withNewSpec()
            .withExpirationSeconds(lifetime.toSeconds())
            .withAudiences(audiences.length == 0 ? List.of(ISSUER) : List.of(audiences))
            .endSpec()
            .build();
    TokenRequest answer =
        client
            .serviceAccounts()
            .inNamespace(namespace)
            .withName(serviceAccount)
            .tokenRequest(request);
    return answer.getStatus().getToken();
  }

  /**
   * Creates a namespace named {@code prefix-xxxxx} and waits for its "default" ServiceAccount (pods
   * are refused until the service-account controller has made it).
   */
  public String createNamespace(String prefix) {
    String base =
        prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-").replaceAll("-+", "-");
    base = base.replaceAll("^-|-$", "");
    if (base.length() > 40) {
      base = base.substring(0, 40).replaceAll("-$", "");
    }
    String name = (base.isEmpty() ? "test" : base) + "-" + randomSuffix();
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(name)
                .addToLabels("strata.dev/e2e", "true")
                .endMetadata()
                .build())
        .create();
    Waits.until(
        "ServiceAccount " + name + "/default",
        Duration.ofSeconds(60),
        Duration.ofMillis(200),
        () -> client.serviceAccounts().inNamespace(name).withName("default").get() != null);
    LOG.info("namespace {} created", name);
    return name;
  }

  /** Deletes a namespace without waiting; the namespace controller empties it. */
  public void deleteNamespace(String name) {
    client.namespaces().withName(name).delete();
  }

  /**
   * The notes of a namespace's Events (events.k8s.io) that a field selector picks ({@code
   * reason=Expired}, {@code regarding.name=keep-one}), space-separated, as kubectl prints them.
   */
  public String eventNotes(String namespace, String fieldSelector) {
    return kubectl(
            "get",
            "events.events.k8s.io",
            "-n",
            namespace,
            "--field-selector",
            fieldSelector,
            "-o",
            "jsonpath={.items[*].note}")
        .assertSuccess()
        .stdout();
  }

  /** Runs kubectl against this control plane. */
  public CommandResult kubectl(String... args) {
    List<String> command =
        new ArrayList<>(List.of(kubectl().toString(), "--kubeconfig=" + kubeconfig));
    command.addAll(List.of(args));
    return CommandResult.run(command, Map.of(), Duration.ofMinutes(2));
  }

  /** The kubelet stand-in with its default nodes, started on first use. */
  public synchronized KubeletStandIn kubelet() {
    if (kubelet == null) {
      kubelet = KubeletStandIn.start(KubeletStandIn.Options.defaults(this));
    }
    return kubelet;
  }

  /** The stand-in if one was started, else null. */
  public synchronized KubeletStandIn kubeletIfStarted() {
    return kubelet;
  }

  public Path kubectl() {
    return tools.require(Tools.KUBECTL);
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  public String apiServerUrl() {
    return "https://127.0.0.1:" + apiServerPort;
  }

  public int apiServerPort() {
    return apiServerPort;
  }

  public Path caCertificate() {
    return pki.caCert();
  }

  public Tools tools() {
    return tools;
  }

  public String kubernetesVersion() {
    return tools.version("kubernetes.version");
  }

  public Path workDir() {
    return workDir;
  }

  /** From the first process start to the controller manager's first service account. */
  public Duration startupTime() {
    return startupTime;
  }

  /** Null when every process is alive; else which one died, with its log tail. */
  public String deadProcess() {
    for (ManagedProcess process : processes) {
      if (!process.isAlive()) {
        return process.name()
            + " is not running. Last log lines of "
            + process.logFile()
            + ":\n"
            + process.tail(40);
      }
    }
    return null;
  }

  /** The last lines of every process log, for failure reports. */
  public String diagnostics(int lines) {
    return ManagedProcess.tails(processes, lines);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (kubelet != null) {
      kubelet.close();
    }
    if (client != null) {
      client.close();
    }
    // Reverse order: the controller manager and API server go before etcd.
    for (int i = processes.size() - 1; i >= 0; i--) {
      processes.get(i).stop(STOP_GRACE);
    }
    if (!Boolean.getBoolean("strata.e2e.keepWorkDir")) {
      deleteTree(workDir);
    } else {
      LOG.info("kept control plane directory {}", workDir);
    }
  }

  static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  LOG.warn("cannot delete {}: {}", p, e.getMessage());
                }
              });
    } catch (IOException e) {
      LOG.warn("cannot delete {}: {}", dir, e.getMessage());
    }
  }

  private static String randomSuffix() {
    String alphabet = "bcdfghjklmnpqrstvwxz2456789";
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      out.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return out.toString();
  }
}
