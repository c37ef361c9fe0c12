package dev.strata.e2e.support.node;

import dev.strata.e2e.support.CommandResult;
import dev.strata.e2e.support.ControlPlane;
import dev.strata.e2e.support.Examples;
import dev.strata.e2e.support.Helm;
import dev.strata.e2e.support.MinioServer;
import dev.strata.e2e.support.RunnerLaunch;
import dev.strata.e2e.support.Waits;
import io.fabric8.kubernetes.api.model.Pod;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A whole cluster on this machine as a user's would be: a {@link ControlPlane}, a {@link RealNode}
 * running the images built from {@code images/} ({@code images/build-test-images.sh}), and MinIO
 * serving as the examples' Service {@code minio.strata-system:9000} through cluster DNS and
 * kube-proxy. {@link #installOperator} installs the operator with {@code helm install
 * charts/strata}, as a Pod under the chart's RBAC.
 */
public final class RealCluster implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RealCluster.class);
  public static final String RELEASE = "strata";
  public static final String RELEASE_NAMESPACE = Examples.EXAMPLE_SERVICE_NAMESPACE;

  private final Path images;
  private final MinioServer minio;
  private ControlPlane plane;
  private RealNode node;

  private RealCluster(Path images, ControlPlane plane, RealNode node, MinioServer minio) {
    this.images = images;
    this.plane = plane;
    this.node = node;
    this.minio = minio;
  }

  /** Builds the images (cached per machine), starts the control plane, the node and MinIO. */
  public static RealCluster start() {
    Path images = buildImages();
    ControlPlane plane = ControlPlane.start(List.of(), RealNode.CONTROL_PLANE_NETWORK);
    RealNode node = null;
    MinioServer minio = null;
    try {
      node = RealNode.start(plane, images);
      minio = MinioServer.startOn(RealNode.NODE_IP);
      minio.createBucket(Examples.EXAMPLE_BUCKET);
      exposeMinio(node, minio);
      return new RealCluster(images, plane, node, minio);
    } catch (RuntimeException e) {
      if (minio != null) {
        minio.close();
      }
      if (node != null) {
        node.close();
      }
      plane.close();
      throw e;
    }
  }

  private static void exposeMinio(RealNode node, MinioServer minio) {
    node.exposeHostService(
        Examples.EXAMPLE_SERVICE_NAMESPACE,
        Examples.EXAMPLE_SERVICE,
        "http",
        Examples.EXAMPLE_SERVICE_PORT,
        minio.port());
  }

  /**
   * Loses this cluster as a disaster would and puts a new one in its place, for disaster-recovery
   * journeys: the control plane goes with its etcd (every object, the kube-system UID that named
   * the cluster), the node with its containers (the operator's pod among them) and every volume it
   * provisioned; only the bucket survives. Then a new control plane and node start, and the same
   * MinIO (stopped meanwhile, its data kept; it listens on the node's address) answers the
   * examples' Service name again. Nothing of the old cluster is uninstalled first: it is lost.
   */
  public void replaceAfterLoss() {
    minio.stop();
    // The machine's one-node lock stays with this JVM for the new node: no other test run's node
    // comes in between.
    node.closeForReplacement();
    plane.close();
    RealNode.deleteVolumes();
    ControlPlane newPlane = ControlPlane.start(List.of(), RealNode.CONTROL_PLANE_NETWORK);
    RealNode newNode = null;
    try {
      newNode = RealNode.start(newPlane, images);
      minio.start();
      exposeMinio(newNode, minio);
    } catch (RuntimeException e) {
      if (newNode != null) {
        newNode.close();
      }
      newPlane.close();
      throw e;
    } finally {
      // Even a failed start leaves closed ones, never the lost cluster's, for close() and the
      // diagnostics.
      plane = newPlane;
      node = newNode == null ? node : newNode;
    }
  }

  /**
   * {@code images/build-test-images.sh} into e2e/target: the operator, runner and pause images of
   * this checkout.
   */
  static Path buildImages() {
    Path root =
        RunnerLaunch.repositoryRoot()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "the real node builds images/ of this checkout; run the tests inside it"));
    Path tar = root.resolve("e2e/target/test-images/strata-images.tar");
    long t = System.nanoTime();
    CommandResult built =
        CommandResult.run(
            List.of(root.resolve("images/build-test-images.sh").toString(), tar.toString()),
            Map.of(),
            Duration.ofMinutes(15));
    if (built.exitCode() != 0) {
      throw new IllegalStateException(
          "images/build-test-images.sh failed (exit "
              + built.exitCode()
              + "):\n"
              + built.stdout()
              + built.stderr());
    }
    LOG.info(
        "test images built in {} ms: {}",
        (System.nanoTime() - t) / 1_000_000,
        built.stderr().trim());
    return tar;
  }

  /**
   * {@code helm install strata charts/strata -n strata-system -f values}: the operator as a Pod,
   * from the image built here, under the chart's RBAC; waits until it is ready.
   */
  public void installOperator(Path values) {
    Helm helm = Helm.installed();
    List<String> args =
        new ArrayList<>(
            List.of(
                "install",
                RELEASE,
                Helm.chartDir().toString(),
                "--namespace",
                RELEASE_NAMESPACE,
                "--kubeconfig",
                plane.kubeconfig().toString(),
                "-f",
                values.toString(),
                "--wait",
                "--timeout",
                "3m"));
    CommandResult installed = helm.run(args, Duration.ofMinutes(4));
    if (installed.exitCode() != 0) {
      throw new IllegalStateException(
          "helm install failed: "
              + installed.stdout()
              + installed.stderr()
              + "\n"
              + operatorDiagnostics());
    }
    awaitOperatorReady(null);
  }

  /** {@code helm uninstall strata}: the chart's objects go (its CRDs stay, as Helm keeps them). */
  public void uninstallOperator() {
    CommandResult removed =
        Helm.installed()
            .run(
                List.of(
                    "uninstall",
                    RELEASE,
                    "--namespace",
                    RELEASE_NAMESPACE,
                    "--kubeconfig",
                    plane.kubeconfig().toString(),
                    "--wait",
                    "--timeout",
                    "2m"),
                Duration.ofMinutes(3));
    if (removed.exitCode() != 0) {
      LOG.warn("helm uninstall failed: {}{}", removed.stdout(), removed.stderr());
    }
  }

  /** The running operator pod (there is one replica). */
  public Pod operatorPod() {
    return plane
        .client()
        .pods()
        .inNamespace(RELEASE_NAMESPACE)
        .withLabel("app.kubernetes.io/component", "operator")
        .list()
        .getItems()
        .stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .findFirst()
        .orElse(null);
  }

  /** Waits for a ready operator pod other than {@code previousUid} (null: any). */
  public Pod awaitOperatorReady(String previousUid) {
    Pod[] ready = new Pod[1];
    Waits.until(
        "a ready operator pod",
        Duration.ofMinutes(3),
        Duration.ofMillis(300),
        () -> {
          Pod pod = operatorPod();
          boolean ok =
              pod != null
                  && !pod.getMetadata().getUid().equals(previousUid)
                  && pod.getStatus() != null
                  && pod.getStatus().getConditions() != null
                  && pod.getStatus().getConditions().stream()
                      .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
          ready[0] = pod;
          return ok;
        });
    return ready[0];
  }

  /**
   * Deletes the operator's pod, as a node drain or a crash would; the Deployment starts another.
   * Returns the new one.
   */
  public Pod restartOperator() {
    Pod old = operatorPod();
    plane
        .client()
        .pods()
        .inNamespace(RELEASE_NAMESPACE)
        .withName(old.getMetadata().getName())
        .withGracePeriod(0)
        .delete();
    return awaitOperatorReady(old.getMetadata().getUid());
  }

  /** The operator's log (all its pods in the release namespace), for failure reports. */
  public String operatorDiagnostics() {
    CommandResult logs =
        plane.kubectl(
            "logs",
            "-n",
            RELEASE_NAMESPACE,
            "-l",
            "app.kubernetes.io/component=operator",
            "--tail=300",
            "--all-containers",
            "--prefix");
    CommandResult pods = plane.kubectl("get", "pods", "-A", "-o", "wide");
    return "---- pods ----\n"
        + pods.stdout()
        + pods.stderr()
        + "---- operator log ----\n"
        + logs.stdout()
        + logs.stderr();
  }

  public String diagnostics(int lines) {
    return plane.diagnostics(lines)
        + node.diagnostics(lines)
        + minio.diagnostics(lines)
        + operatorDiagnostics();
  }

  /**
   * An image with a shell and coreutils for a user's own pods on this node (nothing is pulled
   * here): the Debian base that {@code images/build-test-images.sh} builds the runner and operator
   * images on, imported with them.
   */
  public static final String APP_IMAGE = "strata.local/debian-base:bookworm";

  /**
   * What a person (and the walkthrough's test) exports to use this cluster from a shell:
   * KUBECONFIG, a PATH with kubectl, helm and the checkout's bin/ (strata, kubectl-strata) before
   * {@code pathTail}, APP_IMAGE for their own pods, and STRATA_ENDPOINT, where MinIO answers from
   * this machine.
   */
  public Map<String, String> userEnvironment(Path kubeconfig, String pathTail) {
    Path repo = Examples.dir().getParent();
    Map<String, String> env = new java.util.LinkedHashMap<>();
    env.put("KUBECONFIG", kubeconfig.toString());
    env.put(
        "PATH",
        plane.kubectl().getParent()
            + ":"
            + dev.strata.e2e.support.Tools.installed()
                .require(dev.strata.e2e.support.Tools.HELM)
                .getParent()
            + ":"
            + repo.resolve("bin")
            + ":"
            + pathTail);
    env.put("APP_IMAGE", APP_IMAGE);
    env.put("STRATA_ENDPOINT", minio.endpoint());
    return env;
  }

  public ControlPlane plane() {
    return plane;
  }

  public RealNode node() {
    return node;
  }

  public MinioServer minio() {
    return minio;
  }

  @Override
  public void close() {
    minio.close();
    node.close();
    plane.close();
  }
}
