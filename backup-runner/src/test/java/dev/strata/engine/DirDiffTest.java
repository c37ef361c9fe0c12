package dev.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.engine.index.DirIndex;
import dev.strata.engine.index.FileBlob;
import dev.strata.engine.index.FileIndex;
import dev.strata.engine.index.FileMetadata;
import java.util.List;
import org.junit.jupiter.api.Test;

class DirDiffTest {

  static FileMetadata meta(long size, long mtime) {
    return new FileMetadata(size, 0644, mtime, 1000, 1000);
  }

  static LocalEntry file(String name, long size, long mtime) {
    return new LocalEntry(name, LocalEntry.Type.FILE, meta(size, mtime), null);
  }

  static FileIndex indexed(String name, long size, long mtime) {
    return FileIndex.file(
        name, meta(size, mtime), List.of(new FileBlob("ab".repeat(32), 0, size)), "c");
  }

  static DirIndex dir(List<FileIndex> files, List<DirIndex> dirs) {
    return new DirIndex("", meta(0, 0), files, List.of(), dirs, List.of());
  }

  @Test
  void sameSizeAndMtimeIsRetainedWithoutReading() {
    DirDiff d =
        DirDiff.compute(
            List.of(file("000001.sst", 100, 5)),
            dir(List.of(indexed("000001.sst", 100, 5)), List.of()),
            false);
    assertThat(d.filesRetained()).extracting(FileIndex::name).containsExactly("000001.sst");
    assertThat(d.filesAdded()).isEmpty();
    assertThat(d.filesRemoved()).isEmpty();
  }

  @Test
  void retainedEntryTakesTheNewMetadataButKeepsItsBlobs() {
    LocalEntry chmodded =
        new LocalEntry("f", LocalEntry.Type.FILE, new FileMetadata(100, 0600, 5, 1, 2), null);
    DirDiff d =
        DirDiff.compute(List.of(chmodded), dir(List.of(indexed("f", 100, 5)), List.of()), false);
    FileIndex kept = d.filesRetained().get(0);
    assertThat(kept.metadata().mode()).isEqualTo(0600);
    assertThat(kept.blobs()).hasSize(1);
  }

  @Test
  void anyChangeOfSizeOrNanosecondMtimeIsAddedAndTheOldEntryRemoved() {
    DirIndex remote = dir(List.of(indexed("a", 100, 5), indexed("b", 100, 5)), List.of());
    DirDiff d = DirDiff.compute(List.of(file("a", 101, 5), file("b", 100, 6)), remote, false);
    assertThat(d.filesAdded()).extracting(LocalEntry::name).containsExactly("a", "b");
    assertThat(d.filesRemoved()).containsExactly("a", "b");
  }

  @Test
  void fullCheckReadsEverything() {
    DirDiff d =
        DirDiff.compute(
            List.of(file("a", 100, 5)), dir(List.of(indexed("a", 100, 5)), List.of()), true);
    assertThat(d.filesAdded()).hasSize(1);
    assertThat(d.filesRetained()).isEmpty();
  }

  @Test
  void goneFilesAndDirectoriesAreRemoved() {
    DirIndex sub = new DirIndex("old", meta(0, 0), List.of(), List.of(), List.of(), List.of());
    DirDiff d =
        DirDiff.compute(List.of(), dir(List.of(indexed("gone", 1, 1)), List.of(sub)), false);
    assertThat(d.filesRemoved()).containsExactly("gone");
    assertThat(d.subDirsRemoved()).containsExactly("old");
  }

  @Test
  void directoriesOnBothSidesAreRetainedAndNewOnesAdded() {
    DirIndex sub = new DirIndex("kept", meta(0, 0), List.of(), List.of(), List.of(), List.of());
    LocalEntry kept = new LocalEntry("kept", LocalEntry.Type.DIRECTORY, meta(0, 1), null);
    LocalEntry added = new LocalEntry("new", LocalEntry.Type.DIRECTORY, meta(0, 1), null);
    DirDiff d = DirDiff.compute(List.of(added, kept), dir(List.of(), List.of(sub)), false);
    assertThat(d.subDirsAdded()).extracting(LocalEntry::name).containsExactly("new");
    assertThat(d.subDirsRetained()).extracting(r -> r.remote().name()).containsExactly("kept");
  }

  @Test
  void aFileThatBecameADirectoryIsRemovedAsAFileAndAddedAsADirectory() {
    LocalEntry nowDir = new LocalEntry("x", LocalEntry.Type.DIRECTORY, meta(0, 1), null);
    DirDiff d =
        DirDiff.compute(List.of(nowDir), dir(List.of(indexed("x", 1, 1)), List.of()), false);
    assertThat(d.filesRemoved()).containsExactly("x");
    assertThat(d.subDirsAdded()).extracting(LocalEntry::name).containsExactly("x");
  }

  @Test
  void symlinksAreComparedByTargetAndOtherTypesSkipped() {
    FileIndex link = FileIndex.symlink("l", meta(0, 1), "a");
    LocalEntry same = new LocalEntry("l", LocalEntry.Type.SYMLINK, meta(0, 9), "a");
    LocalEntry retargeted = new LocalEntry("m", LocalEntry.Type.SYMLINK, meta(0, 1), "c");
    LocalEntry fifo = new LocalEntry("pipe", LocalEntry.Type.OTHER, meta(0, 1), null);
    DirDiff d =
        DirDiff.compute(
            List.of(same, retargeted, fifo),
            dir(List.of(link, FileIndex.symlink("m", meta(0, 1), "b")), List.of()),
            false);
    assertThat(d.filesRetained()).extracting(FileIndex::name).containsExactly("l");
    assertThat(d.filesAdded()).extracting(LocalEntry::name).containsExactly("m");
    assertThat(d.skipped()).extracting(LocalEntry::name).containsExactly("pipe");
  }

  @Test
  void aFileThatWasASymlinkIsAdded() {
    LocalEntry nowFile = file("l", 0, 1);
    DirDiff d =
        DirDiff.compute(
            List.of(nowFile),
            dir(List.of(FileIndex.symlink("l", meta(0, 1), "a")), List.of()),
            false);
    assertThat(d.filesAdded()).hasSize(1);
  }

  @Test
  void withNoPreviousSnapshotEverythingIsAdded() {
    DirDiff d = DirDiff.compute(List.of(file("a", 1, 1)), null, false);
    assertThat(d.filesAdded()).hasSize(1);
    assertThat(d.filesRemoved()).isEmpty();
  }
}
