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

  /** A DNS-1123 subdomain, the form of a Deployment name. */
  public static final String DNS1123_SUBDOMAIN_PATTERN =
      "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  /** At most this many Deployments per SchemaVersion. */
  public static final int MAX_DEPLOYMENTS = 50;

  @JsonPropertyDescription(
      "Names of Deployments in the same namespace whose pods wait for the schema; the operator"
          + " adds the scheduling gate to their pod templates.")
  @Size(max = MAX_DEPLOYMENTS)
  private List<@Pattern(DNS1123_SUBDOMAIN_PATTERN) @Size(max = 253) String> deployments =
      new ArrayList<>();

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
