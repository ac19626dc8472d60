package io.jobgtm.schema.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/**
 * The CRD schema of one entry of {@code status.conditions}, never instantiated: fabric8's {@link
 * io.fabric8.kubernetes.api.model.Condition} carries no descriptions, so {@code kubectl explain}
 * would show nothing for its fields.
 */
final class ConditionSchema {

  private ConditionSchema() {}

  @JsonPropertyDescription("Ready, Reconciling or Stalled.")
  @Required
  public String getType() {
    return null;
  }

  @JsonPropertyDescription("True, False or Unknown.")
  @Required
  public String getStatus() {
    return null;
  }

  @JsonPropertyDescription("Why the condition has its status, a CamelCase word.")
  public String getReason() {
    return null;
  }

  @JsonPropertyDescription("Details for a person; never contains a secret.")
  public String getMessage() {
    return null;
  }

  @JsonPropertyDescription("When the status last changed, RFC 3339.")
  public String getLastTransitionTime() {
    return null;
  }

  @JsonPropertyDescription("The metadata.generation the condition was computed from.")
  @Min(0)
  public Long getObservedGeneration() {
    return null;
  }
}
