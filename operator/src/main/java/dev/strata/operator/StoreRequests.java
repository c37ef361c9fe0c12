package dev.strata.operator;

import dev.strata.api.v1alpha1.SnapshotStore;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests for work on a store from elsewhere, so that one controller, the SnapshotStore's, does
 * all of a store's work: a garbage collection asked for by retention, a reading of the store's
 * catalog asked for by a restore that waits for a snapshot. A request wakes the store through an
 * event source of its controller, and waits while the store is not ready or the work runs. Requests
 * live in the leader's memory: one lost to a restart is made up by the store's own schedule.
 */
public final class StoreRequests {

  private final Map<ResourceID, Instant> pending = new ConcurrentHashMap<>();
  private final SimpleInboundEventSource<SnapshotStore> wake;

  /**
   * @param name the event source's name in the store's controller (unique among its sources)
   */
  public StoreRequests(String name) {
    this.wake = new SimpleInboundEventSource<>(name);
  }

  /** Asks for the work on the store {@code namespace/name} now. */
  public void request(String namespace, String name, Instant now) {
    ResourceID id = new ResourceID(name, namespace);
    pending.putIfAbsent(id, now);
    wake.propagateEvent(id);
  }

  /** When the work on this store was asked for and not yet started. */
  public Optional<Instant> pending(SnapshotStore store) {
    return Optional.ofNullable(pending.get(ResourceID.fromResource(store)));
  }

  /** The work has started: the requests until now are served. */
  public void served(SnapshotStore store) {
    pending.remove(ResourceID.fromResource(store));
  }

  /** The event source the store's controller registers, through which requests wake it. */
  public SimpleInboundEventSource<SnapshotStore> eventSource() {
    return wake;
  }
}
