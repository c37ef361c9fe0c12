package dev.strata.cli;

import dev.strata.engine.format.KeySlot;
import dev.strata.engine.format.Repository;
import dev.strata.engine.format.UserKey;
import dev.strata.engine.store.BlobStoreManager;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "key",
    description = {
      "Manage the keys of an encrypted store. Each key wraps the store's master key in a key slot (keys/<id>): add one",
      "before handing a store to another team or rotating a key, then remove the old one. Removing a key deletes its",
      "slot: that key no longer opens the store (someone who copied the slot earlier still could)."
    },
    subcommands = {KeyCommand.ListKeys.class, KeyCommand.Add.class, KeyCommand.Remove.class})
final class KeyCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a key command: list, add or remove");
  }

  @Command(name = "list", description = "List the store's keys; the one the given key opens is marked.")
  static final class ListKeys implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin StoreOptions storeOptions;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (BlobStoreManager store = storeOptions.open()) {
        store.checkAccess();
        var config = Repository.peekConfig(store);
        if (config.isEmpty() || !config.get().encrypted()) {
          out.println("the store " + store.location() + " is not encrypted: it has no keys");
          return 0;
        }
        UserKey given = storeOptions.key();
        List<KeySlot> slots = Repository.keySlots(store);
        out.printf("%-16s  %-24s  %s%n", "KEY", "CREATED", "NOTE");
        for (KeySlot s : slots) {
          boolean mine = given != null && s.unwrap(config.get().storeId(), given) != null;
          out.printf("%-16s  %-24s  %s%s%n", s.id(), s.createdAt(), s.note() == null ? "" : dev.strata.engine.Names.safe(s.note()),
              mine ? "  (the key given)" : "");
        }
      }
      return 0;
    }
  }

  @Command(name = "add", description = "Add a key: the store opens with the key given and then also with the new one.")
  static final class Add implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin StoreOptions storeOptions;

    @Option(names = "--new-key-file", required = true, paramLabel = "FILE", description = "The new key, in a file.")
    Path newKeyFile;

    @Option(names = "--note", paramLabel = "TEXT", description = "A note kept with the key (who holds it, for what).")
    String note;

    @Override
    public Integer call() {
      UserKey fresh;
      try {
        fresh = UserKey.fromFile(newKeyFile);
      } catch (IllegalArgumentException e) {
        throw new UsageException(e.getMessage());
      }
      try (BlobStoreManager store = storeOptions.open()) {
        store.checkAccess();
        Repository repo = Repository.open(store, storeOptions.key());
        KeySlot slot;
        try {
          slot = repo.addKey(fresh, note, Clock.systemUTC());
        } catch (IllegalArgumentException e) {
          throw new UsageException(e.getMessage());
        }
        spec.commandLine().getOut().printf("added key %s to %s%n", slot.id(), store.location());
      }
      return 0;
    }
  }

  @Command(name = "remove", description = "Remove a key (not the last one); the key given must open the store.")
  static final class Remove implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin StoreOptions storeOptions;

    @Option(names = "--key-id", required = true, paramLabel = "ID", description = "The key to remove (see `strata key list`).")
    String keyId;

    @Override
    public Integer call() {
      try (BlobStoreManager store = storeOptions.open()) {
        store.checkAccess();
        Repository repo = Repository.open(store, storeOptions.key());
        try {
          repo.removeKey(keyId);
        } catch (IllegalArgumentException e) {
          throw new UsageException(e.getMessage());
        }
        spec.commandLine().getOut().printf("removed key %s from %s%n", keyId, store.location());
      }
      return 0;
    }
  }
}
