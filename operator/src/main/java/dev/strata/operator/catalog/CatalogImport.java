package dev.strata.operator.catalog;

import dev.strata.api.v1alpha1.CatalogSpec;
import dev.strata.api.v1alpha1.DeletionPolicy;
import dev.strata.api.v1alpha1.LocalObjectRef;
import dev.strata.api.v1alpha1.SnapshotSource;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.SourceId;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.api.v1alpha1.StateSnapshotSpec;
import dev.strata.engine.Hashing;
import dev.strata.operator.Labels;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Decides what a store's catalog makes visible in its namespace: a StateSnapshot for each snapshot
 * in the bucket that has none here (of a source in one of the imported namespaces), and the removal
 * of imported StateSnapshots whose snapshot left the bucket. Imported StateSnapshots are the
 * operator's own objects: they stand for an existing snapshot ({@code spec.snapshotId}), keep it in
 * the store when deleted ({@code Retain}), and carry the labels the snapshot's maker recorded in
 * its index. A snapshot a StateSnapshot of this cluster made is never imported, even before that
 * StateSnapshot records it (its index names it in {@code createdBy}). Pure.
 */
public final class CatalogImport {

  /**
   * At most this many StateSnapshots are created per reading; the next reading (at once) goes on.
   */
  public static final int MAX_CREATES = 200;

  /**
   * Labels of this cluster's own controllers, never copied from an index onto an imported
   * StateSnapshot.
   */
  static final Set<String> NOT_COPIED =
      Set.of(
          Labels.PHASE,
          Labels.PVC,
          Labels.SOURCE,
          Labels.IMPORTED,
          Labels.STORE,
          Labels.SOURCE_CLUSTER,
          Labels.SOURCE_NAMESPACE,
          Labels.SCHEDULE,
          Labels.RETENTION_POLICY,
          Labels.ORIGIN_SCHEDULE);

  private static final Pattern LABEL_VALUE =
      Pattern.compile("^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$");
  private static final Pattern LABEL_NAME =
      Pattern.compile("^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$");

  /**
   * @param imported how many imported StateSnapshots of this store there are once the plan is
   *     carried out
   * @param more whether snapshots are left to import by the next reading
   */
  public record Plan(
      List<StateSnapshot> create,
      List<StateSnapshot> delete,
      long imported,
      boolean more,
      String message) {}

  private CatalogImport() {}

  /**
   * @param inNamespace the StateSnapshots of the store's namespace
   * @param liveUids the uids of every StateSnapshot the operator sees, in any namespace (a snapshot
   *     whose index names one of them as its maker is that StateSnapshot's, whatever its status
   *     says yet)
   */
  public static Plan plan(
      SnapshotStore store, Listing listing, List<StateSnapshot> inNamespace, Set<String> liveUids) {
    String ns = store.getMetadata().getNamespace();
    String storeName = store.getMetadata().getName();
    CatalogSpec catalog = store.getSpec().catalog();
    Set<String> represented = new HashSet<>();
    List<StateSnapshot> importedHere = new ArrayList<>();
    for (StateSnapshot s : inNamespace) {
      if (!storeName.equals(s.getSpec().storeRef().name())) {
        continue;
      }
      if (s.getSpec().snapshotId() != null) {
        represented.add(s.getSpec().snapshotId());
      }
      if (s.getStatus() != null
          && s.getStatus().snapshotIndex() != null
          && s.getStatus().snapshotIndex().id() != null) {
        represented.add(s.getStatus().snapshotIndex().id());
      }
      if (isImported(s)) {
        importedHere.add(s);
      }
    }
    List<StateSnapshot> delete = new ArrayList<>();
    for (StateSnapshot s : importedHere) {
      boolean stillWanted =
          listing
              .get(s.getSpec().snapshotId())
              .flatMap(Listing.Entry::source)
              .map(src -> CatalogSpec.imports(catalog, ns, src.namespace()))
              .orElse(false);
      if (!stillWanted && s.getMetadata().getDeletionTimestamp() == null) {
        delete.add(s);
      }
    }
    List<StateSnapshot> create = new ArrayList<>();
    int notPvc = 0;
    int wanted = 0;
    List<Listing.Entry> entries =
        listing.entries().stream().sorted(Comparator.comparing(Listing.Entry::snapshotId)).toList();
    for (Listing.Entry e : entries) {
      var source = e.source();
      if (source.isEmpty()) {
        notPvc++;
        continue;
      }
      if (!CatalogSpec.imports(catalog, ns, source.get().namespace())
          || represented.contains(e.snapshotId())
          || madeHere(e, liveUids)) {
        continue;
      }
      wanted++;
      if (create.size() < MAX_CREATES) {
        create.add(imported(store, e, source.get()));
      }
    }
    long imported = importedHere.size() - delete.size() + create.size();
    StringBuilder message =
        new StringBuilder(
            listing.snapshots().size()
                + " snapshots in the bucket; "
                + imported
                + " imported here");
    if (!create.isEmpty()) {
      message.append(", ").append(create.size()).append(" new");
    }
    if (!delete.isEmpty()) {
      message.append(", ").append(delete.size()).append(" gone from the bucket");
    }
    if (wanted > create.size()) {
      message.append(", ").append(wanted - create.size()).append(" more to import");
    }
    if (notPvc > 0) {
      message.append("; ").append(notPvc).append(" taken of no PVC (CLI backups), not imported");
    }
    if (!listing.unreadable().isEmpty()) {
      message
          .append("; ")
          .append(listing.unreadable().size())
          .append(" unreadable: ")
          .append(listing.unreadable().get(0));
    }
    return new Plan(create, delete, imported, wanted > create.size(), message.toString());
  }

