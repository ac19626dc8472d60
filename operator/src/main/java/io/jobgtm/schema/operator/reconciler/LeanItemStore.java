package io.jobgtm.schema.operator.reconciler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.jobgtm.schema.operator.decide.Gates;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * An informer store that keeps only the objects the operator needs, each without its {@code
 * metadata.managedFields}. The operator never reads managed fields (it writes with JSON patches and
 * server-side apply of objects it builds), and they are often the largest part of a cached object:
 * every manager that touched it (the operator, kube-controller-manager, the kubelet, kubectl) adds
 * a tree of the fields it owns. Where the operator reads even less of an object (only the metadata
 * and status of its Jobs and their pods), a trim drops the rest before the object is stored.
 */
public final class LeanItemStore<T extends HasMetadata> implements ItemStore<T> {

  private final BasicItemStore<T> store = new BasicItemStore<>(Cache::metaNamespaceKeyFunc);
  private final Predicate<T> keep;
  private final Consumer<T> trim;

  private LeanItemStore(Predicate<T> keep, Consumer<T> trim) {
    this.keep = keep;
    this.trim = trim;
  }

  /** Keeps every object, without its managed fields. */
  public static <T extends HasMetadata> LeanItemStore<T> of() {
    return new LeanItemStore<>(object -> true, object -> {});
  }

  /** Keeps only the objects {@code keep} accepts, without their managed fields. */
  public static <T extends HasMetadata> LeanItemStore<T> keeping(Predicate<T> keep) {
    return new LeanItemStore<>(keep, object -> {});
  }

  /**
   * Keeps every object without its managed fields and without what {@code trim} removes (it changes
   * the object it is given, which nothing else holds yet).
   */
  public static <T extends HasMetadata> LeanItemStore<T> trimming(Consumer<T> trim) {
    return new LeanItemStore<>(object -> true, trim);
  }

  @Override
  public String getKey(T object) {
    return store.getKey(object);
  }

  @Override
  public T put(String key, T object) {
    if (!keep.test(object)) {
      return store.remove(key);
    }
    object.getMetadata().setManagedFields(null);
    trim.accept(object);
    return store.put(key, object);
  }

  @Override
  public T remove(String key) {
    return store.remove(key);
  }

  @Override
  public Stream<String> keySet() {
    return store.keySet();
  }

  @Override
  public Stream<T> values() {
    return store.values();
  }

  @Override
  public int size() {
    return store.size();
  }

  @Override
  public T get(String key) {
    return store.get(key);
  }

  /**
   * {@code store} where an informer has a store of its own, null (the informer's default store)
   * where it does not. JOSDK gives the informers of all watched namespaces the one store instance
   * it is configured with, and each informer's list keeps only its own namespace's objects in it
   * (fabric8's {@code retainAll} on relist), so with several watched namespaces a shared store
   * would lose the others' objects. One informer (all namespaces, or one) has the store to itself.
   *
   * @param namespaces the namespaces the informers watch, as JOSDK resolves them
   */
  public static <T extends HasMetadata> ItemStore<T> unlessShared(
      Set<String> namespaces, Supplier<ItemStore<T>> store) {
    return namespaces.size() <= 1 ? store.get() : null;
  }

  /**
   * A store of pods that keeps only those carrying one of this operator's gates, so that watching
   * every pod of the cluster costs memory only for the pods that wait.
   */
  public static ItemStore<Pod> gatedPods() {
    return keeping(pod -> !Gates.awaitedBy(pod).isEmpty());
  }
}
