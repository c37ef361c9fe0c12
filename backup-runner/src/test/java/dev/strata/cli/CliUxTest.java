package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.engine.FormatOne;
import dev.strata.engine.Trees;
import dev.strata.engine.format.Repository;
import dev.strata.engine.format.StoreConfig;
import dev.strata.engine.index.FileIndex;
import dev.strata.engine.index.IndexCodec;
import dev.strata.engine.index.SnapshotIndex;
import dev.strata.engine.index.SnapshotSummary;
import dev.strata.engine.report.BackupReport;
import dev.strata.engine.report.RestoreReport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line as restic users expect it: settings from the environment and a config file,
 * snapshot ids by prefix and "latest", ls, dump, find, restores of a subset, --json everywhere, and
 * help that reads well. Every run gets its own environment, so a config file of the machine's user
 * never leaks in.
 */
class CliUxTest {

  @TempDir Path tmp;

  record Run(int code, String out, String err, byte[] raw) {
    <T> T json(Class<T> type) throws IOException {
      return IndexCodec.mapper().readValue(out, type);
    }
  }

  /** Runs strata with exactly this environment. */
  static Run strata(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    int code =
        StrataCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true), raw, env);
    return new Run(code, out.toString(), err.toString(), raw.toByteArray());
  }

  Run strata(String... args) {
    return strata(Map.of("HOME", tmp.resolve("home").toString()), args);
  }

  String store() {
    return tmp.resolve("store").toUri().toString();
  }

  String backup(Path src, String sourceId) throws IOException {
    Run b =
        strata(
            "backup",
            "--store",
            store(),
            "--source",
            src.toString(),
            "--source-id",
            sourceId,
            "--json");
    assertThat(b.code()).as(b.err()).isZero();
    return b.json(BackupReport.class).snapshotId();
  }

  // ---- settings
  // ------------------------------------------------------------------------------------------------

  @Test
  void theStoreComesFromTheFlagThenTheVariableThenTheConfigFile() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Trees.write(src.resolve("f"), "x".getBytes());
    String id = backup(src, "s");
    Path home = tmp.resolve("home");
    Path config = Files.createDirectories(home.resolve(".config/strata")).resolve("config");
    Files.writeString(
        config,
        "# where our snapshots are\nstore = " + store() + "\n\nendpoint = http://192.0.2.1:9\n");

    Run fromFile = strata(Map.of("HOME", home.toString()), "snapshots", "--json");
    assertThat(fromFile.code()).as(fromFile.err()).isZero();
    assertThat(fromFile.out()).contains(id);

    Path other = tmp.resolve("other");
    Files.createDirectories(other);
    Run fromVariable =
        strata(
            Map.of("HOME", home.toString(), "STRATA_STORE", other.toUri().toString()), "snapshots");
    assertThat(fromVariable.code()).as(fromVariable.err()).isZero();
    assertThat(fromVariable.out()).contains("no snapshots");

    Run fromFlag =
        strata(
            Map.of("HOME", home.toString(), "STRATA_STORE", other.toUri().toString()),
            "snapshots",
            "--store",
            store());
    assertThat(fromFlag.out()).contains(id);

    Path xdg = Files.createDirectories(tmp.resolve("xdg/strata"));
    Files.writeString(xdg.resolve("config"), "store=" + store());
    assertThat(strata(Map.of("XDG_CONFIG_HOME", tmp.resolve("xdg").toString()), "snapshots").out())
        .contains(id);
    Path named = Files.writeString(tmp.resolve("named.conf"), "store = " + store());
    assertThat(strata(Map.of("STRATA_CONFIG", named.toString()), "snapshots").out()).contains(id);
  }

  @Test
  void aBadConfigFileOrNoStoreSaysWhatToFix() throws IOException {
    Run none = strata("snapshots");
    assertThat(none.code()).isEqualTo(2);
    assertThat(none.err()).contains("--store").contains("STRATA_STORE");

    Path config =
        Files.writeString(tmp.resolve("c"), "store = file:///x\nsecret-access-key = hunter2\n");
    Run unknown = strata(Map.of("STRATA_CONFIG", config.toString()), "snapshots");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err())
        .contains(config + ", line 2")
        .contains("unknown setting 'secret-access-key'")
        .contains("secret-access-key-file")
        .doesNotContain("hunter2");

    Run missing = strata(Map.of("STRATA_CONFIG", tmp.resolve("nope").toString()), "snapshots");
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("STRATA_CONFIG").contains("does not exist");

    Run badBoolean =
        strata(
            Map.of(
                "STRATA_STORE",
                "s3://b",
                "STRATA_PATH_STYLE",
                "maybe",
                "AWS_ACCESS_KEY_ID",
                "a",
                "AWS_SECRET_ACCESS_KEY",
                "b"),
            "snapshots");
    assertThat(badBoolean.code()).isEqualTo(2);
    assertThat(badBoolean.err()).contains("STRATA_PATH_STYLE").contains("use true or false");
  }

  @Test
  void keysFromFilesAreReadButNeverPrinted() throws IOException {
    Path id = Files.writeString(tmp.resolve("id"), "AKIDFROMFILE\n");
    Settings s =
        Settings.of(
            Map.of(
                "STRATA_ACCESS_KEY_ID_FILE",
                id.toString(),
                "STRATA_SECRET_ACCESS_KEY_FILE",
                tmp.resolve("missing").toString()));
    Run run =
        strata(
            Map.of(
                "STRATA_STORE",
                "s3://bucket",
                "STRATA_ACCESS_KEY_ID_FILE",
                id.toString(),
                "STRATA_SECRET_ACCESS_KEY_FILE",
                tmp.resolve("missing").toString()),
            "snapshots");
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err())
        .contains("secret-access-key-file")
        .contains("STRATA_SECRET_ACCESS_KEY_FILE")
        .contains("no such file")
        .doesNotContain("AKIDFROMFILE");
    Path secret = Files.writeString(tmp.resolve("secret"), "s3cr3t\n");
    Map<String, String> env =
        new HashMap<>(
            Map.of(
                "STRATA_ACCESS_KEY_ID_FILE",
                id.toString(),
                "STRATA_SECRET_ACCESS_KEY_FILE",
                secret.toString()));
    Map<String, String> creds = Settings.of(env).credentialEnv(true);
    assertThat(creds)
        .containsEntry("AWS_ACCESS_KEY_ID", "AKIDFROMFILE")
        .containsEntry("AWS_SECRET_ACCESS_KEY", "s3cr3t");
    // Variables set in the environment win over files.
    env.put("AWS_ACCESS_KEY_ID", "fromenv");
    env.put("AWS_SECRET_ACCESS_KEY", "fromenv2");
    assertThat(Settings.of(env).credentialEnv(true)).containsEntry("AWS_ACCESS_KEY_ID", "fromenv");
    assertThat(s.get("store")).isNull();
    Run only =
        strata(
            Map.of("STRATA_STORE", "s3://bucket", "STRATA_ACCESS_KEY_ID_FILE", id.toString()),
            "snapshots");
    assertThat(only.code()).isEqualTo(2);
    assertThat(only.err()).contains("set both");
  }

  @Test
  void snapshotsOfAMistypedStoreFailAndSayWhatToFix() {
    Run missing = strata("snapshots", "--store", tmp.resolve("no-such-store").toUri().toString());
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).contains("does not exist").contains("check --store");
    Run relative = strata("snapshots", "--store", "file://tmp/store");
    assertThat(relative.code()).isEqualTo(2);
    assertThat(relative.err()).contains("must name an absolute directory, like file:///");
    Run plain = strata("snapshots", "--store", tmp.resolve("no-such-store").toString());
    assertThat(plain.code()).isEqualTo(1);
    assertThat(plain.err()).contains("does not exist");
  }

  /**
   * A file that cannot be read or written is named with the reason in words: a missing key file
   * said "cannot read the key file /x: /x", and a local store that could not be written said
   * "java.nio.file.FileSystemException: ...".
   */
  @Test
  void fileErrorsSayWhyInWordsWithoutJavaClassNames() throws IOException {
    Path missing = tmp.resolve("no-such-key");
    Run key =
        strata("init", "--store", tmp.resolve("s1").toString(), "--key-file", missing.toString());
    assertThat(key.code()).isEqualTo(2);
    assertThat(key.err().strip())
        .isEqualTo("strata: cannot read the key file " + missing + ": no such file or directory");

    Path store = Files.createDirectories(tmp.resolve("s2"));
    Files.writeString(store.resolve("packs"), "a file where the store needs a directory");
    Path src = Files.createDirectories(tmp.resolve("src"));
    Trees.write(src.resolve("f"), "x".getBytes());
    Run backup =
        strata(
            Map.of("HOME", tmp.resolve("home").toString(), "STRATA_RETRY_DEADLINE", "1"),
            "backup",
            "--store",
            store.toString(),
            "--source",
            src.toString());
    assertThat(backup.code()).isEqualTo(1);
    assertThat(backup.err().strip())
        .startsWith("strata: cannot write packs/")
        .contains(store.resolve("packs") + "/")
        .endsWith(": not a directory")
        .doesNotContain("java.")
        .doesNotContain("Exception");
  }

  /**
   * The S3 errors are shared with the operator, whose users fix a SnapshotStore: at a shell they
   * said "check spec.endpoint" and "check the credentials Secret", which a person with only
   * `strata` has neither of. They name the options and variables instead.
   */
  @Test
  void s3ErrorsNameTheOptionsToFixNotTheOperatorsFields() {
    Map<String, String> env =
        Map.of(
            "HOME", tmp.resolve("home").toString(),
            "AWS_ACCESS_KEY_ID", "probe",
            "AWS_SECRET_ACCESS_KEY", "probe-secret",
            "STRATA_RETRY_DEADLINE", "1");
    Run refused =
        strata(env, "snapshots", "--store", "s3://bucket", "--endpoint", "http://127.0.0.1:1");
    assertThat(refused.code()).isEqualTo(1);
    assertThat(refused.err())
        .contains("(connection refused): check --endpoint and that the server is running")
        .doesNotContain("spec.")
        .doesNotContain("probe-secret");
    Run prefixed =
        strata(env, "snapshots", "--store", "s3://bucket", "--endpoint", "http://127.0.0.1:1/x");
    assertThat(prefixed.err()).doesNotContain("spec.");
  }

  // ---- snapshot ids
  // ----------------------------------------------------------------------------------------------

  @Test
  void snapshotsAreNamedByLatestOrAUniquePrefix() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Trees.write(src.resolve("f"), "one".getBytes());
    String first = backup(src, "app");
    Trees.write(src.resolve("f"), "two!".getBytes());
    String second = backup(src, "app");

    Run latest = strata("dump", "--store", store(), "latest", "f");
    assertThat(latest.code()).as(latest.err()).isZero();
    assertThat(new String(latest.raw(), StandardCharsets.UTF_8)).isEqualTo("two!");

    // The shortest prefix that tells them apart (ids share their time prefix).
    int n = 0;
    while (first.charAt(n) == second.charAt(n)) {
      n++;
    }
    Run byPrefix = strata("dump", "--store", store(), first.substring(0, n + 1), "f");
    assertThat(new String(byPrefix.raw(), StandardCharsets.UTF_8)).isEqualTo("one");

    Run ambiguous = strata("show", "--store", store(), "--snapshot", first.substring(0, n));
    assertThat(ambiguous.code()).isEqualTo(2);
    assertThat(ambiguous.err())
        .contains("names 2 snapshots")
        .contains(first)
        .contains(second)
        .contains("give more of the id");

    Run none = strata("show", "--store", store(), "--snapshot", "1999");
    assertThat(none.code()).isEqualTo(1);
    assertThat(none.err()).contains("no snapshot id starts with '1999'");

    Path other = Files.createDirectories(tmp.resolve("other"));
    Trees.write(other.resolve("g"), "other".getBytes());
    String third = backup(other, "db");
    Run twoSources = strata("show", "--store", store(), "--snapshot", "latest");
    assertThat(twoSources.code()).isEqualTo(2);
    assertThat(twoSources.err()).contains("latest is ambiguous").contains("--source-id");
    assertThat(
            strata("show", "--store", store(), "--snapshot", "latest", "--source-id", "app").out())
        .contains(second);
    assertThat(
            strata("show", "--store", store(), "--snapshot", "latest", "--source-id", "db").out())
        .contains(third);

    Path target = tmp.resolve("t");
    Run restore =
        strata(
            "restore",
            "--store",
            store(),
            "--snapshot",
            "latest",
            "--source-id",
            "app",
            "--target",
            target.toString(),
            "--json");
    assertThat(restore.code()).as(restore.err()).isZero();
    assertThat(restore.json(RestoreReport.class).snapshotId()).isEqualTo(second);

    Run forget =
        strata(
            "forget",
            "--store",
            store(),
            "--snapshot",
            first.substring(0, Math.max(n + 1, Snapshots.MIN_PREFIX)),
            "--json");
    assertThat(forget.code()).as(forget.err()).isZero();
    ForgetCommand.Forgotten f = forget.json(ForgetCommand.Forgotten.class);
    assertThat(f.snapshotId()).isEqualTo(first);
    assertThat(f.tombstone()).contains(first);
    assertThat(strata("forget", "--store", store(), "--snapshot", "latest").code()).isEqualTo(2);
  }

  /**
   * `strata forget 2026` forgot whatever one snapshot the store held, without a word: snapshot ids
   * start with their date, so a prefix of a year (or a month, a day) is more likely a slip than a
   * choice. Forget, and a restore over a target's files, refuse a prefix shorter than the date and
   * the time to the minute, saying which id to type, unless --allow-short-prefix; read-only
   * commands take it.
   */
  @Test
  void aShortPrefixForgetsOrOverwritesNothingUnlessAskedPlainly() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Trees.write(src.resolve("f"), "one".getBytes());
    String only = backup(src, "app");
    String year = only.substring(0, 4);

    Run forget = strata("forget", "--store", store(), year);
    assertThat(forget.code()).as(forget.out()).isEqualTo(2);
    assertThat(forget.err())
        .contains("'" + year + "' is too short to name a snapshot to forget")
        .contains("Give its id, " + only)
        .contains("--allow-short-prefix");
    assertThat(strata("snapshots", "--store", store()).out()).contains(only);

    // Read-only commands stay lenient.
    Run show = strata("show", "--store", store(), year);
    assertThat(show.code()).as(show.err()).isZero();
    assertThat(show.out()).contains(only);

    // A restore over a target's files is refused too, and leaves them as they were.
    Path target = Files.createDirectories(tmp.resolve("t"));
    Trees.write(target.resolve("f"), "mine".getBytes());
    Trees.write(target.resolve("g"), "also mine".getBytes());
    Run sync =
        strata(
            "restore", "--store", store(), year, "--target", target.toString(), "--mode", "sync");
    assertThat(sync.code()).as(sync.out()).isEqualTo(2);
    assertThat(sync.err()).contains("too short to name the snapshot to restore with --mode sync");
    assertThat(Files.readString(target.resolve("f"))).isEqualTo("mine");
    assertThat(target.resolve("g")).exists();
    Run empty =
        strata("restore", "--store", store(), year, "--target", tmp.resolve("e").toString());
    assertThat(empty.code()).as(empty.err()).isZero();
    Run overwrite =
        strata(
            "restore",
            "--store",
            store(),
            only.substring(0, Snapshots.MIN_PREFIX),
            "--target",
            target.toString(),
            "--mode",
            "overwrite");
    assertThat(overwrite.code()).as(overwrite.err()).isZero();
    assertThat(Files.readString(target.resolve("f"))).isEqualTo("one");

    Run plainly = strata("forget", "--store", store(), year, "--allow-short-prefix", "--json");
    assertThat(plainly.code()).as(plainly.err()).isZero();
    assertThat(plainly.json(ForgetCommand.Forgotten.class).snapshotId()).isEqualTo(only);

    Trees.write(src.resolve("f"), "two".getBytes());
    String next = backup(src, "app");
    Run toTheMinute =
        strata("forget", "--store", store(), next.substring(0, Snapshots.MIN_PREFIX), "--json");
    assertThat(toTheMinute.code()).as(toTheMinute.err()).isZero();
    assertThat(toTheMinute.json(ForgetCommand.Forgotten.class).snapshotId()).isEqualTo(next);
  }

  /**
   * `--source-id` went unread beside an id or a prefix: `strata restore 20261207T0915 --source-id
   * app --mode sync` restored whatever source's snapshot the prefix matched over the app's
   * directory. With --source-id, an id or prefix names a snapshot of that source: a prefix chooses
   * among that source's snapshots only, and one of another source is refused, saying whose it is.
   */
  @Test
  void anIdOrPrefixWithSourceIdNamesASnapshotOfThatSourceOnly() throws IOException {
    Path app = Files.createDirectories(tmp.resolve("app"));
    Trees.write(app.resolve("f"), "app".getBytes());
    String appId = backup(app, "app");
    Path db = Files.createDirectories(tmp.resolve("db"));
    Trees.write(db.resolve("f"), "db".getBytes());
    String dbId = backup(db, "db");
    int n = 0;
    while (appId.charAt(n) == dbId.charAt(n)) {
      n++;
    }

    Run full = strata("show", "--store", store(), dbId, "--source-id", "app");
    assertThat(full.code()).as(full.out()).isEqualTo(2);
    assertThat(full.err()).contains(dbId).contains("not a snapshot of source 'app'");

    Path target = Files.createDirectories(tmp.resolve("t"));
    Trees.write(target.resolve("f"), "live app data".getBytes());
    Run sync =
        strata(
            "restore",
            "--store",
            store(),
            dbId.substring(0, Math.max(n + 1, Snapshots.MIN_PREFIX)),
            "--source-id",
            "app",
            "--target",
            target.toString(),
            "--mode",
            "sync");
    assertThat(sync.code()).as(sync.out()).isEqualTo(2);
    assertThat(sync.err()).contains("no snapshot of source 'app'").contains(dbId);
    assertThat(Files.readString(target.resolve("f"))).isEqualTo("live app data");

    // A prefix both sources' ids share names the one of the source given.
    Run shared = strata("show", "--store", store(), appId.substring(0, n), "--source-id", "db");
    assertThat(shared.code()).as(shared.err()).isZero();
    assertThat(shared.out()).contains(dbId).doesNotContain(appId);
    Run ok = strata("show", "--store", store(), appId, "--source-id", "app");
    assertThat(ok.code()).as(ok.err()).isZero();
  }

  // ---- ls, dump, find
  // --------------------------------------------------------------------------------------------

  @Test
  void lsListsASnapshotOrADirectoryInIt() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Trees.makeRichTree(src);
    String id = backup(src, "rich");

    Run all = strata("ls", "--store", store(), id);
    assertThat(all.code()).as(all.err()).isZero();
    assertThat(all.out().lines())
        .contains("a/", "a/b/c/deep.txt", "big/large.sst", "empty/nested-empty/", "link-rel");

    Run dir = strata("ls", "--store", store(), id, "/a/b/");
    assertThat(dir.out().lines()).containsExactly("a/b/", "a/b/c/", "a/b/c/deep.txt");

    Run json = strata("ls", "--store", store(), id, "big", "--json");
    TreeWalk.Node[] nodes = json.json(TreeWalk.Node[].class);
    assertThat(nodes).extracting(TreeWalk.Node::path).containsExactly("big", "big/large.sst");
    assertThat(nodes[1].type()).isEqualTo("file");
    assertThat(nodes[1].size()).isEqualTo(300_000);
    assertThat(nodes[1].mtime().getEpochSecond()).isEqualTo(1_000_000_000L);

    Run link = strata("ls", "--store", store(), id, "link-rel", "--long");
    assertThat(link.out()).startsWith("l").contains("link-rel -> a/b/c/deep.txt");
    assertThat(strata("ls", "--store", store(), id, "modes/setuid", "-l").out())
        .startsWith("-4751");

    Run missing = strata("ls", "--store", store(), id, "no/such");
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).contains("has no no/such");
  }

  @Test
  void dumpPrintsOneFileByteForByte() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Trees.makeRichTree(src);
    byte[] big = Files.readAllBytes(src.resolve("big/large.sst"));
    Files.createLink(src.resolve("big/hard.sst"), src.resolve("big/large.sst"));
    String id = backup(src, "rich");

    Run dump = strata("dump", "--store", store(), id, "big/large.sst");
    assertThat(dump.code()).as(dump.err()).isZero();
    assertThat(dump.raw()).isEqualTo(big);
    assertThat(dump.out()).isEmpty();
    assertThat(strata("dump", "--store", store(), id, "big/hard.sst").raw()).isEqualTo(big);
    assertThat(strata("dump", "--store", store(), id, "zero.bin").raw()).isEmpty();
    assertThat(strata("dump", "--store", store(), id, "ünïcødé/数据 файл.txt").raw())
        .isEqualTo("unicode".getBytes(StandardCharsets.UTF_8));

    // A directory is a tar archive now (DumpTarAndSnapshotArgumentTest reads it back).
    Run dir = strata("dump", "--store", store(), id, "a");
    assertThat(dir.code()).as(dir.err()).isZero();
    assertThat(dir.raw().length % 512).isZero();
    assertThat(new String(dir.raw(), StandardCharsets.ISO_8859_1))
        .contains("a/b/c/deep.txt")
        .contains("ustar");
    Run link = strata("dump", "--store", store(), id, "link-rel");
    assertThat(link.code()).isEqualTo(2);
    assertThat(link.err()).contains("is a symlink to a/b/c/deep.txt");
    assertThat(strata("dump", "--store", store(), id, "nope").code()).isEqualTo(1);
  }

  @Test
  void findSearchesEverySnapshotByNameOrPath() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Trees.write(src.resolve("db/000001.sst"), "1".getBytes());
    Trees.write(src.resolve("db/CURRENT"), "c".getBytes());
    String first = backup(src, "app");
    Trees.write(src.resolve("db/sub/000002.sst"), "2".getBytes());
    String second = backup(src, "app");

    Run json = strata("find", "--store", store(), "*.sst", "--json");
    assertThat(json.code()).as(json.err()).isZero();
    FindCommand.Match[] matches = json.json(FindCommand.Match[].class);
    assertThat(Arrays.stream(matches).map(m -> m.snapshotId() + " " + m.entry().path()))
        .containsExactly(
            first + " db/000001.sst", second + " db/000001.sst", second + " db/sub/000002.sst");
    assertThat(matches[0].sourceId()).isEqualTo("app");

    Run anchored = strata("find", "--store", store(), "db/*.sst", "--snapshot", second);
    assertThat(anchored.out())
        .contains("snapshot " + second)
        .contains("db/000001.sst")
        .doesNotContain("000002");
    Run deep = strata("find", "--store", store(), "db/**/CURRENT", "/db/sub");
    assertThat(deep.out()).contains("db/CURRENT").contains("db/sub/").contains(first);
    assertThat(strata("find", "--store", store(), "nothing*").out())
        .contains("no match in 2 snapshots");
    assertThat(strata("find", "--store", store(), "[abc").code()).isEqualTo(2);
  }

  // ---- restoring a subset
  // --------------------------------------------------------------------------------------

  @Test
  void aRestoreOfASubsetWritesOnlyIt() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Trees.makeRichTree(src);
    Trees.write(src.resolve("big/tmp.log"), "log".getBytes());
    String id = backup(src, "rich");

    Path target = tmp.resolve("t");
    Run r =
        strata(
            "restore",
            "--store",
            store(),
            "--snapshot",
            id,
            "--target",
            target.toString(),
            "--include",
            "big",
            "--include",
            "a/b/**",
            "--exclude",
            "*.log",
            "--json");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.json(RestoreReport.class).files()).isEqualTo(2);
    assertThat(Trees.describe(target).keySet())
        .containsExactlyInAnyOrder(
            ".", "a", "a/b", "a/b/c", "a/b/c/deep.txt", "big", "big/large.sst");
    assertThat(Files.readAllBytes(target.resolve("big/large.sst")))
        .isEqualTo(Files.readAllBytes(src.resolve("big/large.sst")));
    assertThat(Files.getLastModifiedTime(target.resolve("a/b/c/deep.txt")))
        .isEqualTo(Files.getLastModifiedTime(src.resolve("a/b/c/deep.txt")));

    Run bad =
        strata(
            "restore",
            "--store",
            store(),
            "--snapshot",
            id,
            "--target",
            tmp.resolve("u").toString(),
            "--include",
            "[x");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("--include").contains("without its ]");
  }

  @Test
  void aSelectionThatMatchesNothingIsAFailureNotAnEmptyRestore() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Trees.makeRichTree(src);
    String id = backup(src, "rich");
    Path target = Files.createDirectories(tmp.resolve("t"));
    Trees.write(target.resolve("own.txt"), "the target's own".getBytes());
    for (String mode : List.of("empty", "sync")) {
      Path into = mode.equals("empty") ? tmp.resolve("new") : target;
      Run typo = restore(id, into, "--mode", mode, "--include", "bgi/**");
      assertThat(typo.code()).as(mode + ": " + typo.err()).isEqualTo(1);
      assertThat(typo.err())
          .contains("nothing in snapshot " + id + " matches the selection (include [bgi/**])")
          .contains("nothing was restored");
    }
    assertThat(Trees.describe(target).keySet()).containsExactlyInAnyOrder(".", "own.txt");
    // Everything left out by --exclude is the same mistake.
    Run all = restore(id, tmp.resolve("x"), "--exclude", "*");
    assertThat(all.code()).as(all.err()).isEqualTo(1);
    assertThat(all.err()).contains("matches the selection (exclude [*])");
  }

  /** {@code strata restore --snapshot ID --target TARGET MORE...} on this test's store. */
  Run restore(String id, Path target, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "restore", "--store", store(), "--snapshot", id, "--target", target.toString()));
    args.addAll(List.of(more));
    return strata(args.toArray(String[]::new));
  }

  @Test
  void hardLinksIntoASubsetGetTheirContentWithoutWritingOutsideIt() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    byte[] data = Trees.random(9, 200_000);
    Trees.write(src.resolve("a/first.sst"), data);
    Files.createDirectories(src.resolve("b"));
    Files.createLink(src.resolve("b/second.sst"), src.resolve("a/first.sst"));
    Files.createLink(src.resolve("b/third.sst"), src.resolve("a/first.sst"));
    String id = backup(src, "links");

    Path target = tmp.resolve("t");
    Trees.write(target.resolve("a/first.sst"), "the target's own".getBytes());
    Run r =
        strata(
            "restore",
            "--store",
            store(),
            "--snapshot",
            id,
            "--target",
            target.toString(),
            "--mode",
            "overwrite",
            "--include",
            "b");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(Files.readAllBytes(target.resolve("b/second.sst"))).isEqualTo(data);
    assertThat(Files.isSameFile(target.resolve("b/second.sst"), target.resolve("b/third.sst")))
        .isTrue();
    assertThat(Files.readString(target.resolve("a/first.sst")))
        .as("outside the selection")
        .isEqualTo("the target's own");
  }

  @Test
  void aSyncRestoreOfASubsetNeverRemovesWhatIsOutsideIt() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Trees.write(src.resolve("db/000001.sst"), "1".getBytes());
    Trees.write(src.resolve("db/keep.cfg"), "cfg".getBytes());
    Trees.write(src.resolve("logs/app.log"), "log".getBytes());
    Trees.write(src.resolve("top.txt"), "top".getBytes());
    String id = backup(src, "app");

    Path target = tmp.resolve("t");
    assertThat(
            strata("restore", "--store", store(), "--snapshot", id, "--target", target.toString())
                .code())
        .isZero();
    // The target moves on: new files in and out of the subset, a changed file in it, one deleted in
    // it.
    Trees.write(target.resolve("db/000099.sst"), "new in db".getBytes());
    Trees.write(target.resolve("db/local.cfg"), "excluded by pattern".getBytes());
    Trees.write(target.resolve("db/extra/x.sst"), "nested new in db".getBytes());
    Trees.write(target.resolve("db/extra/y.cfg"), "excluded, nested".getBytes());
    Trees.write(target.resolve("logs/new.log"), "outside".getBytes());
    Trees.write(target.resolve("outside.txt"), "outside".getBytes());
    Trees.write(target.resolve("db/000001.sst"), "changed".getBytes());
    Files.delete(target.resolve("top.txt"));

    Run sync =
        strata(
            "restore",
            "--store",
            store(),
            "--snapshot",
            id,
            "--target",
            target.toString(),
            "--mode",
            "sync",
            "--include",
            "db",
            "--exclude",
            "*.cfg",
            "--json");
    assertThat(sync.code()).as(sync.err()).isZero();

    // Inside the subset: as in the snapshot.
    assertThat(Files.readString(target.resolve("db/000001.sst"))).isEqualTo("1");
    assertThat(target.resolve("db/000099.sst")).doesNotExist();
    assertThat(target.resolve("db/extra/x.sst")).doesNotExist();
    // Outside it (other directories, excluded names, a directory that still holds an excluded
    // file): untouched.
    assertThat(Files.readString(target.resolve("db/local.cfg"))).isEqualTo("excluded by pattern");
    assertThat(Files.readString(target.resolve("db/extra/y.cfg"))).isEqualTo("excluded, nested");
    assertThat(Files.readString(target.resolve("logs/new.log"))).isEqualTo("outside");
    assertThat(Files.readString(target.resolve("outside.txt"))).isEqualTo("outside");
    assertThat(Files.readString(target.resolve("db/keep.cfg"))).isEqualTo("cfg");
    assertThat(target.resolve("top.txt")).doesNotExist(); // not selected: not brought back either

    // A selected directory the snapshot lacks, with nothing excluded in it, goes as a whole.
    Trees.write(target.resolve("db/gone/a.sst"), "a".getBytes());
    assertThat(
            strata(
                    "restore",
                    "--store",
                    store(),
                    "--snapshot",
                    id,
                    "--target",
                    target.toString(),
                    "--mode",
                    "sync",
                    "--include",
                    "db")
                .code())
        .isZero();
    assertThat(target.resolve("db/gone")).doesNotExist();
    assertThat(target.resolve("db/extra/y.cfg")).doesNotExist(); // now selected: removed
    assertThat(Files.readString(target.resolve("outside.txt"))).isEqualTo("outside");
  }

  // ---- --json on verify, and tables
  // ------------------------------------------------------------------------------

  @Test
  void verifyPrintsItsResultAsJson() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Trees.write(src.resolve("f"), Trees.random(3, 5000));
    String id = backup(src, "v");
    Run ok = strata("verify", "--store", store(), "--all", "--read-data", "--json");
    assertThat(ok.code()).as(ok.err()).isZero();
    VerifyCommand.Result r = ok.json(VerifyCommand.Result.class);
    assertThat(r.ok()).isTrue();
    assertThat(r.readData()).isTrue();
    assertThat(r.snapshots())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.snapshotId()).isEqualTo(id);
              assertThat(c.status()).isEqualTo("ok");
              assertThat(c.blobsChecked()).isPositive();
            });

    var local = new dev.strata.engine.store.LocalBlobStoreManager(tmp.resolve("store"));
    String blob =
        Trees.tree(local, new dev.strata.engine.SnapshotCatalog(local).load(id))
            .file("f")
            .blobs()
            .get(0)
            .id();
    Files.delete(tmp.resolve("store").resolve(Trees.packKeyOf(local, blob)));
    Run bad = strata("verify", "--store", store(), "--snapshot", "latest", "--json");
    assertThat(bad.code()).isEqualTo(1);
    VerifyCommand.Result b = bad.json(VerifyCommand.Result.class);
    assertThat(b.ok()).isFalse();
    assertThat(b.snapshots().get(0).problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.path()).isEqualTo("f");
              assertThat(p.blobId()).isEqualTo(blob);
              assertThat(p.what()).contains("missing");
            });
  }

  @Test
  void keysAreListedAddedAndRemovedAsJsonWithTheKeyFileFromTheConfigFile() throws IOException {
    Path k1 = Files.writeString(tmp.resolve("k1"), "correct horse battery staple one\n");
    Path k2 = Files.writeString(tmp.resolve("k2"), "correct horse battery staple two\n");
    Path config =
        Files.writeString(
            tmp.resolve("config"), "store = " + store() + "\nkey-file = " + k1 + "\n");
    Map<String, String> env = Map.of("STRATA_CONFIG", config.toString());
    Run init = strata(env, "init", "--json");
    assertThat(init.code()).as(init.err()).isZero();
    // The store's config as the store holds it: encrypted, since the config file gives a key.
    StoreConfig created = init.json(StoreConfig.class);
    assertThat(created.formatVersion()).isEqualTo(StoreConfig.FORMAT_VERSION);
    assertThat(created.storeId()).matches("[0-9a-f]{32}");
    assertThat(created.encryption()).isEqualTo(StoreConfig.AES_256_GCM);
    assertThat(created.keyCheck()).isNotBlank();
    assertThat(created.packSize()).isEqualTo(StoreConfig.DEFAULT_PACK_SIZE);
    assertThat(created.chunker()).isEqualTo(StoreConfig.ChunkerParams.DEFAULT);
    try (var local = new dev.strata.engine.store.LocalBlobStoreManager(tmp.resolve("store"))) {
      assertThat(Repository.peekConfig(local)).contains(created);
    }

    Run add =
        strata(env, "key", "add", "--new-key-file", k2.toString(), "--note", "team b", "--json");
    assertThat(add.code()).as(add.err()).isZero();
    KeyCommand.Key added = add.json(KeyCommand.Key.class);
    assertThat(added.note()).isEqualTo("team b");

    KeyCommand.Key[] keys = strata(env, "key", "list", "--json").json(KeyCommand.Key[].class);
    assertThat(keys).hasSize(2);
    assertThat(Arrays.stream(keys).filter(KeyCommand.Key::given).map(KeyCommand.Key::keyId))
        .hasSize(1)
        .doesNotContain(added.keyId());
    List<String> table = strata(env, "key", "list").out().lines().toList();
    assertThat(table.get(0)).startsWith("KEY").contains("CREATED (UTC)");
    assertThat(table.get(1).indexOf("  20")).isEqualTo(table.get(2).indexOf("  20"));

    // The variable wins over the config file: with k2, the other key is the one given.
    Map<String, String> withK2 =
        Map.of("STRATA_CONFIG", config.toString(), "STRATA_KEY_FILE", k2.toString());
    Run remove =
        strata(
            withK2,
            "key",
            "remove",
            "--key-id",
            Arrays.stream(keys).filter(KeyCommand.Key::given).findFirst().orElseThrow().keyId(),
            "--json");
    assertThat(remove.code()).as(remove.err()).isZero();
    assertThat(remove.json(KeyCommand.Remove.Removed.class).removed()).isTrue();
    assertThat(strata(env, "snapshots").code()).as("k1 no longer opens the store").isEqualTo(1);
    assertThat(strata(withK2, "snapshots").code()).isZero();
  }

  @Test
  void initWithoutAKeyPrintsAnUnencryptedConfigWithItsPackSize() throws IOException {
    Run init = strata("init", "--store", store(), "--pack-size", "4MiB", "--json");
    assertThat(init.code()).as(init.err()).isZero();
    StoreConfig config = init.json(StoreConfig.class);
    assertThat(config.encryption()).isEqualTo(StoreConfig.NONE);
    assertThat(config.keyCheck()).isNull();
    assertThat(config.packSize()).isEqualTo(4 << 20);
  }

  @Test
  void showAndSnapshotsPrintJsonTheirTypesReadBack() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Trees.write(src.resolve("f"), "hello".getBytes());
    Trees.write(Files.createDirectories(src.resolve("d")).resolve("g"), "0123456789".getBytes());
    String id = backup(src, "app");

    Run show = strata("show", "--store", store(), "latest", "--json");
    assertThat(show.code()).as(show.err()).isZero();
    ShowCommand.Shown shown = show.json(ShowCommand.Shown.class);
    assertThat(shown.formatVersion()).isEqualTo(2);
    assertThat(shown.snapshot().snapshotId()).isEqualTo(id);
    assertThat(shown.snapshot().metadata().sourceId()).isEqualTo("app");
    assertThat(shown.snapshot().stats().files()).isEqualTo(2);
    assertThat(shown.snapshot().stats().totalBytes()).isEqualTo(15);
    assertThat(shown.snapshot().tree()).isNotEmpty();
    assertThat(shown.root().filesPresent())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.name()).isEqualTo("f");
              assertThat(f.metadata().size()).isEqualTo(5);
              assertThat(f.blobs()).isNotEmpty();
            });
    assertThat(shown.root().subDirsPresent())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.name()).isEqualTo("d");
              assertThat(d.filesPresent()).extracting(FileIndex::name).containsExactly("g");
            });

    SnapshotSummary[] listed =
        strata("snapshots", "--store", store(), "--json").json(SnapshotSummary[].class);
    assertThat(listed)
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.snapshotId()).isEqualTo(id);
              assertThat(l.stats()).isEqualTo(shown.snapshot().stats());
            });

    // A snapshot of store format 1 prints its whole index, the type format 1 wrote.
    Path old = tmp.resolve("old");
    SnapshotIndex written;
    try (var local = new dev.strata.engine.store.LocalBlobStoreManager(old)) {
      written = FormatOne.backup(local, src, "legacy", 64 * 1024, null);
    }
    Run legacy = strata("show", "--store", old.toUri().toString(), "latest", "--json");
    assertThat(legacy.code()).as(legacy.err()).isZero();
    SnapshotIndex index = legacy.json(SnapshotIndex.class);
    assertThat(index.formatVersion()).isEqualTo(1);
    assertThat(index.snapshotId()).isEqualTo(written.snapshotId());
    assertThat(index.root()).isEqualTo(written.root());
  }

  @Test
  void theSnapshotsTableHasItsColumnsAligned() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    for (int i = 0; i < 3; i++) {
      Trees.write(src.resolve("f" + i), Trees.random(i, i == 2 ? 3_000_000 : 10));
      backup(src, i == 1 ? "a-much-longer/source-id" : "s");
    }
    List<String> lines = strata("snapshots", "--store", store()).out().lines().toList();
    assertThat(lines).hasSize(4);
    assertThat(lines.get(0)).startsWith("ID").contains("CREATED (UTC)");
    // Every column starts where its header does (numbers end where it ends).
    for (String header : new String[] {"CREATED", "SOURCE"}) {
      int at = lines.get(0).indexOf(header);
      for (String row : lines.subList(1, 4)) {
        assertThat(row.charAt(at - 1)).as(row).isEqualTo(' ');
        assertThat(row.charAt(at)).as(row).isNotEqualTo(' ');
      }
    }
    int sizeEnd = lines.get(0).indexOf("SIZE") + 4;
    for (String row : lines.subList(1, 4)) {
      assertThat(row.charAt(sizeEnd - 1)).as(row).isEqualTo('B');
      assertThat(row.charAt(sizeEnd)).as(row).isEqualTo(' ');
      assertThat(row).containsPattern("  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d  ");
    }
  }

  @Test
  void createdTimesOfAnyPrecisionAndWideCellsStayInTheirColumns() {
    var stats = new dev.strata.engine.index.SnapshotStats(7, 1, 0, 5L << 30, 1023, 0);
    var small = new dev.strata.engine.index.SnapshotStats(123456789, 1, 0, 12, 12, 0);
    List<dev.strata.engine.index.SnapshotSummary> all =
        List.of(
            summary(
                "20261207T090000.000Z-aaaaaa",
                java.time.Instant.parse("2026-12-07T09:00:00Z"),
                "s",
                stats),
            summary(
                "20261207T090000.120Z-bbbbbb",
                java.time.Instant.parse("2026-12-07T09:00:00.120Z"),
                "ns/pvc/",
                small),
            summary(
                "20261207T090000.123Z-cccccc",
                java.time.Instant.parse("2026-12-07T09:00:00.123456789Z"),
                "x",
                stats));
    StringWriter text = new StringWriter();
    SnapshotsCommand.print(new PrintWriter(text, true), all);
    List<String> lines = text.toString().lines().toList();
    for (String header : new String[] {"CREATED", "SOURCE"}) {
      int at = lines.get(0).indexOf(header);
      for (String row : lines.subList(1, 4)) {
        assertThat(row.substring(at - 2, at)).as(row).isEqualTo("  ");
        assertThat(row.charAt(at)).as(row).isNotEqualTo(' ');
      }
    }
    for (String header : new String[] {"FILES", "SIZE", "UPLOADED"}) {
      int end = lines.get(0).indexOf(header) + header.length();
      for (String row : lines.subList(1, 4)) {
        assertThat(row.charAt(end - 1)).as(header + " in " + row).isNotEqualTo(' ');
        assertThat(row.substring(end, end + 2)).as(header + " in " + row).isEqualTo("  ");
      }
    }
    assertThat(lines.get(1)).contains("2026-12-07 09:00:00  ");
    assertThat(lines.get(3)).contains("2026-12-07 09:00:00  ");
  }

  private static dev.strata.engine.index.SnapshotSummary summary(
      String id, java.time.Instant at, String source, dev.strata.engine.index.SnapshotStats stats) {
    return new dev.strata.engine.index.SnapshotSummary(
        id, new dev.strata.engine.index.SnapshotMetadata(source, "s", at, null), null, stats);
  }

  // ---- help, completion, version
  // ---------------------------------------------------------------------------------

  @Test
  void helpNeverCutsASentence() {
    picocli.CommandLine cli = new picocli.CommandLine(new StrataCli(Settings.of(Map.of()), null));
    assertSentences(cli);
    Run help = strata("--help");
    assertThat(help.code()).isZero();
    for (String line : help.out().lines().toList()) {
      assertThat(line.length()).as(line).isLessThanOrEqualTo(80);
    }
    // Each command's summary in the list is a whole sentence.
    Matcher m =
        Pattern.compile("(?m)^  (\\w+)\\s{2,}(.*)$")
            .matcher(help.out().substring(help.out().indexOf("Commands:")));
    int commands = 0;
    while (m.find()) {
      commands++;
      String rest = help.out().substring(help.out().indexOf(m.group(0)) + m.group(0).length());
      String summary = m.group(2);
      // A summary may wrap onto indented lines; it ends with a full stop before the next command.
      String next =
          rest.lines()
              .skip(1)
              .takeWhile(l -> l.startsWith("      "))
              .map(String::strip)
              .reduce("", (a, b) -> a + " " + b);
      assertThat((summary + next).strip()).as(m.group(1)).endsWith(".");
    }
    assertThat(commands).isGreaterThanOrEqualTo(14);
  }

  private static void assertSentences(picocli.CommandLine cli) {
    var spec = cli.getCommandSpec();
    for (String d : spec.usageMessage().description()) {
      assertThat(d.replaceAll("%n$", "")).as(spec.qualifiedName()).matches("(?s).*[.!?]$");
    }
    for (var o : spec.options()) {
      for (String d : o.description()) {
        assertThat(d).as(spec.qualifiedName() + " " + o.longestName()).matches("(?s).*[.!?)]$");
      }
    }
    for (var p : spec.positionalParameters()) {
      for (String d : p.description()) {
        assertThat(d).as(spec.qualifiedName() + " " + p.paramLabel()).matches("(?s).*[.!?)]$");
      }
    }
    cli.getSubcommands().values().forEach(CliUxTest::assertSentences);
  }

  @Test
  void completionScriptsForBashAndZsh() {
    Run bash = strata("completion", "bash");
    assertThat(bash.code()).as(bash.err()).isZero();
    assertThat(bash.out())
        .contains("complete -F")
        .contains("_picocli_strata")
        .contains("snapshots")
        .contains("--include");
    Run zsh = strata("completion", "zsh");
    assertThat(zsh.out()).contains("bashcompinit").contains("_picocli_strata");
    Run fish = strata("completion", "fish");
    assertThat(fish.code()).isEqualTo(2);
    assertThat(fish.err()).contains("use bash or zsh");
  }

  @Test
  void versionComesFromTheBuild() throws IOException {
    String pom = Files.readString(Path.of("pom.xml"));
    Matcher m =
        Pattern.compile("<parent>.*?<version>([^<]+)</version>", Pattern.DOTALL).matcher(pom);
    assertThat(m.find()).isTrue();
    Run v = strata("--version");
    assertThat(v.code()).isZero();
    assertThat(v.out())
        .startsWith("strata " + m.group(1))
        .doesNotContain("dev")
        .doesNotContain("${");
    if (Files.exists(Path.of("../.git"))) {
      assertThat(v.out()).containsPattern("\\(commit [0-9a-f]{7,}\\)");
    }
  }
}
