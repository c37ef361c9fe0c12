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
      "Manage the keys of an encrypted store.",
      "Each key wraps the store's master key in a key slot (keys/<id>): add one"
          + " before handing a store to another team or rotating a key, then remove the old one. Removing a key deletes its"
          + " slot: that key no longer opens the store (someone who copied the slot earlier still could)."
    },
    subcommands = {KeyCommand.ListKeys.class, KeyCommand.Add.class, KeyCommand.Remove.class})
final class KeyCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "name a key command: list, add or remove");
  }

  /**
   * One key as `key list --json` and `key add --json` print it ({@code given}: the key the command
   * was given opens it).
   */
  public record Key(String keyId, java.time.Instant createdAt, String note, boolean given) {}

  @Command(
      name = "list",
      description = "List the store's keys; the one the given key opens is marked.")
  static final class ListKeys implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin StoreOptions storeOptions;

    @Option(
        names = "--json",
        description = "Print a JSON array of {keyId, createdAt, note, given}.")
    boolean json;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      List<Key> keys = new java.util.ArrayList<>();
      try (BlobStoreManager store = storeOptions.open()) {
        store.checkAccess();
        var config = Repository.peekConfig(store);
        if (config.isEmpty() || !config.get().encrypted()) {
          if (json) {
            Output.json(out, keys);
          } else {
            out.println("the store " + store.location() + " is not encrypted: it has no keys");
          }
          return 0;
        }
        UserKey given = storeOptions.key();
        for (KeySlot s : Repository.keySlots(store)) {
          boolean mine = given != null && s.unwrap(config.get().storeId(), given) != null;
          keys.add(new Key(s.id(), s.createdAt(), s.note(), mine));
        }
      }
      if (json) {
        Output.json(out, keys);
        return 0;
      }
      List<String[]> rows = new java.util.ArrayList<>();
      rows.add(new String[] {"KEY", "CREATED (UTC)", "NOTE"});
      for (Key k : keys) {
        rows.add(
            new String[] {
              k.keyId(),
              Output.time(k.createdAt()),
              (k.note() == null ? "" : dev.strata.engine.Names.safe(k.note()))
                  + (k.given() ? "  (the key given)" : "")
            });
      }
      Output.table(out, rows);
      return 0;
    }
  }

  @Command(
      name = "add",
      description = "Add a key: the store opens with the key given and then also with the new one.")
  static final class Add implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin StoreOptions storeOptions;

    @Option(
        names = "--new-key-file",
        required = true,
        paramLabel = "FILE",
        description = "The new key, in a file.")
    Path newKeyFile;

    @Option(
        names = "--note",
        paramLabel = "TEXT",
        description = "A note kept with the key (who holds it, for what).")
    String note;

    @Option(names = "--json", description = "Print the new key as {keyId, createdAt, note, given}.")
    boolean json;

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
        if (json) {
          Output.json(
              spec.commandLine().getOut(),
              new Key(slot.id(), slot.createdAt(), slot.note(), false));
        } else {
          spec.commandLine().getOut().printf("added key %s to %s%n", slot.id(), store.location());
        }
      }
      return 0;
    }
  }

  @Command(
      name = "remove",
      description =
          "Remove a key (not the last one); the key given must be another key that opens the store.")
  static final class Remove implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin StoreOptions storeOptions;

    @Option(
        names = "--key-id",
        required = true,
        paramLabel = "ID",
        description = "The key to remove (see `strata key list`).")
    String keyId;

    @Option(names = "--json", description = "Print {keyId, removed} as JSON.")
    boolean json;

    /** What `key remove --json` prints. */
    public record Removed(String keyId, boolean removed) {}

    @Override
    public Integer call() {
      try (BlobStoreManager store = storeOptions.open()) {
        store.checkAccess();
        Repository repo = Repository.open(store, storeOptions.key());
        try {
          repo.removeKey(keyId, storeOptions.key());
        } catch (IllegalArgumentException e) {
          throw new UsageException(e.getMessage());
        }
        if (json) {
          Output.json(spec.commandLine().getOut(), new Removed(keyId, true));
        } else {
          spec.commandLine().getOut().printf("removed key %s from %s%n", keyId, store.location());
        }
      }
      return 0;
    }
  }
}
