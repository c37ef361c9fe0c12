package dev.strata.operator.hooks;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link PodExec} through the API server's {@code pods/exec} subresource (a WebSocket the API
 * server relays to the kubelet): what {@code kubectl exec} does, under the operator's
 * ServiceAccount, which needs {@code create} on {@code pods/exec} (the chart's {@code
 * hooks.enabled}). Only the last KiB of what the command wrote is kept.
 */
public final class KubernetesPodExec implements PodExec {

  static final int KEEP = 1024;

  private final KubernetesClient client;

  public KubernetesPodExec(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public Outcome exec(
      String namespace, String pod, String container, List<String> command, Duration timeout) {
    TailBuffer out = new TailBuffer(KEEP);
    TailBuffer err = new TailBuffer(KEEP);
    ExecWatch watch;
    try {
      watch =
          client
              .pods()
              .inNamespace(namespace)
              .withName(pod)
              .inContainer(container)
              .writingOutput(out)
              .writingError(err)
              // The pod is running (it uses the volume); do not wait for its readiness.
              .withReadyWaitTimeout(0)
              .exec(command.toArray(String[]::new));
    } catch (KubernetesClientException e) {
      return Outcome.notRun(why(e, namespace, pod, container));
    }
    try (watch) {
      Integer code = watch.exitCode().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      // The streams may deliver their last bytes just after the exit code.
      Thread.sleep(100);
      return code == null
          ? Outcome.notRun("the command's exit code was not reported")
          : Outcome.exited(code, output(out, err));
    } catch (TimeoutException e) {
      return Outcome.timedOut(output(out, err));
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      return cause instanceof KubernetesClientException k
          ? Outcome.notRun(why(k, namespace, pod, container))
          : Outcome.notRun("the command could not be run: " + cause.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Outcome.notRun("the operator stopped while the command ran");
    }
  }

  /**
   * Stdout, then stderr, at most {@link #KEEP} characters: the end, after "...", when there was
   * more.
   */
  static String output(TailBuffer out, TailBuffer err) {
    String o = out.text().strip();
    String e = err.text().strip();
    String both = o.isEmpty() ? e : e.isEmpty() ? o : o + "\n" + e;
    return both.length() <= KEEP ? both : "..." + both.substring(both.length() - KEEP + 3);
  }

  /** What went wrong, and for a refusal what to change. */
  static String why(KubernetesClientException e, String namespace, String pod, String container) {
    if (e.getCode() == 403) {
      return "the operator may not exec into pods in namespace "
          + namespace
          + " (it needs create on pods/exec): install the chart with"
          + " hooks.enabled=true"
          + " (and this namespace in hooks.namespaces, when that is set)";
    }
    if (e.getCode() == 404) {
      return "pod " + pod + " is gone";
    }
    String m =
        e.getStatus() != null && e.getStatus().getMessage() != null
            ? e.getStatus().getMessage()
            : e.getMessage();
    return "could not exec in pod " + pod + " (container " + container + "): " + m;
  }
}
