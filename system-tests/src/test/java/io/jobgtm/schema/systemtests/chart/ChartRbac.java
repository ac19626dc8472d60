package io.jobgtm.schema.systemtests.chart;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The chart's ServiceAccount and RBAC, rendered by {@code helm template} with the default values
 * (cluster-wide mode) and applied to a cluster, so that the operator can run under exactly the
 * identity a {@code helm install} gives it.
 */
public final class ChartRbac {

  private ChartRbac() {}

  /**
   * Applies the rendered ServiceAccount, ClusterRole, ClusterRoleBinding, Role and RoleBinding.
   *
   * @return the ServiceAccount, in the chart's namespace
   */
  public static ServiceAccount install(KubernetesClient client) {
    Path work;
    try {
      work = Files.createTempDirectory("chart-rbac-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<HasMetadata> objects =
        Chart.objects(Chart.template(Chart.renderableCopy(work, null), null));
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(Chart.NAMESPACE)
                .endMetadata()
                .build())
        .serverSideApply();
    ServiceAccount account = null;
    for (HasMetadata object : objects) {
      boolean identity =
          object instanceof ServiceAccount
              || object instanceof ClusterRole
              || object instanceof ClusterRoleBinding
              || object instanceof Role
              || object instanceof RoleBinding;
      if (!identity) {
        continue;
      }
      if (object.getMetadata().getNamespace() == null
          && !(object instanceof ClusterRole || object instanceof ClusterRoleBinding)) {
        object.getMetadata().setNamespace(Chart.NAMESPACE);
      }
      client.resource(object).serverSideApply();
      if (object instanceof ServiceAccount serviceAccount) {
        account = serviceAccount;
      }
    }
    if (account == null) {
      throw new IllegalStateException("the chart rendered no ServiceAccount");
    }
    return account;
  }
}
