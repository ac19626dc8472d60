package io.jobgtm.schema.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Map;

/**
 * The CRD schema of {@code spec.job.resources}, never instantiated. fabric8's model classes carry
 * no descriptions, so {@code kubectl explain} would show nothing for their fields; this class
 * describes them. It leaves out {@code claims}: the migration pod declares no resource claims.
 */
final class JobResourcesSchema {

  private JobResourcesSchema() {}

  @JsonPropertyDescription("Most compute resources the container may use, e.g. cpu: 500m.")
  public Map<String, Quantity> getLimits() {
    return null;
  }

  @JsonPropertyDescription("Compute resources the scheduler reserves for the container.")
  public Map<String, Quantity> getRequests() {
    return null;
  }
}
