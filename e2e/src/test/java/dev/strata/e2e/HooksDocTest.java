package dev.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.e2e.support.Examples;
import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * docs/hooks.md gives the checkpoint and fsfreeze recipes exactly as HooksTest runs them on the
 * real node.
 */
class HooksDocTest {

  @Test
  void theCheckpointRecipeInTheDocsIsTheOneTheRealNodeTestRuns() throws IOException {
    String doc = Files.readString(Examples.dir().resolveSibling("docs").resolve("hooks.md"));
    assertThat(doc).contains(HooksTest.CHECKPOINT_HOOKS);
    assertThat(doc).contains(HooksTest.FSFREEZE_HOOKS);
    assertThat(doc).contains("HooksTest#fsfreezeHooksFreezeTheVolumeForTheBackupAndThawIt");
    assertThat(doc)
        .contains("HooksTest#checkpointHookMakesALiveRocksDbRestorableWithEveryKeyWrittenBeforeIt");
  }
}
