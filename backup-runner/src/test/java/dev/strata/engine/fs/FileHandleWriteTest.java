package dev.strata.engine.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writes through the descriptor put exactly the slice asked for where asked, in any size. */
class FileHandleWriteTest {

  @TempDir Path dir;

  @Test
  void aSliceOfALargerBufferLandsAtItsOffsetWhateverItsSize() throws Exception {
    byte[] buf = new byte[3 * Posix.WRITE_BUFFER + 777];
    new Random(7).nextBytes(buf);
    // Lengths below, at and above one native buffer, from the middle of the array.
    int[][] cases = {{0, 0}, {5, 1}, {13, 4096}, {100, Posix.WRITE_BUFFER}, {3, buf.length - 3}};
    try (DirHandle d = DirHandle.open(dir)) {
      for (int[] c : cases) {
        int off = c[0];
        int len = c[1];
        String name = "f" + off + "-" + len;
        try (FileHandle h = d.createNew(name)) {
          h.pwrite(buf, off, len, 10);
        }
        byte[] back = Files.readAllBytes(dir.resolve(name));
        assertThat(back.length).as(name).isEqualTo(len == 0 ? 0 : 10 + len);
        if (len > 0) {
          assertThat(Arrays.copyOfRange(back, 0, 10)).as(name).containsOnly(0);
          assertThat(Arrays.copyOfRange(back, 10, back.length))
              .as(name)
              .isEqualTo(Arrays.copyOfRange(buf, off, off + len));
        }
      }
    }
  }
}
