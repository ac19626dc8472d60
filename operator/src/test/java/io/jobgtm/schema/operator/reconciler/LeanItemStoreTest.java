package io.jobgtm.schema.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeanItemStoreTest {

  @Test
  void keepsObjectsWithoutTheirManagedFields() {
    LeanItemStore<ConfigMap> store = LeanItemStore.of();
    ConfigMap configMap = configMap("workflow-migrations");

    store.put(store.getKey(configMap), configMap);

    ConfigMap cached = store.get("jobgtm/workflow-migrations");
    assertThat(cached.getMetadata().getManagedFields()).isNull();
    assertThat(cached.getMetadata().getLabels()).containsEntry("app", "workflow");
    assertThat(cached.getData()).containsEntry("V1__init.sql", "create table t (id int);");
  }

  @Test
  void trimsWhatTheOperatorDoesNotRead() {
    LeanItemStore<ConfigMap> store = LeanItemStore.trimming(c -> c.setData(null));
    ConfigMap configMap = configMap("workflow-migrations");

    store.put(store.getKey(configMap), configMap);

    ConfigMap cached = store.get("jobgtm/workflow-migrations");
    assertThat(cached.getData()).isNull();
    assertThat(cached.getMetadata().getManagedFields()).isNull();
    assertThat(cached.getMetadata().getName()).isEqualTo("workflow-migrations");
  }

  @Test
  void dropsObjectsTheFilterRejectsAndForgetsThoseThatStopPassingIt() {
    LeanItemStore<ConfigMap> store =
        LeanItemStore.keeping(c -> c.getMetadata().getName().startsWith("workflow-"));
    ConfigMap kept = configMap("workflow-migrations");
    ConfigMap other = configMap("kube-root-ca.crt");

    store.put(store.getKey(kept), kept);
    store.put(store.getKey(other), other);
    assertThat(store.keySet()).containsExactly("jobgtm/workflow-migrations");

    LeanItemStore<ConfigMap> rejectingAll = LeanItemStore.keeping(c -> false);
    rejectingAll.put("jobgtm/workflow-migrations", kept);
    assertThat(rejectingAll.size()).isZero();
    store.remove("jobgtm/workflow-migrations");
    assertThat(store.size()).isZero();
  }

  private static ConfigMap configMap(String name) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withNamespace("jobgtm")
        .withName(name)
        .addToLabels("app", "workflow")
        .addToManagedFields(
            new ManagedFieldsEntryBuilder()
                .withManager("kubectl")
                .withOperation("Apply")
                .withNewFieldsV1()
                .addToAdditionalProperties("f:data", Map.of("f:V1__init.sql", Map.of()))
                .endFieldsV1()
                .build())
        .endMetadata()
        .addToData("V1__init.sql", "create table t (id int);")
        .build();
  }

  @Test
  void theGatedPodStoreKeepsOnlyPodsCarryingTheOperatorsGates() {
    ItemStore<Pod> store = LeanItemStore.gatedPods();
    Pod gated = pod("web-1", "schema.jobgtm.io/workflow");
    Pod other = pod("web-2", "example.com/other");

    store.put(store.getKey(gated), gated);
    store.put(store.getKey(other), other);
    assertThat(store.size()).isEqualTo(1);

    Pod released = pod("web-1");
    store.put(store.getKey(released), released);
    assertThat(store.size()).isZero();
  }

  private static Pod pod(String name, String... gates) {
    PodBuilder builder =
        new PodBuilder().withNewMetadata().withName(name).withNamespace("apps").endMetadata();
    builder.withNewSpec().endSpec();
    for (String gate : gates) {
      builder.editSpec().addNewSchedulingGate(gate).endSpec();
    }
    return builder.build();
  }
}
