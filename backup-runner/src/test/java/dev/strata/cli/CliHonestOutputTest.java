package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.engine.TreeDiff;
import dev.strata.engine.Trees;
import dev.strata.engine.store.StoreLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the command line prints says no more than it knows: a usage error is one line and a pointer
 * to the command's help, not the whole help page; a store whose snapshot objects cannot be read is
 * not said to have none; a diff names the files whose metadata alone a backup would record anew.
 */
class CliHonestOutputTest {

  @TempDir Path tmp;

  CliUxTest.Run strata(String... args) {
    return CliUxTest.strata(Map.of("HOME", tmp.resolve("home").toString()), args);
  }

  String store() {
    return tmp.resolve("store").toUri().toString();
  }

  @Test
  void aUsageErrorIsOneLineAndAPointerToTheCommandsHelp() {
    CliUxTest.Run two = strata("forget", "--store", store(), "A", "B");
    assertThat(two.code()).isEqualTo(StrataCli.USAGE);
    assertThat(two.err())
        .isEqualTo(
            "strata: Unmatched argument at index 4: 'B'\n"
                + "Run `strata forget --help` for its options.\n");
    assertThat(two.out()).isEmpty();

    // Every command's parse errors go the same way, with picocli's suggestion kept.
    CliUxTest.Run unknown = strata("snapshots", "--store", store(), "--jsn");
    assertThat(unknown.code()).isEqualTo(StrataCli.USAGE);
    assertThat(unknown.err())
        .startsWith("strata: Unknown option: '--jsn'\n")
        .contains("--json")
        .endsWith("Run `strata snapshots --help` for its options.\n")
        .doesNotContain("Usage:");
    CliUxTest.Run missing = strata("diff", "--store", store(), "latest");
    assertThat(missing.err())
        .startsWith("strata: Missing required option: '--source=DIR'\n")
        .endsWith("Run `strata diff --help` for its options.\n")
        .hasLineCount(2);
    CliUxTest.Run subKey = strata("key", "list", "--store", store(), "extra");
    assertThat(subKey.err())
        .endsWith("Run `strata key list --help` for its options.\n")
        .hasLineCount(2);

    // strata alone still lists the commands, in its one line.
    CliUxTest.Run none = strata();
    assertThat(none.code()).isEqualTo(StrataCli.USAGE);
    assertThat(none.err())
        .startsWith("strata: name a command: backup, restore,")
        .endsWith("Run `strata --help` for its options.\n")
        .hasLineCount(2);
  }

  /** CliUxTest's helpers (backup, with its store under this test's directory). */
  CliUxTest ux() {
    CliUxTest ux = new CliUxTest();
    ux.tmp = tmp;
    return ux;
  }

  String backup(Path src, String sourceId) throws IOException {
    return ux().backup(src, sourceId);
  }

  /** Cuts the snapshot object of {@code id} in half. */
  void damage(String id) throws IOException {
    Path object;
    try (Stream<Path> files = Files.walk(tmp.resolve("store").resolve(StoreLayout.SNAPSHOTS))) {
      object = files.filter(p -> p.toString().contains(id)).findFirst().orElseThrow();
    }
    byte[] b = Files.readAllBytes(object);
    Files.write(object, java.util.Arrays.copyOf(b, b.length / 2));
  }

  @Test
  void snapshotsOfAStoreWhoseOnlySnapshotIsDamagedSaysSoNotThatThereAreNone() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Trees.write(src.resolve("f"), "x".getBytes());
    String id = backup(src, "app");
    damage(id);

    CliUxTest.Run r = strata("snapshots", "--store", store());
    assertThat(r.code()).isEqualTo(StrataCli.FAILED);
    assertThat(r.out()).isEqualTo("no readable snapshots: 1 snapshot could not be read\n");
    assertThat(r.err()).startsWith("strata: snapshot " + id + " cannot be read: ");
    CliUxTest.Run of = strata("snapshots", "--store", store(), "--source-id", "app");
    assertThat(of.out()).isEqualTo("no readable snapshots of app: 1 snapshot could not be read\n");

