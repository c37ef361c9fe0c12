package dev.strata.operator.catalog;

import dev.strata.api.v1alpha1.CatalogSpec;
import dev.strata.api.v1alpha1.CredentialsSecretRef;
import dev.strata.api.v1alpha1.LocalObjectRef;
import dev.strata.api.v1alpha1.SnapshotIndexSummary;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.SnapshotSource;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.SnapshotStoreSpec;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.api.v1alpha1.StateSnapshotSpec;
import dev.strata.api.v1alpha1.StateSnapshotStatus;
import dev.strata.engine.index.SnapshotMetadata;
import dev.strata.engine.index.SnapshotStats;
import dev.strata.engine.index.SnapshotSummary;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Stores, listings and StateSnapshots for the catalog's tests. */
public final class CatalogFixtures {

  public static final Instant READ = Instant.parse("2026-11-27T12:00:00Z");

  private CatalogFixtures() {}

  public static SnapshotStore store(String ns, CatalogSpec catalog) {
    SnapshotStore st = new SnapshotStore();
    st.setMetadata(
        new ObjectMetaBuilder()
            .withName("minio")
            .withNamespace(ns)
            .withUid("store-uid")
            .withGeneration(1L)
            .build());
    st.setSpec(
        new SnapshotStoreSpec(
            "http://minio:9000",
            "b",
            null,
            null,
            true,
            new CredentialsSecretRef("c", null, null),
            null,
            null,
            null,
            null,
            null,
            null,
            catalog,
            null));
    return st;
  }

  public static Listing.Entry entry(
      String id, String sourceId, String createdBy, Map<String, String> labels) {
    return new Listing.Entry(
        id,
        "snapshots/x/" + id + ".json.gz",
        new SnapshotSummary(
            id,
            new SnapshotMetadata(
                sourceId, "s3://b at http://minio:9000", takenAt(id), createdBy, labels),
            null,
            new SnapshotStats(3, 1, 0, 4096, 4096, 0)));
  }

  /** A snapshot id starts with its creation time. */
  static Instant takenAt(String id) {
    return java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSSX")
        .parse(id.substring(0, 20), Instant::from);
  }

  public static Listing listing(Listing.Entry... entries) {
    Map<String, Listing.Entry> byId = new LinkedHashMap<>();
    Arrays.stream(entries).forEach(e -> byId.put(e.snapshotId(), e));
    return new Listing("s3://b at http://minio:9000", READ, byId, List.of());
  }

  /** A StateSnapshot of this cluster that recorded snapshot {@code id}. */
  public static StateSnapshot taken(String ns, String name, String uid, String id) {
    StateSnapshot s = new StateSnapshot();
    s.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).withUid(uid).build());
    s.setSpec(
        new StateSnapshotSpec(
            new SnapshotSource("data", null),
            new LocalObjectRef("minio"),
            null,
            null,
            null,
            null,
            null));
    if (id != null) {
      s.setStatus(
          new StateSnapshotStatus(
              SnapshotPhase.Succeeded,
              "c1:" + ns + "/data/",
              null,
              null,
              null,
              null,
              new SnapshotIndexSummary(id, "k", null, 1L, 1L, 1L, 1L, 0L),
              null,
              null,
              null,
              1L,
              null));
    }
    return s;
  }
}
