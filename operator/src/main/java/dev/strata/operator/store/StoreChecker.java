package dev.strata.operator.store;

import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.engine.RunErrors;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.StoreException;
import dev.strata.operator.runner.FailureReasons;

/**
 * Checks that a SnapshotStore's bucket is reachable with its credentials as they are now, and names
 * what is wrong when it is not, with the same reasons a runner's failure gets (from the store
 * error's reason, never its wording). A client that passes becomes the store's shared client.
 */
public final class StoreChecker {

  private final StoreClients clients;

  public StoreChecker(StoreClients clients) {
    this.clients = clients;
  }

  public StoreCheck check(SnapshotStore store) {
    BlobStoreManager manager;
    try {
      manager = clients.open(store);
    } catch (StoreAccessException e) {
      forget(store);
      return new StoreCheck(false, e.reason(), e.getMessage());
    } catch (RuntimeException e) {
      forget(store);
      return new StoreCheck(
          false, "CheckFailed", e.getMessage() == null ? e.toString() : e.getMessage());
    }
    try {
      manager.checkAccess();
    } catch (RuntimeException e) {
      manager.close();
      forget(store);
      return new StoreCheck(
          false, reason(e), e.getMessage() == null ? e.toString() : e.getMessage());
    }
    clients.adopt(store, manager);
    return StoreCheck.ok(manager.location());
  }

  /** A condition reason for a failed check: the reason of the store's error, as for a runner's. */
  static String reason(RuntimeException e) {
    return e instanceof StoreException s
        ? FailureReasons.reason(RunErrors.of(s.reason()))
        : "CheckFailed";
  }

  private void forget(SnapshotStore store) {
    clients.forget(store.getMetadata().getNamespace(), store.getMetadata().getName());
  }
}
