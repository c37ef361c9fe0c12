package dev.strata.engine.format;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.engine.Hashing;
import dev.strata.engine.index.IndexCodec;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.Metadata;
import dev.strata.engine.store.ObjectInfo;
import dev.strata.engine.store.StoreException;
import dev.strata.engine.store.StoreLayout;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A store opened for use: its objects, its {@code config} (absent in a store of format 1, whose
 * snapshots stay readable), and, when it is encrypted, its master key, unwrapped from a key slot by
 * the user's key. Every metadata object of format 2 (index files, snapshots, pending objects) goes
 * through {@link #putObject}/{@link #getObject}: compressed with a checksum, and sealed under the
 * master key with its key as associated data when encrypted.
 *
 * <p>A wrong or missing key fails with one {@link KeyException} before anything is written.
 */
public final class Repository {

  private static final Logger LOG = LoggerFactory.getLogger(Repository.class);

  /**
   * How a store is created when a backup or `strata init` finds none.
   *
   * @param encryption none, aes-256-gcm, or null: encrypted when a key is given
   */
  public record Init(String encryption, int packSize, StoreConfig.ChunkerParams chunker) {
    public static final Init DEFAULT =
        new Init(null, StoreConfig.DEFAULT_PACK_SIZE, StoreConfig.ChunkerParams.DEFAULT);

    public Init(String encryption, int packSize) {
      this(encryption, packSize, StoreConfig.ChunkerParams.DEFAULT);
    }

    public Init withChunker(StoreConfig.ChunkerParams c) {
      return new Init(encryption, packSize, c);
    }

    public Init withPackSize(int size) {
      return new Init(encryption, size, chunker);
    }

    public Init withEncryption(String e) {
      return new Init(e, packSize, chunker);
    }

    public Init {
      if (chunker == null) {
        chunker = StoreConfig.ChunkerParams.DEFAULT;
      }
      chunker.validate();
      if (encryption != null
          && !StoreConfig.NONE.equals(encryption)
          && !StoreConfig.AES_256_GCM.equals(encryption)) {
        throw new IllegalArgumentException(
            "unknown encryption '" + encryption + "': use none or aes-256-gcm");
      }
      if (packSize < StoreConfig.MIN_PACK_SIZE || packSize > StoreConfig.MAX_PACK_SIZE) {
        throw new IllegalArgumentException(
            "the pack size must be between 64 KiB and 128 MiB, got " + packSize);
      }
    }
  }

  private final BlobStoreManager store;
  private final StoreConfig config;
  private final Sealer sealer;

  private Repository(BlobStoreManager store, StoreConfig config, Sealer sealer) {
    this.store = store;
    this.config = config;
    this.sealer = sealer;
  }

  public BlobStoreManager store() {
    return store;
  }

  /** The config, or null for a store that has none (format 1, or nothing written yet). */
  public StoreConfig config() {
    return config;
  }

  public int formatVersion() {
    return config == null ? 1 : config.formatVersion();
  }

  public Sealer sealer() {
    return sealer;
  }

  public boolean encrypted() {
    return sealer.encrypted();
  }

  public int packSize() {
    return config == null ? StoreConfig.DEFAULT_PACK_SIZE : config.packSize();
  }

  public StoreConfig.ChunkerParams chunker() {
    return config == null ? StoreConfig.ChunkerParams.DEFAULT : config.chunker();
  }

  private static ObjectMapper json() {
    return IndexCodec.mapper();
  }

  /** Opens a store to read it: one without a config is of format 1 (or empty). Never writes. */
  public static Repository open(BlobStoreManager store, UserKey key) {
    Optional<StoreConfig> config = readConfig(store);
    if (config.isEmpty()) {
      if (key != null) {
        LOG.debug(
            "store {} has no config (format 1 or empty); the key given is not needed",
            store.location());
      }
      return new Repository(store, null, Sealer.NONE);
    }
    return new Repository(store, config.get(), unlock(store, config.get(), key));
  }

  /**
   * Opens a store to write to it (a backup), creating it in format 2 when it has no config:
   * encrypted when a key is given (or {@code init.encryption()} says so), not when none is. A store
   * of format 1 moves to format 2 here: its old snapshots stay readable.
   */
  public static Repository openForWriting(
      BlobStoreManager store, UserKey key, Init init, Clock clock) {
    store.initialize();
    Optional<StoreConfig> config = readConfig(store);
    if (config.isPresent()) {
      return new Repository(store, config.get(), unlock(store, config.get(), key));
    }
    return create(store, key, init, clock, false);
  }

  /**
   * Creates a store: writes its config (and with encryption, the given key's slot). Fails when the
   * store has a config already. Two creators racing: the config written last wins, and the other
   * opens it with its key (or fails, naming the key, when the winner's key differs).
   */
  public static Repository create(BlobStoreManager store, UserKey key, Init init, Clock clock) {
    return create(store, key, init, clock, true);
  }

  private static Repository create(
      BlobStoreManager store, UserKey key, Init init, Clock clock, boolean failIfExists) {
    store.initialize();
    Optional<StoreConfig> existing = readConfig(store);
    if (existing.isPresent()) {
      if (failIfExists) {
        throw new IllegalStateException(
            "the store " + store.location() + " is initialized already (it has a config object)");
      }
      return new Repository(
          store,
          existing.get(),
          unlock(store, existing.get(), key)); // another backup created it just now
    }
    String encryption =
        init.encryption() != null
            ? init.encryption()
            : key != null ? StoreConfig.AES_256_GCM : StoreConfig.NONE;
    if (StoreConfig.AES_256_GCM.equals(encryption) && key == null) {
      throw new KeyException(
          "an encrypted store needs a key: give one with --key-file, "
              + UserKey.ENV_FILE
              + " or "
              + UserKey.ENV_KEY
              + " (or create the store with --encryption none)");
    }
    if (StoreConfig.NONE.equals(encryption) && key != null) {
      throw new KeyException(
          "a key was given ("
              + key.source()
              + ") for a store created with --encryption none: give no key, or"
              + " create it encrypted");
    }
    byte[] id = new byte[16];
    new SecureRandom().nextBytes(id);
    StoreConfig config =
        new StoreConfig(
            StoreConfig.FORMAT_VERSION,
            HexFormat.of().formatHex(id),
            clock.instant(),
            init.packSize(),
            init.chunker(),
            encryption,
            null);
    Sealer sealer = Sealer.NONE;
    if (config.encrypted()) {
      MasterKey master = MasterKey.generate();
      config = config.withKeyCheck(keyCheck(master, config));
      KeySlot slot =
          KeySlot.create(config.storeId(), master, key, clock.instant(), "created with the store");
      putJson(store, StoreLayout.keySlotKey(slot.id()), slot);
      sealer = Sealer.encrypting(master);
    }
    putJson(store, StoreLayout.CONFIG, config);
    StoreConfig written = readConfig(store).orElseThrow();
    if (!written.storeId().equals(config.storeId())) {
      LOG.info(
          "another process created the store {} at the same time; using its config",
          store.location());
      return new Repository(store, written, unlock(store, written, key));
    }
    LOG.info(
        "created store {} (format {}, {}, packs of {} bytes)",
        store.location(),
        config.formatVersion(),
        config.encrypted() ? "encrypted with AES-256-GCM" : "not encrypted",
        config.packSize());
    return new Repository(store, config, sealer);
  }

  /**
   * The store's config without opening the store (no key needed); empty for a store of format 1 or
   * an empty one.
   */
  public static Optional<StoreConfig> peekConfig(BlobStoreManager store) {
    return readConfig(store);
  }

  /** The store's key slots, read without a key (they hold nothing secret in the clear). */
  public static List<KeySlot> keySlots(BlobStoreManager store) {
    return slots(store);
  }

  static Optional<StoreConfig> readConfig(BlobStoreManager store) {
    byte[] bytes;
    try {
      bytes = store.get(StoreLayout.CONFIG, Metadata.of(null, StoreLayout.CONFIG));
    } catch (StoreException e) {
      if (e.kind() == StoreException.Kind.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
    StoreConfig c;
    try {
      var tree = json().readTree(bytes);
      if (tree == null || !tree.has("formatVersion")) {
        throw new UnsupportedFormatException(
            "the config object of the store " + store.location() + " is not a Strata store config");
      }
      int version = tree.get("formatVersion").asInt();
      if (version > StoreConfig.FORMAT_VERSION) {
        throw new UnsupportedFormatException(
            "the store "
                + store.location()
                + " has format version "
                + version
                + ", but this Strata reads versions 1 and "
                + StoreConfig.FORMAT_VERSION
                + " only: use a Strata release that supports it");
      }
      c = json().treeToValue(tree, StoreConfig.class);
    } catch (IOException e) {
      throw new UnsupportedFormatException(
          "the config object of the store "
              + store.location()
              + " is not readable: "
              + e.getMessage());
    }
    c.validate(store.location());
    return Optional.of(c);
  }

  private static Sealer unlock(BlobStoreManager store, StoreConfig config, UserKey key) {
    if (!config.encrypted()) {
      if (key != null) {
        throw new KeyException(
            "the store "
                + store.location()
                + " is not encrypted, but a key was given ("
                + key.source()
                + "): a store's encryption is chosen when it is created; give no key, or use a new store for encrypted snapshots");
      }
      return Sealer.NONE;
    }
    if (key == null) {
      throw new KeyException(
          "the store "
              + store.location()
              + " is encrypted: give its key with --key-file, "
              + UserKey.ENV_FILE
              + " or "
              + UserKey.ENV_KEY);
    }
    List<KeySlot> slots = slots(store);
    for (KeySlot slot : slots) {
      MasterKey master = slot.unwrap(config.storeId(), key);
      if (master != null && keyCheck(master, config).equals(config.keyCheck())) {
        return Sealer.encrypting(master);
      }
    }
    throw new KeyException(
        "the key from "
            + key.source()
            + " does not open the store "
            + store.location()
            + " (none of its "
            + slots.size()
            + " key slots matches): check the key; `strata key list` shows the store's keys");
  }

  static List<KeySlot> slots(BlobStoreManager store) {
    List<ObjectInfo> objects = new ArrayList<>();
    store.list(StoreLayout.KEYS, objects::add, Metadata.of(null, StoreLayout.KEYS));
    List<KeySlot> out = new ArrayList<>();
    for (ObjectInfo o : objects) {
      try {
        out.add(json().readValue(store.get(o.key(), Metadata.of(null, o.key())), KeySlot.class));
      } catch (StoreException e) {
        if (e.kind() != StoreException.Kind.NOT_FOUND) {
          throw e;
        }
      } catch (IOException e) {
        LOG.warn("key slot {} is not readable; skipped: {}", o.key(), e.getMessage());
      }
    }
    return out;
  }

  static String keyCheck(MasterKey master, StoreConfig config) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(master.idKey(), "HmacSHA256"));
      return Base64.getEncoder().encodeToString(mac.doFinal(config.checkedFields()));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void putJson(BlobStoreManager store, String key, Object value) {
    byte[] bytes;
    try {
      bytes = json().writerWithDefaultPrettyPrinter().writeValueAsBytes(value);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    store.put(
        key,
        bytes,
        bytes.length,
        Hashing.sha256(bytes),
        Metadata.of(null, key).withSize(bytes.length));
  }

  // ---- key management
  // -------------------------------------------------------------------------------------------

  public List<KeySlot> keySlots() {
    return slots(store);
  }

  /**
   * Adds a key slot for {@code newKey}; this repository must be open (with another key of the
   * store).
   */
  public KeySlot addKey(UserKey newKey, String note, Clock clock) {
    requireEncrypted();
    for (KeySlot s : slots(store)) {
      if (s.unwrap(config.storeId(), newKey) != null) {
        throw new IllegalArgumentException(
            "the key from " + newKey.source() + " opens the store already (key " + s.id() + ")");
      }
    }
    KeySlot slot =
        KeySlot.create(config.storeId(), sealer.masterKey(), newKey, clock.instant(), note);
    putJson(store, StoreLayout.keySlotKey(slot.id()), slot);
    return slot;
  }

  /**
   * Removes a key slot; the last one cannot be removed (the store would be unreadable for good),
   * nor the one {@code given} (the key this repository was opened with) opens.
   */
  public void removeKey(String slotId, UserKey given) {
    requireEncrypted();
    List<KeySlot> all = slots(store);
    KeySlot removed = all.stream().filter(s -> s.id().equals(slotId)).findFirst().orElse(null);
    if (removed == null) {
      throw new IllegalArgumentException(
          "the store has no key " + slotId + " (see `strata key list`)");
    }
    if (all.size() == 1) {
      throw new IllegalArgumentException(
          "key "
              + slotId
              + " is the store's last key: add another first, or the store becomes unreadable");
    }
    // The key given proves that a key which stays opens the store; its own slot's removal would
    // leave the store to keys nothing has shown to work (a new key file lost, a slot damaged).
    if (given != null && removed.unwrap(config.storeId(), given) != null) {
      throw new IllegalArgumentException(
          "key "
              + slotId
              + " is the key given ("
              + given.source()
              + "): give another key of the store, one that stays, to remove it (`strata key"
              + " remove --key-file OTHER --key-id "
              + slotId
              + "`), which shows that the store still opens without it");
    }
    store.delete(StoreLayout.keySlotKey(slotId), Metadata.of(null, StoreLayout.keySlotKey(slotId)));
  }

  private void requireEncrypted() {
    if (config == null || !config.encrypted()) {
      throw new IllegalArgumentException(
          "the store " + store.location() + " is not encrypted: it has no keys");
    }
  }

  // ---- sealed metadata objects
  // ---------------------------------------------------------------------------------

  public void putObject(String key, byte[] plain, Metadata md) {
    byte[] sealed = sealer.seal(Zstd.compressObject(plain), Sealer.objectAad(key));
    store.put(key, sealed, sealed.length, null, md.withSize(sealed.length));
  }

  /** Reads a sealed object; NOT_FOUND passes through as a StoreException. */
  public byte[] getObject(String key, Metadata md) {
    return openObject(key, store.get(key, md));
  }

  public byte[] openObject(String key, byte[] sealed) {
    byte[] frame;
    try {
      frame = sealer.open(sealed, Sealer.objectAad(key));
    } catch (SealException e) {
      throw new SealException(
          "object " + key + " of " + store.location() + " cannot be opened: " + e.getMessage(), e);
    }
    return Zstd.decompressObject(frame, "object " + key);
  }
}
