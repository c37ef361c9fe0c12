package dev.strata.e2e.support;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.Watchable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every object of one kind created in a namespace while it watches, in its latest state, including
 * those deleted since: the way to count runner Jobs and pods once the operator has released them.
 */
public final class CreatedObjects<T extends HasMetadata> implements Watcher<T>, AutoCloseable {

  private final Map<String, T> byUid = new LinkedHashMap<>();
  private final Watch watch;

  private CreatedObjects(Watchable<T> source) {
    this.watch = source.watch(this);
  }

  public static CreatedObjects<Job> jobs(KubernetesClient client, String namespace) {
    return new CreatedObjects<>(client.batch().v1().jobs().inNamespace(namespace));
  }

  public static CreatedObjects<Pod> pods(KubernetesClient client, String namespace) {
    return new CreatedObjects<>(client.pods().inNamespace(namespace));
  }

  @Override
  public synchronized void eventReceived(Action action, T object) {
    byUid.put(
        object.getMetadata().getUid(),
        object); // the latest state, kept in the order of first appearance
  }

  @Override
  public void onClose(WatcherException cause) {}

  /** Those carrying the label {@code key=value}, in the order they appeared. */
  public synchronized List<T> withLabel(String key, String value) {
    List<T> out = new ArrayList<>();
    for (T object : byUid.values()) {
      Map<String, String> labels = object.getMetadata().getLabels();
      if (labels != null && value.equals(labels.get(key))) {
        out.add(object);
      }
    }
    return out;
  }

  @Override
  public void close() {
    watch.close();
  }
}
