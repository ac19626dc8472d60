package io.jobgtm.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Workloads the operator gates: it adds the scheduling gate {@code schema.jobgtm.io/<name>} to
 * their pod templates (which rolls each Deployment once) and removes it from their pods once the
 * schema is ready. Under GitOps, put the gate in the manifest instead.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GateSpec {

  /**
   * At most this many Deployments per SchemaVersion. The chart's admission policy asks the API
   * server's authorizer whether the author may patch each one, and the API server allows one
   * admission request about 28 such checks (5 go to the policy's other checks); the policy has one
   * check per entry up to this number (helm/schema-operator/templates/admission-policy.yaml).
   */
  public static final int MAX_DEPLOYMENTS = 20;

  @JsonPropertyDescription(
      "Names of Deployments in the same namespace whose pods wait for the schema, at most 20; the"
          + " operator adds the scheduling gate to their pod templates.")
  @Size(max = MAX_DEPLOYMENTS)
  private List<
          @Pattern(KubernetesNames.DNS1123_SUBDOMAIN_PATTERN)
          @Size(max = KubernetesNames.DNS1123_SUBDOMAIN_MAX_LENGTH) String>
      deployments = new ArrayList<>();

  public List<String> getDeployments() {
    return deployments;
  }

  public void setDeployments(List<String> deployments) {
    this.deployments = deployments;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GateSpec that && Objects.equals(deployments, that.deployments);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(deployments);
  }

  @Override
  public String toString() {
    return "GateSpec{deployments=" + deployments + '}';
  }
}
