package dev.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.engine.format.KeyException;
import dev.strata.engine.format.Repository;
import dev.strata.engine.format.UserKey;
import dev.strata.engine.store.LocalBlobStoreManager;
import dev.strata.engine.store.ObjectInfo;
import dev.strata.engine.store.StoreLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Someone with write access to the bucket tampers with packs and index files, or uses the wrong
 * key: a truncated pack, two packs swapped, an old index file put back after a collection merged it
 * away, a store opened with another key. Damage is found by restore and verify (naming the file),
 * never restored silently; a replayed index misleads no one; a wrong or missing key fails with one
 * clear error before anything is written. With and without encryption.
 */
class PackTamperTest {

  static final int CHUNK = 16 * 1024;

  @TempDir Path tmp;
  Path source;
  LocalBlobStoreManager store;
  UserKey key;

  @BeforeEach
  void setUp() throws IOException {
    source = Files.createDirectories(tmp.resolve("source"));
    store = new LocalBlobStoreManager(tmp.resolve("store"));
  }

  BackupOptions options() {
    return BackupOptions.defaults()
        .withChunkSize(CHUNK)
        .withKey(key)
        .withInit(BackupOptions.defaults().withChunkSize(CHUNK).init().withPackSize(64 * 1024));
  }

  Snapshot backup() {
    return new BackupEngine(store, options(), new Progress()).backup(source, "ns/pvc/").index();
  }

  RestoreResult restore(Snapshot s, Path target) {
    return new RestoreEngine(
            store, RestoreOptions.of(RestoreMode.EMPTY).withKey(key), new Progress())
        .restore(s, target);
  }

  List<SnapshotVerifier.Problem> verify(Snapshot s) {
    return new SnapshotVerifier(Repository.open(store, key), 2).verify(s, true).problems();
  }

  void init(boolean encrypted) {
    key = encrypted ? UserKey.of("correct horse battery staple", "test") : null;
  }

  /** Two files in different packs (packs of 64 KiB). */
  Snapshot twoFilesInTwoPacks() throws IOException {
    Trees.write(source.resolve("a.sst"), Trees.random(1, 100_000));
    Trees.write(source.resolve("b.sst"), Trees.random(2, 100_000));
    return backup();
  }

