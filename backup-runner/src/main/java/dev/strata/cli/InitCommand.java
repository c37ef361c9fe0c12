package dev.strata.cli;

import dev.strata.engine.Sizes;
import dev.strata.engine.format.KeySlot;
import dev.strata.engine.format.Repository;
import dev.strata.engine.format.StoreConfig;
import dev.strata.engine.format.UserKey;
import dev.strata.engine.store.BlobStoreManager;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "init",
    description = {
      "Create a store in format 2: write its config object (format version, pack size, chunker, encryption), once.",
      "A first backup does the same with the defaults. With encryption, a random master key is made and wrapped by"
          + " the key given (--key-file, STRATA_KEY_FILE or STRATA_KEY): keep that key safe, the store cannot be read without it.",
      "A store of format 1 (snapshots but no config) moves to format 2 here; its old snapshots stay readable."
    })
final class InitCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin StoreOptions storeOptions;

  @Option(
      names = "--encryption",
      paramLabel = "MODE",
      description =
          "none or aes-256-gcm (default: aes-256-gcm when a key is given, none when not).")
  String encryption;

  @Option(
      names = "--pack-size",
      paramLabel = "SIZE",
      defaultValue = "16MiB",
      description = "The target size of packs, 1MiB to 128MiB (default: ${DEFAULT-VALUE}).")
  String packSize;

  @Option(names = "--json", description = "Print the store's config as JSON.")
  boolean json;

  @Override
  public Integer call() {
    if (encryption != null
        && !StoreConfig.NONE.equals(encryption)
        && !StoreConfig.AES_256_GCM.equals(encryption)) {
      throw new UsageException(
          "unknown --encryption '" + encryption + "': use none or aes-256-gcm");
    }
    long size;
    try {
      size = Sizes.parse(packSize);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--pack-size: " + e.getMessage());
    }
    if (size < 1 << 20 || size > StoreConfig.MAX_PACK_SIZE) {
      throw new UsageException("--pack-size must be between 1MiB and 128MiB, got " + packSize);
    }
    UserKey key = storeOptions.key();
    if (StoreConfig.AES_256_GCM.equals(encryption) && key == null) {
      throw new UsageException(
          "--encryption aes-256-gcm needs a key: give one with --key-file, "
              + UserKey.ENV_FILE
              + " or "
              + UserKey.ENV_KEY);
    }
    if (StoreConfig.NONE.equals(encryption) && key != null) {
      throw new UsageException(
          "--encryption none takes no key, but one was given (" + key.source() + ")");
    }
    Repository repo;
    List<KeySlot> slots;
    try (BlobStoreManager store = storeOptions.open()) {
      repo =
          Repository.create(
              store, key, new Repository.Init(encryption, (int) size), Clock.systemUTC());
      slots = repo.encrypted() ? repo.keySlots() : List.of();
    }
    StoreConfig c = repo.config();
    if (json) {
      Output.json(spec.commandLine().getOut(), c);
      return 0;
    }
    spec.commandLine()
        .getOut()
        .printf(
            "created store %s: format %d, %s, packs of %s%s%n",
            repo.store().location(),
            c.formatVersion(),
            c.encrypted() ? "encrypted (AES-256-GCM)" : "not encrypted",
            Sizes.human(c.packSize()),
            slots.isEmpty()
                ? ""
                : "; key "
                    + slots.get(0).id()
                    + " from "
                    + key.source()
                    + " opens it (keep it safe: without a key the store cannot be read)");
    return 0;
  }
}
