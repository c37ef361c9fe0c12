package dev.strata.e2e.support.node;

import dev.strata.e2e.support.CommandResult;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a real node changes on this machine, written down before the change and put back on stop, or
 * by the next start when a test JVM was killed: the sysctls the kubelet and the CNI bridge set, the
 * iptables chains of the kubelet, kube-proxy and CNI, the node's interfaces, the pods' network
 * namespaces, mounts under the node's directories, leftover container processes and cgroups.
 * Everything is keyed by the node's own names ({@link RealNode#NODE_LINK}, {@link RealNode#STATE},
 * {@link RealNode#RUN}, cgroup root {@link RealNode#CGROUP_ROOT}), so nothing of anyone else's is
 * touched; iptables rules are removed by chain-name prefix (KUBE-, CNI-), which only a Kubernetes
 * node on this machine would own.
 */
final class HostChanges {

  private static final Logger LOG = LoggerFactory.getLogger(HostChanges.class);
  static final List<String> SYSCTLS =
      List.of(
          "vm/overcommit_memory",
          "vm/panic_on_oom",
          "kernel/panic",
          "kernel/panic_on_oops",
          "kernel/keys/root_maxkeys",
          "kernel/keys/root_maxbytes",
          "net/ipv4/ip_forward",
          "net/ipv4/conf/all/route_localnet");
  private static final Path RECORD = Path.of("/run/strata-node.host-changes");
  private static final Path NETNS = Path.of("/run/netns");

  private HostChanges() {}

  /** True when a node's changes are recorded and were not put back (its JVM was killed). */
  static boolean leftOver() {
    return Files.exists(RECORD);
  }

  /**
   * Writes down what is about to change: the sysctls' values and the network namespaces that exist
   * now.
   */
  static void record() {
    Properties saved = new Properties();
    for (String key : SYSCTLS) {
      Path file = Path.of("/proc/sys").resolve(key);
      if (Files.isReadable(file)) {
        saved.setProperty("sysctl." + key, read(file));
      }
    }
    saved.setProperty("netns.before", String.join(",", netnsNames()));
    try (Writer writer = Files.newBufferedWriter(RECORD)) {
      saved.store(
          writer,
          "what a Strata test node changed on this machine; put back by its stop or the next start");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Puts everything back. Best effort per step: one failure does not stop the others. Returns what
   * failed.
   */
  static List<String> restore() {
    List<String> problems = new ArrayList<>();
    Properties saved = new Properties();
    if (Files.exists(RECORD)) {
      try (Reader reader = Files.newBufferedReader(RECORD)) {
        saved.load(reader);
      } catch (IOException e) {
        problems.add("cannot read " + RECORD + ": " + e.getMessage());
      }
    }
    step(problems, "container processes", HostChanges::killContainers);
    step(problems, "mounts", HostChanges::unmountNodeDirectories);
    step(
        problems,
        "network namespaces",
        () -> removeNewNetns(saved.getProperty("netns.before", "")));
    step(
        problems,
        "interfaces",
        () -> {
          deleteLink(RealNode.CNI_BRIDGE);
          deleteLink(RealNode.NODE_LINK);
        });
    step(
        problems,
        "iptables",
        () -> {
          stripChains("iptables");
          stripChains("ip6tables");
        });
    step(
        problems,
        "sysctls",
        () ->
            saved.stringPropertyNames().stream()
                .filter(k -> k.startsWith("sysctl."))
                .forEach(
                    k ->
                        write(
                            Path.of("/proc/sys").resolve(k.substring("sysctl.".length())),
                            saved.getProperty(k))));
    step(problems, "cgroups", HostChanges::removeCgroups);
    step(
        problems,
        "directories",
        () -> {
          deleteTree(RealNode.STATE);
          deleteTree(RealNode.RUN);
        });
    if (problems.isEmpty()) {
      try {
        Files.deleteIfExists(RECORD);
      } catch (IOException e) {
        problems.add("cannot delete " + RECORD);
      }
    }
    return problems;
  }

  private static void step(List<String> problems, String what, Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      LOG.warn("putting back {} failed: {}", what, e.getMessage());
      problems.add(what + ": " + e.getMessage());
    }
  }

  /**
   * SIGKILL to every process in the node's pod cgroups, and to containerd shims of the node's
   * containerd.
   */
  static void killContainers() {
    for (int round = 0; round < 3; round++) {
      List<Long> pids = new ArrayList<>();
      Path procsRoot = Path.of("/sys/fs/cgroup/pids").resolve(RealNode.CGROUP_ROOT);
      if (Files.isDirectory(procsRoot)) {
        try (Stream<Path> files = Files.walk(procsRoot)) {
          files
              .filter(f -> f.getFileName().toString().equals("cgroup.procs"))
              .forEach(
                  f ->
                      read(f)
                          .lines()
                          .filter(l -> !l.isBlank())
                          .forEach(l -> pids.add(Long.parseLong(l.trim()))));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      String socket = RealNode.CONTAINERD_SOCKET.toString();
      ProcessHandle.allProcesses()
          .filter(
              p ->
                  p.info()
                      .commandLine()
                      .map(c -> c.contains("containerd-shim") && c.contains(socket))
                      .orElse(false))
          .forEach(p -> pids.add(p.pid()));
      if (pids.isEmpty()) {
        return;
      }
      pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
      sleep(300);
    }
  }

  /**
   * Every mount at or under the node's directories, deepest first (the container root filesystems,
   * volumes).
   */
  static void unmountNodeDirectories() {
    List<String> targets = new ArrayList<>();
    for (String line : read(Path.of("/proc/self/mountinfo")).lines().toList()) {
      String[] fields = line.split(" ");
      String target = fields[4].replace("\\040", " ");
      if (target.startsWith(RealNode.STATE + "/")
          || target.startsWith(RealNode.RUN + "/")
          || target.equals(RealNode.STATE.toString())
          || target.equals(RealNode.RUN.toString())) {
        targets.add(target);
      }
    }
    targets.sort(Comparator.comparingInt(String::length).reversed());
    for (String target : targets) {
      run("umount", "-l", target);
    }
  }

  /**
   * Pod network namespaces made while the node ran ({@code /run/netns/cni-*} that were not there
   * before).
   */
  static void removeNewNetns(String before) {
    List<String> old = List.of(before.split(","));
    for (String name : netnsNames()) {
      if (name.startsWith("cni-") && !old.contains(name)) {
        run("umount", NETNS.resolve(name).toString());
        try {
          Files.deleteIfExists(NETNS.resolve(name));
        } catch (IOException e) {
          LOG.warn("cannot delete {}: {}", NETNS.resolve(name), e.getMessage());
        }
      }
    }
  }

  static void deleteLink(String name) {
    if (Files.exists(Path.of("/sys/class/net", name))) {
      run("ip", "link", "delete", name);
    }
  }

  /**
   * Removes the chains a node adds (KUBE-*, CNI-*) and every rule that names one, table by table,
   * atomically.
   */
  static void stripChains(String command) {
    CommandResult saved =
        CommandResult.run(List.of(command + "-save"), Map.of(), Duration.ofSeconds(30));
    if (saved.exitCode() != 0) {
      throw new IllegalStateException(command + "-save failed: " + saved.stderr());
    }
    String stripped = withoutNodeChains(saved.stdout());
    if (stripped.equals(saved.stdout())) {
      return;
    }
    try {
      Path file = Files.createTempFile("strata-node-rules", ".txt");
      try {
        Files.writeString(file, stripped);
        CommandResult restored =
            CommandResult.run(
                List.of("sh", "-c", command + "-restore < '" + file + "'"),
                Map.of(),
                Duration.ofSeconds(30));
        if (restored.exitCode() != 0) {
          throw new IllegalStateException(command + "-restore failed: " + restored.stderr());
        }
      } finally {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * {@code iptables-save} output without the node's chains and the rules that jump to or live in
   * them; tables that have none are left out entirely, so that restoring touches only tables the
   * node changed.
   */
  static String withoutNodeChains(String save) {
    StringBuilder out = new StringBuilder();
    StringBuilder table = null;
    boolean changed = false;
    for (String line : save.lines().toList()) {
      if (line.startsWith("*")) {
        table = new StringBuilder(line).append('\n');
        changed = false;
        continue;
      }
      if (table == null) {
        continue;
      }
      if (line.equals("COMMIT")) {
        if (changed) {
          out.append(table).append("COMMIT\n");
        }
        table = null;
        continue;
      }
      boolean nodeChain = line.startsWith(":KUBE-") || line.startsWith(":CNI-");
      boolean nodeRule =
          line.startsWith("-A ") && (line.contains("KUBE-") || line.contains("CNI-"));
      if (nodeChain || nodeRule) {
        changed = true;
      } else if (!line.startsWith("#")) {
        table.append(line).append('\n');
      }
    }
    return out.length() == 0 ? save : out.toString();
  }

  static void removeCgroups() {
    Path root = Path.of("/sys/fs/cgroup");
    if (!Files.isDirectory(root)) {
      return;
    }
    try (Stream<Path> controllers = Files.list(root)) {
      for (Path controller : controllers.toList()) {
        Path dir = controller.resolve(RealNode.CGROUP_ROOT);
        if (!Files.isDirectory(dir)) {
          continue;
        }
        try (Stream<Path> tree = Files.walk(dir)) {
          // cgroup directories are removed with rmdir; their pseudo-files go with them.
          tree.filter(Files::isDirectory)
              .sorted(Comparator.reverseOrder())
              .forEach(d -> d.toFile().delete());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<String> netnsNames() {
    if (!Files.isDirectory(NETNS)) {
      return List.of();
    }
    try (Stream<Path> names = Files.list(NETNS)) {
      return names.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void run(String... command) {
    CommandResult result = CommandResult.run(List.of(command), Map.of(), Duration.ofSeconds(30));
    if (result.exitCode() != 0) {
      LOG.warn("{} failed: {}", String.join(" ", command), result.stderr().trim());
    }
  }

  static String read(Path file) {
    try {
      return Files.readString(file).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void write(Path file, String value) {
    try {
      Files.writeString(file, value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
