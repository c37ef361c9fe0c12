package dev.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.cli.StrataCli;
import dev.strata.e2e.support.MinioExtension;
import dev.strata.e2e.support.MinioServer;
import dev.strata.engine.index.IndexCodec;
import dev.strata.engine.index.SnapshotSummary;
import dev.strata.engine.report.BackupReport;
import dev.strata.engine.report.RestoreReport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The strata command line against MinIO with no store flags at all: the store, endpoint and path
 * style from STRATA_* variables or a config file, the access keys from files (as a mounted Secret
 * holds them), never printed.
 */
@ExtendWith(MinioExtension.class)
class CliOnMinioTest {

  @TempDir Path tmp;

  record Run(int code, String out, String err, byte[] raw) {}

  static Run strata(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    int code =
        StrataCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true), raw, env);
    return new Run(code, out.toString(), err.toString(), raw.toByteArray());
  }

  Map<String, String> keyFiles(MinioServer minio) throws IOException {
    Path id = Files.writeString(tmp.resolve("access-key-id"), minio.accessKey() + "\n");
    Path secret = Files.writeString(tmp.resolve("secret-access-key"), minio.secretKey() + "\n");
    return Map.of(
        "STRATA_ACCESS_KEY_ID_FILE",
        id.toString(),
        "STRATA_SECRET_ACCESS_KEY_FILE",
        secret.toString());
  }

  /** The store as STRATA_* variables (a fresh bucket), the keys from files. */
  Map<String, String> storeVariables(MinioServer minio, String bucket, String prefix)
      throws IOException {
    Map<String, String> env = new HashMap<>(keyFiles(minio));
    env.put("STRATA_STORE", "s3://" + minio.freshBucket(bucket) + "/" + prefix);
    env.put("STRATA_ENDPOINT", minio.endpoint());
    env.put("STRATA_PATH_STYLE", "true");
    return env;
  }

  @Test
  void storeSettingsFromVariablesAndKeysFromFiles(MinioServer minio) throws IOException {
    Map<String, String> env = storeVariables(minio, "cli-env", "team-a");
    env.put("STRATA_REGION", minio.region());

    Path src = Files.createDirectories(tmp.resolve("src"));
    byte[] sst = new byte[3 << 20];
    new Random(7).nextBytes(sst);
    Files.createDirectories(src.resolve("db"));
    Files.write(src.resolve("db/000001.sst"), sst);
    Files.writeString(src.resolve("db/CURRENT"), "MANIFEST-000001\n");
    Files.writeString(src.resolve("notes.txt"), "outside the db\n");

    Run backup =
        strata(env, "backup", "--source", src.toString(), "--source-id", "ns/app", "--json");
    assertThat(backup.code()).as(backup.err()).isZero();
    String id = IndexCodec.mapper().readValue(backup.out(), BackupReport.class).snapshotId();

    SnapshotSummary[] list =
        IndexCodec.mapper()
            .readValue(strata(env, "snapshots", "--json").out(), SnapshotSummary[].class);
    assertThat(list).extracting(SnapshotSummary::snapshotId).containsExactly(id);

    assertThat(strata(env, "ls", "latest", "db").out().lines())
        .containsExactly("db/", "db/000001.sst", "db/CURRENT");
    Run dump = strata(env, "dump", id.substring(0, 22), "db/000001.sst");
    assertThat(dump.code()).as(dump.err()).isZero();
    assertThat(dump.raw()).isEqualTo(sst);
    assertThat(strata(env, "find", "CURRENT").out()).contains(id).contains("db/CURRENT");

    // A restore of the db only, in sync mode, over a target whose other files must stay.
    Path target = Files.createDirectories(tmp.resolve("target"));
    Files.writeString(target.resolve("notes.txt"), "the target's own notes\n");
    Files.createDirectories(target.resolve("db"));
    Files.writeString(target.resolve("db/000099.sst"), "stale");
    Run restore =
        strata(
            env,
            "restore",
            "--snapshot",
            "latest",
            "--target",
            target.toString(),
            "--mode",
            "sync",
            "--include",
            "db",
            "--json");
    assertThat(restore.code()).as(restore.err()).isZero();
    assertThat(IndexCodec.mapper().readValue(restore.out(), RestoreReport.class).files())
        .isEqualTo(2);
    assertThat(Files.readAllBytes(target.resolve("db/000001.sst"))).isEqualTo(sst);
    assertThat(target.resolve("db/000099.sst")).doesNotExist();
    assertThat(Files.readString(target.resolve("notes.txt"))).isEqualTo("the target's own notes\n");

    Run verify = strata(env, "verify", "--all", "--read-data", "--json");
    assertThat(verify.code()).as(verify.err()).isZero();
    assertThat(IndexCodec.mapper().readTree(verify.out()).get("ok").asBoolean()).isTrue();

    for (Run r : new Run[] {backup, restore, verify}) {
      assertThat(r.out() + r.err()).doesNotContain(minio.secretKey());
    }
  }

  @Test
  void dumpWritesADirectoryAsATarAndCommandsTakeTheSnapshotAsAnArgument(MinioServer minio)
      throws IOException {
    Map<String, String> env = storeVariables(minio, "cli-dump", "p");
    Path src = Files.createDirectories(tmp.resolve("src"));
    byte[] sst = new byte[5 << 20];
    new Random(11).nextBytes(sst);
    Files.createDirectories(src.resolve("db/" + "deep".repeat(40)));
    Files.write(src.resolve("db/000001.sst"), sst);
    Files.writeString(
        src.resolve("db/" + "deep".repeat(40) + "/" + "long-name-".repeat(15)), "long\n");
    Files.createSymbolicLink(src.resolve("db/LATEST"), Path.of("000001.sst"));
    Files.setPosixFilePermissions(
        src.resolve("db/000001.sst"),
        java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
    Run backup =
        strata(env, "backup", "--source", src.toString(), "--source-id", "ns/app", "--json");
    assertThat(backup.code()).as(backup.err()).isZero();
    String id = IndexCodec.mapper().readValue(backup.out(), BackupReport.class).snapshotId();

    Path archive = tmp.resolve("db.tar");
    Run dump = strata(env, "dump", "latest", "db", "--output", archive.toString());
    assertThat(dump.code()).as(dump.err()).isZero();
    Path out = Files.createDirectories(tmp.resolve("out"));
    dev.strata.e2e.support.CommandResult.run(
            List.of("tar", "--numeric-owner", "-xf", archive.toString(), "-C", out.toString()),
            Map.of(),
            java.time.Duration.ofMinutes(1))
        .assertSuccess();
    assertThat(Files.readAllBytes(out.resolve("db/000001.sst"))).isEqualTo(sst);
    assertThat(Files.getPosixFilePermissions(out.resolve("db/000001.sst")))
        .isEqualTo(Files.getPosixFilePermissions(src.resolve("db/000001.sst")));
    assertThat(Files.getLastModifiedTime(out.resolve("db/000001.sst")))
        .isEqualTo(Files.getLastModifiedTime(src.resolve("db/000001.sst")));
    assertThat(Files.readSymbolicLink(out.resolve("db/LATEST"))).isEqualTo(Path.of("000001.sst"));
    assertThat(
            Files.readString(
                out.resolve("db/" + "deep".repeat(40) + "/" + "long-name-".repeat(15))))
        .isEqualTo("long\n");

    Path target = tmp.resolve("target");
    Run restore =
        strata(env, "restore", id.substring(0, 22), "--target", target.toString(), "--json");
    assertThat(restore.code()).as(restore.err()).isZero();
    assertThat(IndexCodec.mapper().readValue(restore.out(), RestoreReport.class).snapshotId())
        .isEqualTo(id);
    assertThat(Files.readAllBytes(target.resolve("db/000001.sst"))).isEqualTo(sst);
    Run differ =
        strata(
            env, "restore", id, "--snapshot", "latest", "--target", tmp.resolve("t2").toString());
    assertThat(differ.code()).isEqualTo(2);
    assertThat(strata(env, "show", "latest").out()).contains(id);
    Run forget = strata(env, "forget", id, "--json");
    assertThat(forget.code()).as(forget.err()).isZero();
    assertThat(strata(env, "snapshots").out()).contains("no snapshots");
  }

  @Test
  void aConfigFileNamesTheStoreAndFlagsWin(MinioServer minio) throws IOException {
    String bucket = minio.freshBucket("cli-config");
    Path config = tmp.resolve("config");
    Files.writeString(
        config,
        String.join(
            "\n",
            "# the team's store",
            "store = s3://" + bucket + "/p",
            "endpoint = " + minio.endpoint(),
            "path-style = true",
            "access-key-id-file = " + tmp.resolve("access-key-id"),
            "secret-access-key-file = " + tmp.resolve("secret-access-key"),
            ""));
    keyFiles(minio);
    Map<String, String> env = Map.of("STRATA_CONFIG", config.toString());
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("f"), "x");
    Run backup = strata(env, "backup", "--source", src.toString(), "--source-id", "s");
    assertThat(backup.code()).as(backup.err()).isZero();
    assertThat(strata(env, "snapshots").out()).contains("s").doesNotContain("no snapshots");

    // Another prefix by flag: that store is empty.
    assertThat(strata(env, "snapshots", "--store", "s3://" + bucket + "/other").out())
        .contains("no snapshots");
    // An endpoint by flag, where nothing listens: the flag won over the file.
    Run elsewhere =
        strata(
            env,
            "snapshots",
            "--endpoint",
            "http://127.0.0.1:" + dev.strata.e2e.support.FreePorts.next(),
            "--retry-deadline",
            "0");
    assertThat(elsewhere.code()).isEqualTo(1);
    assertThat(elsewhere.err()).contains("127.0.0.1");
  }
}
