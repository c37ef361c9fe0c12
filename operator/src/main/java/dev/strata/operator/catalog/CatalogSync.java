package dev.strata.operator.catalog;

import dev.strata.api.v1alpha1.CatalogSpec;
import dev.strata.api.v1alpha1.CatalogStatus;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.engine.format.UserKey;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.StoreException;
import dev.strata.operator.Dependents;
import dev.strata.operator.DurationText;
import dev.strata.operator.EventRecorder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A store's catalog, as the store's controller keeps it: when to read the bucket (every
 * spec.catalog.interval, when spec.catalog.requestedAt changes, when a restore or an existing
 * snapshot asks, and when the operator has no listing of the store yet), the reading itself, and
 * what it imports or removes ({@link CatalogImport}).
 */
public final class CatalogSync {

  private static final Logger LOG = LoggerFactory.getLogger(CatalogSync.class);
  static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(10);

  /** When a reading left snapshots to import, the next one comes this soon. */
  static final Duration GO_ON = Duration.ofSeconds(1);

  /**
   * @param status the catalog's status to record (the old one when nothing was read)
   * @param nextIn when the next reading is due
   */
  public record Result(CatalogStatus status, Duration nextIn) {}

  private final CatalogReader reader;
  private final StoreCatalogs catalogs;
  private final EventRecorder events;

  public CatalogSync(CatalogReader reader, StoreCatalogs catalogs, EventRecorder events) {
    this.reader = reader;
    this.catalogs = catalogs;
    this.events = events;
  }

  public StoreCatalogs catalogs() {
    return catalogs;
  }

  static Duration interval(SnapshotStore store) {
    CatalogSpec c = store.getSpec().catalog();
    return c == null || c.interval() == null ? DEFAULT_INTERVAL : DurationText.parse(c.interval());
  }

  /** When the next reading is due, from the recorded status; zero when it is due now. Pure. */
  static Duration dueIn(
      SnapshotStore store, Optional<Listing> listing, boolean requested, Instant now) {
    CatalogStatus old = store.getStatus() == null ? null : store.getStatus().catalog();
    CatalogSpec spec = store.getSpec().catalog();
    String asked = spec == null ? null : spec.requestedAt();
    if (listing.isEmpty()
        || requested
        || old == null
        || old.lastSyncTime() == null
        || (asked != null && !asked.equals(old.handledRequest()))) {
      return Duration.ZERO;
    }
    Duration left = Duration.between(now, Instant.parse(old.lastSyncTime()).plus(interval(store)));
    return left.isNegative() ? Duration.ZERO : left;
  }

  /**
   * Reads the catalog when due (the store must be ready) and imports what it should.
   *
   * @param key the key of an encrypted store (read from its Secret only when a snapshot is to be
   *     read), else null
   * @param snapshots the StateSnapshots the operator sees, all namespaces, taken before the bucket
   *     is read (a snapshot committed and recorded meanwhile is then in neither, rather than
   *     imported twice)
   */
  public Result sync(
      SnapshotStore store,
      boolean ready,
      BlobStoreManager bucket,
      Supplier<UserKey> key,
      List<StateSnapshot> snapshots,
      KubernetesClient client,
      Instant now) {
    CatalogStatus old = store.getStatus() == null ? null : store.getStatus().catalog();
    boolean requested = catalogs.requests().pending(store).isPresent();
    Duration due = dueIn(store, catalogs.listing(store), requested, now);
    if (!ready || !due.isZero()) {
      return new Result(old, due.isZero() ? interval(store) : due);
    }
    String ns = store.getMetadata().getNamespace();
    String who = ns + "/" + store.getMetadata().getName();
    Listing listing;
    try {
      // When the bucket was read, by the wall clock: it is compared with objects' creation times,
      // which the API server
      // stamps (the operator's clock, which tests move, only decides when readings are due).
      listing = reader.read(bucket, key, Instant.now());
    } catch (StoreException e) {
      LOG.warn("{}: the bucket's catalog could not be read: {}", who, e.getMessage());
      return new Result(
          new CatalogStatus(
              old == null ? null : old.lastSyncTime(),
              old == null ? null : old.handledRequest(),
              old == null ? null : old.snapshots(),
              old == null ? null : old.imported(),
              old == null ? null : old.unreadable(),
              "could not read the bucket: " + e.getMessage()),
          interval(store));
    }
    catalogs.put(store, listing);
    catalogs.requests().served(store);
    String asked =
        store.getSpec().catalog() == null ? null : store.getSpec().catalog().requestedAt();
    if (store.getSpec().catalog() != null && !store.getSpec().catalog().enabledOrDefault()) {
      return new Result(
          new CatalogStatus(
              now.toString(),
              asked,
              (long) listing.snapshots().size(),
              null,
              (long) listing.unreadable().size(),
              listing.snapshots().size()
                  + " snapshots in the bucket; import is off (spec.catalog.enabled: false)"),
          interval(store));
    }
    Set<String> liveUids =
        snapshots.stream().map(s -> s.getMetadata().getUid()).collect(Collectors.toSet());
    List<StateSnapshot> inNamespace =
        snapshots.stream().filter(s -> ns.equals(s.getMetadata().getNamespace())).toList();
    CatalogImport.Plan plan = CatalogImport.plan(store, listing, inNamespace, liveUids);
    int created = 0;
    for (StateSnapshot s : plan.create()) {
      try {
        if (Dependents.create(client, s, store, null)) {
          created++;
        }
      } catch (KubernetesClientException e) {
        LOG.warn(
            "{}: StateSnapshot {} not imported: {}",
            who,
            s.getMetadata().getName(),
            e.getMessage());
      }
    }
    for (StateSnapshot s : plan.delete()) {
      client
          .resources(StateSnapshot.class)
          .inNamespace(ns)
          .withName(s.getMetadata().getName())
          .delete();
      LOG.info(
          "{}: removed imported StateSnapshot {}: its snapshot is no longer in the bucket",
          who,
          s.getMetadata().getName());
    }
    if (created > 0) {
      events.record(
          store,
          EventRecorder.NORMAL,
          "Imported",
          "Catalog",
          "imported "
              + created
              + " snapshots from the bucket as StateSnapshots: "
              + plan.create().stream()
                  .limit(10)
                  .map(s -> s.getMetadata().getName())
                  .collect(Collectors.joining(", "))
              + (created > 10 ? ", ..." : ""));
    }
    CatalogStatus next =
        new CatalogStatus(
            now.toString(),
            asked,
            (long) listing.snapshots().size(),
            plan.imported(),
            (long) listing.unreadable().size(),
            plan.message());
    if (old == null || !Objects.equals(old.message(), next.message())) {
      LOG.info("{}: catalog read: {}", who, plan.message());
    }
    return new Result(next, plan.more() ? GO_ON : interval(store));
  }
}
