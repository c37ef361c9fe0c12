package dev.strata.engine.index;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IndexValidatorTest {

  static final FileMetadata DIR = new FileMetadata(0, 0755, 1, 0, 0);

  static SnapshotIndex withRoot(DirIndex root) {
    return new SnapshotIndex(
        1,
        "20261126T071913.042Z-a1b2c3",
        new SnapshotMetadata("s", "st", Instant.EPOCH, null),
        null,
        64 * 1024,
        new SnapshotStats(0, 0, 0, 0, 0, 0),
        root);
  }

  static DirIndex rootWithFiles(FileIndex... files) {
    return new DirIndex("", DIR, List.of(files), List.of(), List.of(), List.of());
  }

  static FileIndex file(String name, long size, FileBlob... blobs) {
    return FileIndex.file(name, new FileMetadata(size, 0644, 1, 0, 0), List.of(blobs), "x");
  }

  @Test
  void acceptsAWellFormedIndex() {
    assertThatCode(() -> IndexValidator.validate(IndexCodecTest.sample()))
        .doesNotThrowAnyException();
  }

  @ParameterizedTest
  @ValueSource(strings = {"..", ".", "", "../x", "a/b", "/etc/passwd", "nul\0"})
  void refusesUnsafeFileNames(String name) {
    assertThatThrownBy(() -> IndexValidator.validate(withRoot(rootWithFiles(file(name, 0)))))
        .isInstanceOf(IndexFormatException.class)
        .hasMessageContaining("unsafe");
  }

  @ParameterizedTest
  @ValueSource(strings = {"..", "../../tmp", "/abs"})
  void refusesUnsafeDirectoryNames(String name) {
    DirIndex sub = new DirIndex(name, DIR, List.of(), List.of(), List.of(), List.of());
    DirIndex root = new DirIndex("", DIR, List.of(), List.of(), List.of(sub), List.of());
    assertThatThrownBy(() -> IndexValidator.validate(withRoot(root)))
        .hasMessageContaining("unsafe");
  }

  @Test
  void refusesASymlinkAndADirectoryOfTheSameName() {
    // Otherwise a restore could create the link, then write "into" the directory through it.
    FileIndex link = FileIndex.symlink("d", new FileMetadata(0, 0777, 1, 0, 0), "/etc");
    DirIndex sub =
        new DirIndex("d", DIR, List.of(file("passwd", 0)), List.of(), List.of(), List.of());
    DirIndex root = new DirIndex("", DIR, List.of(link), List.of(), List.of(sub), List.of());
    assertThatThrownBy(() -> IndexValidator.validate(withRoot(root)))
        .hasMessageContaining("appears twice");
  }

  @Test
  void refusesBlobsThatDoNotTileTheFile() {
    String id = "ab".repeat(32);
    assertThatThrownBy(
            () ->
                IndexValidator.validate(
                    withRoot(
                        rootWithFiles(
                            file("gap", 20, new FileBlob(id, 0, 10), new FileBlob(id, 11, 9))))))
        .hasMessageContaining("do not cover");
    assertThatThrownBy(
            () ->
                IndexValidator.validate(
                    withRoot(rootWithFiles(file("short", 20, new FileBlob(id, 0, 10))))))
        .hasMessageContaining("hold 10 bytes");
    assertThatThrownBy(
            () ->
                IndexValidator.validate(
                    withRoot(rootWithFiles(file("badid", 10, new FileBlob("../../x", 0, 10))))))
        .hasMessageContaining("not a SHA-256");
  }
}