  Path packOf(Snapshot s, String file) {
    String blob = Trees.tree(Repository.open(store, key), s).file(file).blobs().get(0).id();
    var ix = dev.strata.engine.pack.BlobIndex.load(Repository.open(store, key));
    return store
        .root()
        .resolve(dev.strata.engine.pack.PackFile.key(ix.packId(ix.find(Hashing.unhex(blob)))));
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aTruncatedPackFailsTheRestoreNamingTheFileAndVerifyReportsIt(boolean encrypted)
      throws IOException {
    init(encrypted);
    Snapshot s = twoFilesInTwoPacks();
    Path pack = packOf(s, "a.sst");
    byte[] bytes = Files.readAllBytes(pack);
    Files.write(pack, java.util.Arrays.copyOf(bytes, 10));

    // The pack may hold chunks of both files (they are packed as they are read): the message names
    // one of them.
    assertThatThrownBy(() -> restore(s, tmp.resolve("t")))
        .isInstanceOf(IntegrityException.class)
        .hasMessageMatching("(?s).*file [ab]\\.sst .*");
    assertThat(tmp.resolve("t")).isEmptyDirectory();
    assertThat(verify(s)).extracting(SnapshotVerifier.Problem::path).contains("a.sst");
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void swappedPacksAreFoundNeverRestored(boolean encrypted) throws IOException {
    init(encrypted);
    Snapshot s = twoFilesInTwoPacks();
    var ix = dev.strata.engine.pack.BlobIndex.load(Repository.open(store, key));
    java.util.Set<String> dataPacks = new java.util.LinkedHashSet<>();
    for (int e = 0; e < ix.size(); e++) {
      if (ix.type(e) == dev.strata.engine.pack.PackEntry.DATA) {
        dataPacks.add(ix.packId(e));
      }
    }
    assertThat(dataPacks).hasSizeGreaterThan(1);
    var it = dataPacks.iterator();
    Path a = store.root().resolve(dev.strata.engine.pack.PackFile.key(it.next()));
    Path b = store.root().resolve(dev.strata.engine.pack.PackFile.key(it.next()));
    byte[] ab = Files.readAllBytes(a);
    Files.write(a, Files.readAllBytes(b));
    Files.write(b, ab);

    assertThatThrownBy(() -> restore(s, tmp.resolve("t")))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining(".sst")
        .hasMessageContaining("does not match its checksum");
    assertThat(tmp.resolve("t")).isEmptyDirectory();
    assertThat(verify(s)).isNotEmpty().allSatisfy(p -> assertThat(p.path()).endsWith(".sst"));
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void anOldIndexFilePutBackMisleadsNoOne(boolean encrypted) throws IOException {
    init(encrypted);
    Trees.write(source.resolve("a.sst"), Trees.random(1, 100_000));
    Trees.write(source.resolve("gone.sst"), Trees.random(3, 300_000));
    Snapshot first = backup();
    Files.delete(source.resolve("gone.sst"));
    Snapshot second = backup();
    Map<String, byte[]> oldIndex = objects(StoreLayout.INDEX);
    new SnapshotCatalog(Repository.open(store, key)).forget(first.snapshotId());
    // Everything old: the collector deletes the forgotten file's packs, repacks the rest, and
    // merges the index files.
    ageEverything(Duration.ofHours(8));
    GcReport r = new GarbageCollector(store, GcOptions.defaults().withKey(key)).collect();
    assertThat(r.packsDeleted()).isPositive();
    assertThat(objects(StoreLayout.INDEX).keySet()).doesNotContainAnyElementsOf(oldIndex.keySet());

    // The old index files come back: they name packs that are gone.
    for (Map.Entry<String, byte[]> e : oldIndex.entrySet()) {
      Files.write(store.root().resolve(e.getKey()), e.getValue());
    }
    assertThat(verify(second)).isEmpty();
    Path target = tmp.resolve("t");
    restore(second, target);
    Trees.assertSameTree(source, target);
    // A backup is not fooled into reusing blobs of packs that are gone: gone.sst comes back, its
    // blobs that sit in
    // deleted packs are stored again (those in packs the collector kept whole are reused), and the
    // snapshot is whole.
    Trees.write(source.resolve("gone.sst"), Trees.random(3, 300_000));
    Snapshot third = backup();
    assertThat(third.stats().uploadedBytes()).isPositive();
    assertThat(verify(third)).isEmpty();
    Path again = tmp.resolve("again");
    restore(third, again);
    Trees.assertSameTree(source, again);
    // And a collection does not mind them either.
    ageEverything(Duration.ofHours(8));
    new GarbageCollector(store, GcOptions.defaults().withKey(key)).collect();
    assertThat(verify(third)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void anIndexFileOrSnapshotMovedToAnotherNameIsRefused(boolean encrypted) throws IOException {
    init(encrypted);
    Snapshot s = twoFilesInTwoPacks();
    if (!encrypted) {
      return; // without encryption, names are not bound to content: the snapshot-id check covers
      // snapshots (TamperedIndexTest)
    }
    String indexKey = objects(StoreLayout.INDEX).keySet().iterator().next();
    byte[] bytes = Files.readAllBytes(store.root().resolve(indexKey));
    String moved = StoreLayout.indexFileKey("ab".repeat(32));
    Files.write(store.root().resolve(moved), bytes);
    assertThatThrownBy(() -> dev.strata.engine.pack.BlobIndex.load(Repository.open(store, key)))
        .hasMessageContaining(moved)
        .hasMessageContaining("authentication failed");
  }

  @ParameterizedTest
  @ValueSource(booleans = {true})
  void aWrongOrMissingKeyIsOneClearErrorAndNothingIsWritten(boolean encrypted) throws IOException {
    init(encrypted);
    Snapshot s = twoFilesInTwoPacks();
    Map<String, byte[]> before = objects("");
    Trees.write(source.resolve("c.sst"), Trees.random(3, 10_000));
    UserKey wrong = UserKey.of("wrong", "test");
    for (UserKey k : new UserKey[] {wrong, null}) {
      String expected = k == null ? "is encrypted: give its key" : "does not open the store";
      assertThatThrownBy(
              () ->
                  new BackupEngine(store, options().withKey(k), new Progress())
                      .backup(source, "ns/pvc/"))
          .isInstanceOf(KeyException.class)
          .hasMessageContaining(expected);
      assertThatThrownBy(
              () ->
                  new RestoreEngine(
                          store, RestoreOptions.of(RestoreMode.EMPTY).withKey(k), new Progress())
                      .restore(s, tmp.resolve("t")))
          .isInstanceOf(KeyException.class)
          .hasMessageContaining(expected);
      assertThatThrownBy(
              () -> new GarbageCollector(store, GcOptions.defaults().withKey(k)).collect())
          .isInstanceOf(KeyException.class);
      assertThatThrownBy(() -> new SnapshotCatalog(Repository.open(store, k)).summaries(null))
          .isInstanceOf(KeyException.class);
    }
    assertThat(objects("")).as("nothing was written").containsOnlyKeys(before.keySet());
    assertThat(tmp.resolve("t")).doesNotExist();
    // A key for a store without one is refused too: its encryption is chosen once.
    LocalBlobStoreManager plain = new LocalBlobStoreManager(tmp.resolve("plain"));
    new BackupEngine(plain, BackupOptions.defaults(), new Progress()).backup(source, "x");
    assertThatThrownBy(
            () ->
                new BackupEngine(plain, BackupOptions.defaults().withKey(wrong), new Progress())
                    .backup(source, "x"))
        .isInstanceOf(KeyException.class)
        .hasMessageContaining("is not encrypted, but a key was given");
  }

  @ParameterizedTest
  @ValueSource(booleans = {true})
  void keysCanBeAddedAndRemovedAndTheStoreRevealsNoContent(boolean encrypted) throws IOException {
    init(encrypted);
    byte[] text =
        "customer-record: alice@example.com 4111-1111-1111-1111\n".repeat(2000).getBytes();
    Trees.write(source.resolve("secret-name.log"), text);
    Snapshot s = backup();
    // Nothing in the store holds the content, the file's name or a plain SHA-256 of the content.
    String plainId = Hashing.hex(Hashing.sha256(text, 0, text.length));
    for (Map.Entry<String, byte[]> e : objects("").entrySet()) {
      String body = new String(e.getValue(), java.nio.charset.StandardCharsets.ISO_8859_1);
      assertThat(body)
          .as(e.getKey())
          .doesNotContain("customer-record")
          .doesNotContain("secret-name")
          .doesNotContain("ns/pvc/");
      assertThat(e.getKey()).doesNotContain(plainId.substring(0, 16));
    }
    Repository repo = Repository.open(store, key);
    UserKey second = UserKey.of("second key", "test");
    var slot = repo.addKey(second, "team b", Clock.systemUTC());
    assertThat(repo.keySlots()).hasSize(2);
    Path t1 = tmp.resolve("t1");
    new RestoreEngine(store, RestoreOptions.of(RestoreMode.EMPTY).withKey(second), new Progress())
        .restore(s, t1);
    Trees.assertSameTree(source, t1);
    String first =
        repo.keySlots().stream()
            .filter(k -> !k.id().equals(slot.id()))
            .findFirst()
            .orElseThrow()
            .id();
    Repository.open(store, second).removeKey(first, second);
    assertThatThrownBy(() -> Repository.open(store, key)).isInstanceOf(KeyException.class);
    assertThatThrownBy(() -> Repository.open(store, second).removeKey(slot.id(), second))
        .hasMessageContaining("last key");
  }

  Map<String, byte[]> objects(String prefix) {
    Map<String, byte[]> out = new TreeMap<>();
    List<ObjectInfo> all = new ArrayList<>();
    store.list(prefix, all::add, null);
    for (ObjectInfo o : all) {
      out.put(o.key(), store.get(o.key(), null));
    }
    return out;
  }

  void ageEverything(Duration age) throws IOException {
    List<ObjectInfo> all = new ArrayList<>();
    store.list("", all::add, null);
    for (ObjectInfo o : all) {
      Files.setLastModifiedTime(
          store.root().resolve(o.key()),
          java.nio.file.attribute.FileTime.from(java.time.Instant.now().minus(age)));
    }
  }
}
