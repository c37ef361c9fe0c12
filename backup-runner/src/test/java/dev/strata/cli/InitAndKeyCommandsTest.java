package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.engine.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `strata init` and `strata key`, and what every command says about a store's key. */
class InitAndKeyCommandsTest {

  @TempDir Path tmp;

  static StrataCliTest.Run strata(String... args) {
    return StrataCliTest.strata(args);
  }

  String store() {
    return tmp.resolve("store").toUri().toString();
  }

  Path key(String name, String secret) throws IOException {
    return Files.writeString(tmp.resolve(name), secret + "\n");
  }

  /** A backup of {@code src} with {@code key}, that succeeds; its snapshot's id. */
  String backup(Path src, Path key, String... more) throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "backup",
                "--store",
                store(),
                "--source",
                src.toString(),
                "--key-file",
                key.toString(),
                "--json"));
    args.addAll(List.of(more));
    StrataCliTest.Run backup = strata(args.toArray(String[]::new));
    assertThat(backup.code()).as(backup.err()).isZero();
    return backup.json().get("snapshotId").asText();
  }

  /** `strata key add` of {@code added}, with the store opened by {@code with}. */
  StrataCliTest.Run addKey(Path with, Path added, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "key",
                "add",
                "--store",
                store(),
                "--key-file",
                with.toString(),
                "--new-key-file",
                added.toString()));
    args.addAll(List.of(more));
    return strata(args.toArray(String[]::new));
  }

  @Test
  void initCreatesAnEncryptedStoreOnceAndEveryCommandNeedsItsKey() throws IOException {
    Path k1 = key("k1", "first key, long and random enough");
    Path k2 = key("k2", "second key");
    assertThat(strata("init", "--store", store(), "--encryption", "aes-256-gcm").code())
        .as("no key")
        .isEqualTo(StrataCli.USAGE);
    assertThat(
            strata("init", "--store", store(), "--pack-size", "512K", "--key-file", k1.toString())
                .code())
        .isEqualTo(StrataCli.USAGE);
    StrataCliTest.Run init =
        strata("init", "--store", store(), "--pack-size", "4MiB", "--key-file", k1.toString());
    assertThat(init.code()).as(init.err()).isZero();
    assertThat(init.out())
        .contains("format 2")
        .contains("encrypted (AES-256-GCM)")
        .contains("packs of 4.0 MiB");
    assertThat(strata("init", "--store", store(), "--key-file", k1.toString()).err())
        .contains("initialized already");

    Path src = Files.createDirectories(tmp.resolve("src"));
    Trees.makeRichTree(src);
    StrataCliTest.Run noKey =
        strata("backup", "--store", store(), "--source", src.toString(), "--source-id", "s");
    assertThat(noKey.code()).isEqualTo(StrataCli.FAILED);
    assertThat(noKey.err())
        .contains("is encrypted: give its key with --key-file, STRATA_KEY_FILE or STRATA_KEY");
    StrataCliTest.Run wrong =
        strata(
            "backup",
            "--store",
            store(),
            "--source",
            src.toString(),
            "--source-id",
            "s",
            "--key-file",
            k2.toString());
    assertThat(wrong.err()).contains("does not open the store");
    assertThat(strata("snapshots", "--store", store(), "--key-file", k2.toString()).code())
        .isEqualTo(StrataCli.FAILED);

    String id = backup(src, k1, "--source-id", "s", "--compression", "max");

    StrataCliTest.Run add = addKey(k1, k2, "--note", "team b");
    assertThat(add.code()).as(add.err()).isZero();
    StrataCliTest.Run list = strata("key", "list", "--store", store(), "--key-file", k2.toString());
    assertThat(list.out()).contains("team b  (the key given)").contains("created with the store");
    String firstKey =
        list.out()
            .lines()
            .filter(l -> l.contains("created with the store"))
            .findFirst()
            .orElseThrow()
            .split("\\s+")[0];
    assertThat(
            strata(
                    "restore",
                    "--store",
                    store(),
                    "--snapshot",
                    id,
                    "--target",
                    tmp.resolve("t").toString(),
                    "--key-file",
                    k2.toString())
                .code())
        .isZero();
    Trees.assertSameTree(src, tmp.resolve("t"));
    assertThat(
            strata(
                    "key",
                    "remove",
                    "--store",
                    store(),
                    "--key-file",
                    k2.toString(),
                    "--key-id",
                    firstKey)
                .code())
        .isZero();
    assertThat(strata("verify", "--store", store(), "--all", "--key-file", k1.toString()).err())
        .contains("does not open the store");
    assertThat(
            strata(
                    "verify",
                    "--store",
                    store(),
                    "--all",
                    "--read-data",
                    "--key-file",
                    k2.toString())
                .code())
        .isZero();
    assertThat(
            strata(
                    "key",
                    "remove",
                    "--store",
                    store(),
                    "--key-file",
                    k2.toString(),
                    "--key-id",
                    "0000000000000000")
                .code())
        .isEqualTo(StrataCli.USAGE);
  }

  /**
   * `key remove` took the key given for the key to remove: after `key add --new-key-file k2`, a
   * `key remove` of k1's own slot with k1 left the store to k2 alone, a key nothing had shown to
   * open it (a new key file written to the wrong place, or a slot damaged since, and the store is
   * lost for good). The key given must be another key of the store, which proves one that stays
   * opens it.
   */
  @Test
  void aKeyIsRemovedOnlyWithAnotherKeyThatOpensTheStore() throws IOException {
    Path k1 = key("k1", "first key, long and random enough");
    Path k2 = key("k2", "second key");
    assertThat(strata("init", "--store", store(), "--key-file", k1.toString()).code()).isZero();
    assertThat(addKey(k1, k2).code()).isZero();
    String firstKey =
        strata("key", "list", "--store", store(), "--key-file", k1.toString())
            .out()
            .lines()
            .filter(l -> l.contains("(the key given)"))
            .findFirst()
            .orElseThrow()
            .split("\\s+")[0];

    StrataCliTest.Run own =
        strata(
            "key", "remove", "--store", store(), "--key-file", k1.toString(), "--key-id", firstKey);
    assertThat(own.code()).as(own.out()).isEqualTo(StrataCli.USAGE);
    assertThat(own.err())
        .contains("key " + firstKey + " is the key given")
        .contains("give another key of the store");
    assertThat(strata("key", "list", "--store", store(), "--key-file", k1.toString()).out())
        .contains(firstKey + " ");

    StrataCliTest.Run other =
        strata(
            "key", "remove", "--store", store(), "--key-file", k2.toString(), "--key-id", firstKey);
    assertThat(other.code()).as(other.err()).isZero();
    assertThat(strata("key", "list", "--store", store(), "--key-file", k2.toString()).out())
        .doesNotContain(firstKey);
  }

  /**
   * Every command of an encrypted store needs its key, `snapshots` too, but `forget` forgot a
   * snapshot without one, and with a wrong key said nothing of it: the one destructive command was
   * the one that asked for no proof of the store. It checks the key as the others do.
   */
  @Test
  void forgetNeedsTheKeyOfAnEncryptedStore() throws IOException {
    Path k1 = key("k1", "first key, long and random enough");
    Path wrong = key("wrong", "not the key");
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("f"), "x");
    String id = backup(src, k1);

    StrataCliTest.Run noKey = strata("forget", "--store", store(), id);
    assertThat(noKey.code()).isEqualTo(StrataCli.FAILED);
    assertThat(noKey.err()).contains("is encrypted: give its key with --key-file");
    StrataCliTest.Run wrongKey =
        strata("forget", "--store", store(), id, "--key-file", wrong.toString());
    assertThat(wrongKey.code()).isEqualTo(StrataCli.FAILED);
    assertThat(wrongKey.err()).contains("does not open the store");
    assertThat(strata("snapshots", "--store", store(), "--key-file", k1.toString()).out())
        .contains(id);

    StrataCliTest.Run forget =
        strata("forget", "--store", store(), id, "--key-file", k1.toString());
    assertThat(forget.code()).as(forget.err()).isZero();
    assertThat(strata("snapshots", "--store", store(), "--key-file", k1.toString()).out())
        .doesNotContain(id);
  }

  @Test
  void aStoreWithoutEncryptionRefusesAKeyAndSaysSo() throws IOException {
    assertThat(strata("init", "--store", store()).out()).contains("not encrypted");
    Path k = key("k", "a key");
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("f"), "x");
    StrataCliTest.Run r =
        strata(
            "backup", "--store", store(), "--source", src.toString(), "--key-file", k.toString());
    assertThat(r.code()).isEqualTo(StrataCli.FAILED);
    assertThat(r.err()).contains("is not encrypted, but a key was given");
    assertThat(strata("key", "list", "--store", store()).out())
        .contains("is not encrypted: it has no keys");
    assertThat(
            strata("backup", "--store", store(), "--source", src.toString(), "--compression", "zip")
                .code())
        .isEqualTo(StrataCli.USAGE);
  }
}
