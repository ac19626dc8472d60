package io.jobgtm.schema.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Map;

/**
 * The CRD schema of {@code spec.job.resources} and {@code spec.shadow.resources}, never
 * instantiated. fabric8's model classes carry no descriptions, so {@code kubectl explain} would
 * show nothing for their fields; this class describes them. It leaves out {@code claims}: the
 * migration pod declares no resource claims.
 *
 * <p>The rules are those the API server applies to a container's resources when the operator
 * creates the Job ({@code ValidateResourceRequirements} in Kubernetes {@code
 * pkg/apis/core/validation}), narrowed to the resources a migration container uses, so that a bad
 * value is refused when the SchemaVersion is applied. They need the CEL quantity library
 * (Kubernetes 1.28 and newer). A value is an integer or a string ({@code
 * x-kubernetes-int-or-string}), so the rules read it as {@code string(value)}.
 *
 * <p>The messages are fixed texts: a {@code messageExpression} naming the offending entries would
 * have to copy keys and values whose size the API server cannot bound (a schema cannot limit the
 * length of map keys), and the API server refuses such an expression as too expensive.
 */
@ValidationRule(
    value =
        "!has(self.limits) || !has(self.requests) || self.requests.all(k, !(k in self.limits)"
            + " || !isQuantity(string(self.requests[k])) || !isQuantity(string(self.limits[k]))"
            + " || !quantity(string(self.requests[k])).isGreaterThan(quantity(string(self.limits[k]))))",
    message = "a request must not exceed the limit of the same resource",
    fieldPath = ".requests")
final class JobResourcesSchema {

  /** The resources a migration container may ask for: the standard ones of a container. */
  static final String NAMES_RULE = "self.all(k, k in ['cpu', 'memory', 'ephemeral-storage'])";

  static final String NAMES_MESSAGE = "keys must be cpu, memory or ephemeral-storage";

  /** Kubernetes quantities of at least 0, such as 500m, 2 or 1Gi. */
  static final String QUANTITIES_RULE =
      "self.all(k, isQuantity(string(self[k]))"
          + " && !quantity(string(self[k])).isLessThan(quantity('0')))";

  static final String QUANTITIES_MESSAGE =
      "values must be quantities of at least 0, such as 500m, 2 or 1Gi";

  /** One entry per resource name {@link #NAMES_RULE} allows. */
  static final int MAX_RESOURCES = 3;

  private JobResourcesSchema() {}

  @JsonPropertyDescription(
      "Most of each resource the container may use: cpu in cores (500m, 2), memory and"
          + " ephemeral-storage in bytes (1Gi, 512Mi); keys cpu, memory, ephemeral-storage.")
  @Size(max = MAX_RESOURCES)
  @ValidationRule(value = NAMES_RULE, message = NAMES_MESSAGE)
  @ValidationRule(value = QUANTITIES_RULE, message = QUANTITIES_MESSAGE)
  public Map<String, Quantity> getLimits() {
    return null;
  }

  @JsonPropertyDescription(
      "Resources the scheduler reserves for the container, in the units of limits; each at most"
          + " its limit.")
  @Size(max = MAX_RESOURCES)
  @ValidationRule(value = NAMES_RULE, message = NAMES_MESSAGE)
  @ValidationRule(value = QUANTITIES_RULE, message = QUANTITIES_MESSAGE)
  public Map<String, Quantity> getRequests() {
    return null;
  }
}
