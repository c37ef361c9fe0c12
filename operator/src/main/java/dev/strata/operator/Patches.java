package dev.strata.operator;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What a reconciler hands back to JOSDK to write: a fresh object with only the fields the operator
 * owns (its status, and labels it mirrors), never a modified copy of what it read. The framework
 * patches with server-side apply, so the operator then owns exactly these fields; the spec, which
 * Git owns, is never sent, and no resourceVersion is juggled between a metadata patch and the
 * status patch that follows it.
 */
public final class Patches {

  private Patches() {}

  /** The status alone, for {@code UpdateControl.patchStatus}. */
  public static <P extends CustomResource<?, S>, S> P status(
      P resource, Supplier<P> fresh, S status) {
    return labelsAndStatus(resource, fresh, null, status);
  }

  /**
   * Labels and status, for {@code UpdateControl.patchResourceAndStatus}: the labels are every label
   * the operator owns.
   */
  public static <P extends CustomResource<?, S>, S> P labelsAndStatus(
      P resource, Supplier<P> fresh, Map<String, String> labels, S status) {
    P patch = fresh.get();
    patch.setMetadata(
        new ObjectMetaBuilder()
            .withName(resource.getMetadata().getName())
            .withNamespace(resource.getMetadata().getNamespace())
            .withLabels(labels)
            .build());
    patch.setSpec(null);
    patch.setStatus(status);
    return patch;
  }
}
