package dev.strata.engine.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class IndexCodecTest {

  static SnapshotIndex sample() {
    FileMetadata m = new FileMetadata(10, 0644, 1_700_000_000_123_456_789L, 1000, 1000);
    FileIndex f =
        FileIndex.file(
            "000001.sst", m, List.of(new FileBlob("0a".repeat(32), 0, 10)), "ff".repeat(32));
    FileIndex l = FileIndex.symlink("CURRENT-link", new FileMetadata(0, 0777, 5, 0, 0), "CURRENT");
    DirIndex sub =
        new DirIndex(
            "db",
            new FileMetadata(0, 0755, 7, 0, 0),
            List.of(f, l),
            List.of("000000.sst"),
            List.of(),
            List.of("old"));
    DirIndex root =
        new DirIndex(
            "", new FileMetadata(0, 0755, 8, 0, 0), List.of(), List.of(), List.of(sub), List.of());
    return new SnapshotIndex(
        SnapshotIndex.FORMAT_VERSION,
        "20261126T071913.042Z-a1b2c3",
        new SnapshotMetadata(
            "ns/pvc/", "file:///store/", Instant.parse("2026-11-26T07:19:13.042123Z"), "job-1"),
        "20261126T061913.042Z-000000",
        4 << 20,
        new SnapshotStats(1, 2, 1, 10, 10, 0),
        root);
  }

  @Test
  void roundTripsEveryField() {
    SnapshotIndex index = sample();
    assertThat(IndexCodec.decode(IndexCodec.encode(index), "test")).isEqualTo(index);
  }

  @Test
  void summaryStopsBeforeTheTree() {
    SnapshotIndex index = sample();
    assertThat(IndexCodec.decodeSummary(IndexCodec.encode(index), "test"))
        .isEqualTo(index.summary());
  }

  @Test
  void formatVersionComesFirst() throws IOException {
    String json =
        new String(
            new java.util.zip.GZIPInputStream(
                    new java.io.ByteArrayInputStream(IndexCodec.encode(sample())))
                .readAllBytes(),
            StandardCharsets.UTF_8);
    assertThat(json).startsWith("{\"formatVersion\":1,");
  }

  @Test
  void refusesAnUnknownVersionWithAClearMessage() throws IOException {
    byte[] future = gzip("{\"formatVersion\":3,\"snapshotId\":\"x\",\"newThing\":{}}");
    assertThatThrownBy(() -> IndexCodec.decode(future, "index snapshots/k/x.json.gz"))
        .isInstanceOf(IndexFormatException.class)
        .hasMessageContaining("index format version 3")
        .hasMessageContaining("reads versions 1 and 2 only")
        .hasMessageContaining("use a Strata release that supports it");
    assertThatThrownBy(() -> IndexCodec.decodeSummary(future, "i"))
        .hasMessageContaining("version 3");
  }

  @Test
  void refusesSomethingThatIsNotAnIndex() throws IOException {
    assertThatThrownBy(() -> IndexCodec.decode("plain".getBytes(), "i"))
        .isInstanceOf(IndexFormatException.class);
    assertThatThrownBy(() -> IndexCodec.decode(gzip("{\"snapshotId\":\"x\"}"), "i"))
        .hasMessageContaining("does not start with formatVersion");
    assertThatThrownBy(() -> IndexCodec.decode(gzip("{\"formatVersion\":1}"), "i"))
        .hasMessageContaining("incomplete");
  }

  static byte[] gzip(String s) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(s.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }
}
