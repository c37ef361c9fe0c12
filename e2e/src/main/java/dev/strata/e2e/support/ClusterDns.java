package dev.strata.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Service names as a cluster's DNS would answer them, so that the files of {@code examples/} work
 * unchanged: a Service such as {@code minio.strata-system} gets a "cluster IP" of its own in
 * 127.0.0.0/8 (the whole block is loopback on Linux), the server listens there on the Service's
 * port, and one hosts file maps the names to it. The kubelet stand-in mounts that file at
 * /etc/hosts in every container, as a kubelet manages /etc/hosts, and operator processes read it
 * through {@code -Djdk.net.hosts.file}. One file per JVM; it starts as a copy of this machine's
 * /etc/hosts.
 */
public final class ClusterDns {

  private static final Map<String, String> SERVICES = new LinkedHashMap<>();
  private static Path file;

  private ClusterDns() {}

  /** The hosts file: this machine's entries plus every registered Service. */
  public static synchronized Path hostsFile() {
    if (file == null) {
      try {
        file = Files.createTempFile("strata-cluster-hosts-", "");
        file.toFile().deleteOnExit();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      write();
    }
    return file;
  }

  /** The JVM option that makes a Java process resolve names through {@link #hostsFile()}. */
  public static String jvmOption() {
    return "-Djdk.net.hosts.file=" + hostsFile();
  }

  /**
   * A free cluster IP for a Service listening on {@code port}: a loopback address where nothing
   * listens on that port, so two servers of one name (a test run and the sandbox) never collide.
   */
  public static String freeClusterIp(int port) {
    for (int attempt = 0; attempt < 50; attempt++) {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      String ip = "127.77." + random.nextInt(0, 256) + "." + random.nextInt(1, 255);
      try (ServerSocket probe = new ServerSocket()) {
        probe.bind(new InetSocketAddress(InetAddress.getByName(ip), port));
        return ip;
      } catch (IOException taken) {
        // another server holds this address and port: try the next
      }
    }
    throw new IllegalStateException(
        "no free loopback address for port " + port + " after 50 attempts");
  }

  /**
   * Answers {@code service.namespace} (and its .svc and .svc.cluster.local forms) with {@code ip}.
   */
  public static synchronized void register(String service, String namespace, String ip) {
    SERVICES.put(service + "." + namespace, ip);
    hostsFile();
    write();
  }

  private static void write() {
    StringBuilder hosts = new StringBuilder();
    try {
      Path machine = Path.of("/etc/hosts");
      if (Files.isReadable(machine)) {
        hosts.append(Files.readString(machine));
      }
      if (hosts.indexOf("localhost") < 0) {
        hosts.append("\n127.0.0.1 localhost");
      }
      hosts.append("\n# Services of the test cluster (dev.strata.e2e.support.ClusterDns)\n");
      SERVICES.forEach(
          (name, ip) ->
              hosts
                  .append(ip)
                  .append(' ')
                  .append(name)
                  .append(' ')
                  .append(name)
                  .append(".svc ")
                  .append(name)
                  .append(".svc.cluster.local\n"));
      // Replace in one step: a container starting now mounts either the old file or the new one,
      // never half of it.
      Path next = Files.createTempFile(file.getParent(), "strata-cluster-hosts-", ".next");
      Files.writeString(next, hosts);
      Files.setPosixFilePermissions(
          next, PosixFilePermissions.fromString("rw-r--r--")); // containers run as non-root
      Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
