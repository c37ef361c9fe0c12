package dev.strata.e2e.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RunnerOutputTest {

  @Test
  void findsThePrettyPrintedResultAfterLogLines() {
    String log =
        "07:34:23 INFO committed {not json}\n{\n  \"files\" : 25,\n  \"nested\" : {\"a\": 1}\n}\n";
    assertThat(RunnerOutput.requireJson(log).path("files").asInt()).isEqualTo(25);
  }

  @Test
  void findsASingleLineResult() {
    assertThat(
            RunnerOutput.requireJson("progress\n{\"snapshotId\":\"s1\"}\n")
                .path("snapshotId")
                .asText())
        .isEqualTo("s1");
  }

  @Test
  void failsWithTheOutputWhenThereIsNoResult() {
    assertThatThrownBy(() -> RunnerOutput.requireJson("strata: bucket missing\n"))
        .hasMessageContaining("bucket missing");
  }
}
