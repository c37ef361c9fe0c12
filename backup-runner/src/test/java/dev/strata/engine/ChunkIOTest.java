package dev.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChunkIOTest {

  @TempDir Path tmp;

  @Test
  void writesAndReadsAChunkOfManySlicesAtItsOffset() throws IOException {
    byte[] chunk = Trees.random(7, 3 * ChunkIO.SLICE + 123);
    Path file = tmp.resolve("f");
    try (FileChannel ch =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE,
            StandardOpenOption.READ)) {
      ChunkIO.write(
          ch,
          1000,
          chunk,
          chunk.length - 23); // the buffer holds more than the chunk: only length counts
      byte[] back = new byte[chunk.length];
      assertThat(ChunkIO.read(ch, 1000, back, chunk.length - 23)).isTrue();
      assertThat(Arrays.copyOf(back, chunk.length - 23))
          .isEqualTo(Arrays.copyOf(chunk, chunk.length - 23));
    }
    byte[] onDisk = Files.readAllBytes(file);
    assertThat(onDisk).hasSize(1000 + chunk.length - 23);
    assertThat(Arrays.copyOf(onDisk, 1000)).containsOnly((byte) 0);
  }

  @Test
  void aReadPastTheEndSaysSo() throws IOException {
    Path file = Files.write(tmp.resolve("short"), Trees.random(8, ChunkIO.SLICE + 10));
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      assertThat(ChunkIO.read(ch, 0, new byte[2 * ChunkIO.SLICE], 2 * ChunkIO.SLICE)).isFalse();
      assertThat(ChunkIO.read(ch, 10, new byte[ChunkIO.SLICE], ChunkIO.SLICE)).isTrue();
    }
  }
}
