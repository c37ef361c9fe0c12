package dev.strata.operator.store;

import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.StoreException;
import java.util.Locale;

/** Checks that a SnapshotStore's bucket is reachable with its credentials, and names what is wrong when it is not. */
public final class StoreChecker {

  private final StoreConnector connector;

  public StoreChecker(StoreConnector connector) {
    this.connector = connector;
  }

  public StoreCheck check(SnapshotStore store) {
    try (BlobStoreManager manager = connector.open(store)) {
      manager.checkAccess();
      return StoreCheck.ok(manager.location());
    } catch (StoreAccessException e) {
      return new StoreCheck(false, e.reason(), e.getMessage());
    } catch (StoreException e) {
      return new StoreCheck(false, reason(e), e.getMessage());
    } catch (RuntimeException e) {
      return new StoreCheck(false, "CheckFailed", e.getMessage() == null ? e.toString() : e.getMessage());
    }
  }

  /** A condition reason for a store failure, from its kind and the store's own wording. */
  static String reason(StoreException e) {
    String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
    if (e.kind() == StoreException.Kind.TRANSIENT) {
      return "Unreachable";
    }
    if (m.contains("bucket") && (m.contains("does not exist") || m.contains("no such bucket"))) {
      return "BucketNotFound";
    }
    if (m.contains("access key") || m.contains("credentials") || m.contains("signature")) {
      return "InvalidCredentials";
    }
    if (m.contains("access denied") || m.contains("permission")) {
      return "AccessDenied";
    }
    if (m.contains("cannot reach") || m.contains("connection") || m.contains("unknown host") || m.contains("timed out")) {
      return "Unreachable";
    }
    return "StoreError";
  }
}
