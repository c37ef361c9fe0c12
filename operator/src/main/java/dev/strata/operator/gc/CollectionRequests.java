package dev.strata.operator.gc;

import dev.strata.api.v1alpha1.SnapshotStore;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests for a store's garbage collection from elsewhere (retention, once it has expired snapshots), so that one
 * controller, the SnapshotStore's, owns every collector Job. A request wakes the store through an event source of its
 * controller; a request waits while the store is not ready or a collection runs. Requests live in the leader's
 * memory: one lost to a restart is made up by the scheduled collection.
 */
public final class CollectionRequests {

  private final Map<ResourceID, Instant> pending = new ConcurrentHashMap<>();
  private final SimpleInboundEventSource<SnapshotStore> wake = new SimpleInboundEventSource<>("gc-requests");

  /** Asks for a collection of the store {@code namespace/name} now. */
  public void request(String namespace, String name, Instant now) {
    ResourceID id = new ResourceID(name, namespace);
    pending.putIfAbsent(id, now);
    wake.propagateEvent(id);
  }

  /** When a collection of this store was asked for and not yet started. */
  public Optional<Instant> pending(SnapshotStore store) {
    return Optional.ofNullable(pending.get(ResourceID.fromResource(store)));
  }

  /** A collection has started: the requests until now are served. */
  public void served(SnapshotStore store) {
    pending.remove(ResourceID.fromResource(store));
  }

  /** The event source the store's controller registers, through which requests wake it. */
  public SimpleInboundEventSource<SnapshotStore> eventSource() {
    return wake;
  }
}
