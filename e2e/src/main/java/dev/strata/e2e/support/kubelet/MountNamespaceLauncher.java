package dev.strata.e2e.support.kubelet;

import dev.strata.e2e.support.CommandResult;
import dev.strata.e2e.support.ProcessLauncher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Runs a container's process with its volumes at their real mount paths: {@code unshare -m
 * --propagation private} gives the process a private mount namespace, a small sh script bind-mounts
 * each volume (remounting it read-only where asked), then execs the command. Nothing is mounted on
 * the host.
 */
final class MountNamespaceLauncher {

  private static final String UNSHARE = "/usr/bin/unshare";

  private final HostMountPoints hostMountPoints;
  private final String mountBinary;

  MountNamespaceLauncher(HostMountPoints hostMountPoints) {
    this.hostMountPoints = hostMountPoints;
    this.mountBinary =
        Files.isExecutable(Path.of("/usr/bin/mount")) ? "/usr/bin/mount" : "/bin/mount";
  }

  /**
   * Fails with the reason when this machine cannot make mount namespaces (not root, no unshare).
   */
  static void checkAvailable() {
    CommandResult result =
        CommandResult.run(
            List.of(UNSHARE, "-m", "--propagation", "private", "true"),
            Map.of(),
            Duration.ofSeconds(10));
    if (result.exitCode() != 0) {
      throw new IllegalStateException(
          "The kubelet stand-in needs mount namespaces (root and "
              + UNSHARE
              + "), but `unshare -m true` failed: "
              + result.stderr().trim());
    }
  }

  /** A bind mount of {@code source} at {@code target} in the container. */
  record Mount(Path source, String target, boolean readOnly) {}

  Process launch(
      List<Mount> mounts,
      String workingDir,
      List<String> command,
      Map<String, String> env,
      Path logFile)
      throws IOException {
    String script = script(mounts, workingDir, command);
    ProcessBuilder builder =
        new ProcessBuilder(UNSHARE, "-m", "--propagation", "private", "--", "/bin/sh", "-c", script)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    builder.environment().clear();
    builder.environment().putAll(env);
    return ProcessLauncher.start(builder);
  }

  /**
   * Where sources are parked inside the namespace before anything is mounted over the paths they
   * live under.
   */
  static final Path STAGE = Path.of("/run/strata-kubelet-stage");

  /**
   * The script. First every source is bind-mounted into a private tmpfs (so a volume mounted at,
   * say, /tmp cannot hide another volume's source that lives under /tmp on the host); then each is
   * mounted at its target, parents before children. A target under another mount is created inside
   * that volume (as runc does); any other missing target is created on the host first and
   * remembered for removal.
   */
  String script(List<Mount> mounts, String workingDir, List<String> command) throws IOException {
    List<Mount> ordered = new ArrayList<>(mounts);
    ordered.sort(Comparator.comparingInt(m -> Path.of(m.target()).getNameCount()));
    StringBuilder script = new StringBuilder("set -e\n");
    if (!ordered.isEmpty()) {
      hostMountPoints.ensureDirectory(STAGE);
      script
          .append(mountBinary)
          .append(" -t tmpfs strata-stage ")
          .append(quote(STAGE.toString()))
          .append('\n');
    }
    for (int i = 0; i < ordered.size(); i++) {
      Mount mount = ordered.get(i);
      Path staged = STAGE.resolve(Integer.toString(i));
      script
          .append(Files.isRegularFile(mount.source()) ? "touch " : "mkdir -p ")
          .append(quote(staged.toString()))
          .append('\n');
      script
          .append(mountBinary)
          .append(" --bind ")
          .append(quote(mount.source().toString()))
          .append(' ')
          .append(quote(staged.toString()))
          .append('\n');
    }
    List<String> program = stageHiddenProgramFiles(ordered, command, script);
    List<Path> mounted = new ArrayList<>();
    for (int i = 0; i < ordered.size(); i++) {
      Mount mount = ordered.get(i);
      Path target = Path.of(mount.target()).normalize();
      boolean file = Files.isRegularFile(mount.source());
      boolean insideVolume = mounted.stream().anyMatch(target::startsWith);
      if (insideVolume) {
        script
            .append(
                file
                    ? "mkdir -p "
                        + quote(target.getParent().toString())
                        + " && touch "
                        + quote(target.toString())
                    : "mkdir -p " + quote(target.toString()))
            .append('\n');
      } else if (file) {
        hostMountPoints.ensureFile(target);
      } else {
        hostMountPoints.ensureDirectory(target);
      }
      script
          .append(mountBinary)
          .append(" --bind ")
          .append(quote(STAGE.resolve(Integer.toString(i)).toString()))
          .append(' ')
          .append(quote(target.toString()))
          .append('\n');
      if (mount.readOnly()) {
        script
            .append(mountBinary)
            .append(" -o remount,bind,ro ")
            .append(quote(target.toString()))
            .append('\n');
      }
      mounted.add(target);
    }
    if (workingDir != null && !workingDir.isEmpty()) {
      script
          .append("mkdir -p ")
          .append(quote(workingDir))
          .append(" && cd ")
          .append(quote(workingDir))
          .append('\n');
    }
    script.append("exec");
    for (String part : program) {
      script.append(' ').append(quote(part));
    }
    script.append('\n');
    return script.toString();
  }

  /**
   * The command with every file of the program that a volume would hide (a jar or class directory
   * under /tmp when the checkout lives there, and the pod mounts an emptyDir at /tmp) replaced by a
   * bind mount of it in the stage, made before any volume is mounted. A real container's image is
   * its own root filesystem, which no volume hides; this gives the stand-in's process the same. The
   * program's files are the executable, the argument after {@code -jar} and the entries of a {@code
   * -cp}/{@code -classpath} argument; other arguments (paths inside the volumes, such as {@code
   * --result-file /dev/termination-log}) are left alone.
   */
  private List<String> stageHiddenProgramFiles(
      List<Mount> mounts, List<String> command, StringBuilder script) {
    List<Path> targets = mounts.stream().map(m -> Path.of(m.target()).normalize()).toList();
    Map<Path, Path> staged = new java.util.LinkedHashMap<>();
    java.util.function.UnaryOperator<String> restage =
        part -> {
          if (!part.startsWith("/")) {
            return part;
          }
          Path path = Path.of(part).normalize();
          if (!Files.exists(path)
              || targets.stream().noneMatch(t -> path.startsWith(t) && !path.equals(t))) {
            return part;
          }
          return staged
              .computeIfAbsent(path, p -> STAGE.resolve("program-" + staged.size()))
              .toString();
        };
    List<String> result = new ArrayList<>();
    for (int i = 0; i < command.size(); i++) {
      String previous = i == 0 ? "" : command.get(i - 1);
      String part = command.get(i);
      if (previous.equals("-cp") || previous.equals("-classpath")) {
        result.add(
            String.join(":", java.util.Arrays.stream(part.split(":", -1)).map(restage).toList()));
      } else if (i == 0 || previous.equals("-jar")) {
        result.add(restage.apply(part));
      } else {
        result.add(part);
      }
    }
    staged.forEach(
        (source, stage) -> {
          script
              .append(Files.isRegularFile(source) ? "touch " : "mkdir -p ")
              .append(quote(stage.toString()))
              .append('\n');
          script
              .append(mountBinary)
              .append(" --bind ")
              .append(quote(source.toString()))
              .append(' ')
              .append(quote(stage.toString()))
              .append('\n');
        });
    return result;
  }

  static String quote(String value) {
    return "'" + value.replace("'", "'\\''") + "'";
  }
}