    String other = backup(src, "db");
    damage(other);
    CliUxTest.Run two = strata("snapshots", "--store", store());
    assertThat(two.code()).isEqualTo(StrataCli.FAILED);
    assertThat(two.out()).isEqualTo("no readable snapshots: 2 snapshots could not be read\n");
    assertThat(two.err().lines()).hasSize(2);

    // A source with none at all still says so, and exits 0.
    CliUxTest.Run empty = strata("snapshots", "--store", store(), "--source-id", "web");
    assertThat(empty.code()).isZero();
    assertThat(empty.out()).isEqualTo("no snapshots of web\n");
    assertThat(List.of(empty.err())).containsExactly("");
  }

  /**
   * A chmod, like a chown or a new extended attribute, leaves size and modification time as they
   * were: the backup keeps the content but records the new metadata, so diff must not call the file
   * unchanged.
   */
  @Test
  void diffReportsAMetadataOnlyChangeApartFromAContentChange() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    for (String name : List.of("f", "g", "d/h", "d/x", "c")) {
      Trees.write(src.resolve(name), name.getBytes());
    }
    Files.setPosixFilePermissions(src.resolve("f"), PosixFilePermissions.fromString("rw-r--r--"));
    Files.setPosixFilePermissions(src.resolve("d"), PosixFilePermissions.fromString("rwxr-xr-x"));
    String id = backup(src, "app");

    Files.setPosixFilePermissions(src.resolve("f"), PosixFilePermissions.fromString("rw-------"));
    Files.setPosixFilePermissions(src.resolve("d"), PosixFilePermissions.fromString("rwx------"));
    Files.getFileAttributeView(src.resolve("d/x"), UserDefinedFileAttributeView.class)
        .write("user.tag", java.nio.ByteBuffer.wrap("1".getBytes()));
    // A content change with a chmod is a content change.
    Files.setPosixFilePermissions(src.resolve("c"), PosixFilePermissions.fromString("rwx------"));
    Files.write(src.resolve("c"), "longer".getBytes());

    CliUxTest.Run diff = strata("diff", id, "--store", store(), "--source", src.toString());
    assertThat(diff.code()).as(diff.err()).isZero();
    assertThat(diff.out())
        .isEqualTo(
            "M c\n"
                + "U f\n"
                + "U d/\n"
                + "U d/x\n"
                + "0 added, 1 changed, 3 metadata only, 0 removed, 2 unchanged\n");
    TreeDiff json =
        strata("diff", id, "--store", store(), "--source", src.toString(), "--json")
            .json(TreeDiff.class);
    assertThat(json.changed()).containsExactly("c");
    assertThat(json.metadataChanged()).containsExactly("f", "d/", "d/x");
    assertThat(json.unchanged()).isEqualTo(2);

    // The backup records what diff announced: against it, nothing is left to change.
    String next = backup(src, "app");
    CliUxTest.Run after = strata("diff", next, "--store", store(), "--source", src.toString());
    assertThat(after.out())
        .isEqualTo("0 added, 0 changed, 0 metadata only, 0 removed, 5 unchanged\n");

    // A directory's new mtime is news only when none of its entries explains it.
    Trees.write(src.resolve("d/new"), "n".getBytes());
    assertThat(strata("diff", next, "--store", store(), "--source", src.toString()).out())
        .isEqualTo("+ d/new\n1 added, 0 changed, 0 metadata only, 0 removed, 5 unchanged\n");
    Files.delete(src.resolve("d/new"));
    Files.setLastModifiedTime(src.resolve("d"), java.nio.file.attribute.FileTime.fromMillis(0));
    assertThat(strata("diff", next, "--store", store(), "--source", src.toString()).out())
        .isEqualTo("U d/\n0 added, 0 changed, 1 metadata only, 0 removed, 5 unchanged\n");
  }
}