  public static boolean isImported(StateSnapshot s) {
    Map<String, String> labels = s.getMetadata().getLabels();
    return labels != null
        && "true".equals(labels.get(Labels.IMPORTED))
        && s.getSpec().snapshotId() != null;
  }

  /** Its index names a StateSnapshot of this cluster (kind/namespace/name/uid) as its maker. */
  static boolean madeHere(Listing.Entry e, Set<String> liveUids) {
    String by = e.summary().metadata().createdBy();
    if (by == null || !by.startsWith("statesnapshot/")) {
      return false;
    }
    return liveUids.contains(by.substring(by.lastIndexOf('/') + 1));
  }

  /** The StateSnapshot that stands for a snapshot of the bucket in the store's namespace. */
  static StateSnapshot imported(SnapshotStore store, Listing.Entry e, SourceId source) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Labels.IMPORTED, "true");
    labels.put(Labels.STORE, store.getMetadata().getName());
    if (source.cluster() != null) {
      labels.put(Labels.SOURCE_CLUSTER, source.cluster());
    }
    labels.put(Labels.SOURCE_NAMESPACE, source.namespace());
    e.labels()
        .forEach(
            (k, v) -> {
              if (k.startsWith(Labels.PREFIX)
                  && LABEL_NAME.matcher(k.substring(Labels.PREFIX.length())).matches()
                  && LABEL_VALUE.matcher(v).matches()) {
                if (k.equals(Labels.SCHEDULE)) {
                  labels.put(Labels.ORIGIN_SCHEDULE, v);
                } else if (!NOT_COPIED.contains(k)) {
                  labels.put(k, v);
                }
              }
            });
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(Labels.TAKEN_AT, e.takenAt().toString());
    if (e.summary().metadata().createdBy() != null) {
      annotations.put(Labels.CREATED_BY, e.summary().metadata().createdBy());
    }
    StateSnapshot s = new StateSnapshot();
    s.setMetadata(
        new ObjectMetaBuilder()
            .withName(name(source.pvc(), e.snapshotId()))
            .withNamespace(store.getMetadata().getNamespace())
            .withLabels(labels)
            .withAnnotations(annotations)
            // The store's view of its bucket: it goes with the store (the snapshots stay in the
            // bucket: Retain).
            .withOwnerReferences(
                new OwnerReferenceBuilder()
                    .withApiVersion(store.getApiVersion())
                    .withKind(store.getKind())
                    .withName(store.getMetadata().getName())
                    .withUid(store.getMetadata().getUid())
                    .withController(false)
                    .withBlockOwnerDeletion(false)
                    .build())
            .build());
    s.setSpec(
        new StateSnapshotSpec(
            new SnapshotSource(source.pvc(), source.path().isEmpty() ? null : source.path()),
            new LocalObjectRef(store.getMetadata().getName()),
            null,
            DeletionPolicy.Retain,
            null,
            null,
            null,
            null,
            e.snapshotId()));
    return s;
  }

  /**
   * {@code <pvc>-<snapshot id>} in lower case (a valid object name), shortened with a hash when too
   * long.
   */
  static String name(String pvc, String snapshotId) {
    String id = snapshotId.toLowerCase(Locale.ROOT);
    String plain = pvc + "-" + id;
    if (plain.length() <= 253) {
      return plain;
    }
    String hash = Hashing.hex(Hashing.sha256(pvc.getBytes(StandardCharsets.UTF_8))).substring(0, 8);
    String head = pvc.substring(0, 253 - id.length() - hash.length() - 2).replaceAll("[-.]+$", "");
    return head + "-" + hash + "-" + id;
  }
}
