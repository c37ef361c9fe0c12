package dev.strata.operator.restore;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a claim binds only once a pod uses it: its StorageClass (spec.storageClassName, or the
 * cluster's default class when unset) has volumeBindingMode WaitForFirstConsumer. A restore then
 * starts its runner on a Pending target, whose pod is that first consumer. Classes come from an
 * informer (cluster-scoped: list and watch); until it has any, or without one (watched namespaces:
 * no cluster-wide permission), nothing is known to bind late and restores wait for Bound as before.
 */
public final class BindingModes implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(BindingModes.class);
  static final String DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class";
  static final String WAIT_FOR_FIRST_CONSUMER = "WaitForFirstConsumer";

  /** Knows no class: every Pending target waits for Bound. */
  public static final BindingModes UNKNOWN = new BindingModes(List::of, null);

  private final Supplier<Collection<StorageClass>> classes;
  private final SharedIndexInformer<StorageClass> informer;

  BindingModes(
      Supplier<Collection<StorageClass>> classes, SharedIndexInformer<StorageClass> informer) {
    this.classes = classes;
    this.informer = informer;
  }

  /**
   * Starts an informer of the cluster's StorageClasses (needs list and watch on
   * storageclasses.storage.k8s.io).
   */
  public static BindingModes inform(KubernetesClient client) {
    SharedIndexInformer<StorageClass> informer =
        client.storage().v1().storageClasses().runnableInformer(0);
    informer
        .start()
        .whenComplete(
            (ok, e) -> {
              if (e != null) {
                LOG.warn(
                    "StorageClasses cannot be read ({}): restores wait for their target to be Bound",
                    e.getMessage());
              }
            });
    return new BindingModes(() -> informer.getStore().list(), informer);
  }

  public boolean bindsOnFirstConsumer(PersistentVolumeClaim pvc) {
    return pvc.getSpec() != null
        && bindsOnFirstConsumer(pvc.getSpec().getStorageClassName(), classes.get());
  }

  /**
   * Pure: the named class, or the default one (the newest, as the API server picks) when unnamed;
   * "" is no class.
   */
  static boolean bindsOnFirstConsumer(String className, Collection<StorageClass> classes) {
    if ("".equals(className)) {
      return false;
    }
    return classes.stream()
        .filter(
            c ->
                className == null
                    ? "true".equals(annotation(c, DEFAULT_CLASS))
                    : className.equals(c.getMetadata().getName()))
        .max(
            Comparator.comparing(
                (StorageClass c) -> Objects.toString(c.getMetadata().getCreationTimestamp(), "")))
        .map(c -> WAIT_FOR_FIRST_CONSUMER.equals(c.getVolumeBindingMode()))
        .orElse(false);
  }

  private static String annotation(StorageClass c, String key) {
    return c.getMetadata().getAnnotations() == null
        ? null
        : c.getMetadata().getAnnotations().get(key);
  }

  @Override
  public void close() {
    if (informer != null) {
      informer.close();
    }
  }
}
