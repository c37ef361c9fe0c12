package dev.strata.operator.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What a hook's status says of its output and of a refused exec. */
class KubernetesPodExecTest {

  static TailBuffer written(String s) {
    TailBuffer b = new TailBuffer(KubernetesPodExec.KEEP);
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    b.write(bytes, 0, bytes.length);
    return b;
  }

  @Test
  void theOutputIsStdoutThenStderrAndAtMostAKibOfItsEnd() {
    assertThat(KubernetesPodExec.output(written("42\n"), written(""))).isEqualTo("42");
    assertThat(KubernetesPodExec.output(written("out"), written("err\n"))).isEqualTo("out\nerr");
    String out = KubernetesPodExec.output(written("a".repeat(5000)), written("the end"));
    assertThat(out).hasSize(KubernetesPodExec.KEEP).startsWith("...").endsWith("a\nthe end");
  }

  @Test
  void aTailBufferKeepsTheLastBytesAndSaysItDroppedSome() {
    TailBuffer b = new TailBuffer(4);
    byte[] bytes = "abcdef".getBytes(StandardCharsets.UTF_8);
    b.write(bytes, 0, bytes.length);
    assertThat(b.text()).isEqualTo("...cdef");
    assertThat(written("abc").text()).isEqualTo("abc");
  }

  @Test
  void aRefusalSaysWhichChartValueGrantsExec() {
    KubernetesClientException forbidden = new KubernetesClientException("forbidden", 403, null);
    assertThat(KubernetesPodExec.why(forbidden, "team-a", "app-0", "app"))
        .contains("may not exec into pods in namespace team-a")
        .contains("hooks.enabled=true")
        .contains("hooks.namespaces");
    assertThat(
            KubernetesPodExec.why(
                new KubernetesClientException("gone", 404, null), "team-a", "app-0", "app"))
        .isEqualTo("pod app-0 is gone");
  }
}
