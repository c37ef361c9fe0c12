package dev.strata.e2e.support.kubelet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every pod worker of one stand-in shares: the client, executors, volume and env resolution,
 * launcher.
 */
final class StandInRuntime {

  final KubeletStandIn.Options options;
  final KubernetesClient client;
  final EventLog events;
  final PodVolumes volumes;
  final EnvResolver env;
  final MountNamespaceLauncher launcher;
  final ExecutorService control;
  final ScheduledExecutorService timers;
  private final Path podsDir;

  StandInRuntime(
      KubeletStandIn.Options options,
      EventLog events,
      PodVolumes volumes,
      EnvResolver env,
      MountNamespaceLauncher launcher,
      ExecutorService control,
      ScheduledExecutorService timers) {
    this.options = options;
    this.client = options.client();
    this.events = events;
    this.volumes = volumes;
    this.env = env;
    this.launcher = launcher;
    this.control = control;
    this.timers = timers;
    this.podsDir = options.workDir().resolve("pods");
  }

  Path podDir(Pod pod) {
    return podsDir
        .resolve(pod.getMetadata().getNamespace())
        .resolve(pod.getMetadata().getName() + "-" + pod.getMetadata().getUid().substring(0, 8));
  }

  boolean isRunnerImage(String image) {
    String prefix = options.runnerImage();
    return image != null
        && (image.equals(prefix)
            || image.startsWith(prefix + ":")
            || image.startsWith(prefix + "@"));
  }

  /**
   * Secret, ConfigMap, downward-API and projected volumes are read-only, as the kubelet mounts
   * them.
   */
  boolean isReadOnlyVolume(Pod pod, String volumeName) {
    for (Volume volume :
        pod.getSpec().getVolumes() == null ? List.<Volume>of() : pod.getSpec().getVolumes()) {
      if (volume.getName().equals(volumeName)) {
        return volume.getSecret() != null
            || volume.getConfigMap() != null
            || volume.getDownwardAPI() != null
            || volume.getProjected() != null
            || (volume.getPersistentVolumeClaim() != null
                && Boolean.TRUE.equals(volume.getPersistentVolumeClaim().getReadOnly()));
      }
    }
    return false;
  }

  /** The variables a kubelet adds to every container, plus a minimal image environment. */
  Map<String, String> serviceEnv(Pod pod) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put(
        "PATH",
        System.getenv()
            .getOrDefault("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
    env.put(
        "HOSTNAME",
        pod.getSpec().getHostname() != null
            ? pod.getSpec().getHostname()
            : pod.getMetadata().getName());
    env.put("HOME", podDir(pod).resolve("home").toString());
    String port = String.valueOf(options.apiPort());
    env.put("KUBERNETES_SERVICE_HOST", options.apiHost());
    env.put("KUBERNETES_SERVICE_PORT", port);
    env.put("KUBERNETES_SERVICE_PORT_HTTPS", port);
    env.put("KUBERNETES_PORT", "tcp://" + options.apiHost() + ":" + port);
    env.put("KUBERNETES_PORT_443_TCP", "tcp://" + options.apiHost() + ":" + port);
    env.put("KUBERNETES_PORT_443_TCP_PROTO", "tcp");
    env.put("KUBERNETES_PORT_443_TCP_PORT", port);
    env.put("KUBERNETES_PORT_443_TCP_ADDR", options.apiHost());
    return env;
  }

  /**
   * The process command of a runner-image container: the image's entrypoint is the strata launcher,
   * so args are strata's; a {@code command} starting with "strata" is that launcher too; any other
   * command runs as is. {@code $(VAR)} references are expanded against the container's env.
   */
  List<String> commandOf(Container container, Map<String, String> env) {
    List<String> command = expand(container.getCommand(), env);
    List<String> args = expand(container.getArgs(), env);
    if (command.isEmpty() || "strata".equals(command.get(0))) {
      List<String> strataArgs =
          new ArrayList<>(command.isEmpty() ? List.of() : command.subList(1, command.size()));
      strataArgs.addAll(args);
      return options.runner().command(strataArgs);
    }
    List<String> all = new ArrayList<>(command);
    all.addAll(args);
    return all;
  }

  private static List<String> expand(List<String> values, Map<String, String> env) {
    List<String> out = new ArrayList<>();
    if (values != null) {
      values.forEach(v -> out.add(VarExpansion.expand(v, env)));
    }
    return out;
  }

  void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
