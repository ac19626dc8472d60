package io.jobgtm.schema.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * Declares the schema version a PostgreSQL database must reach. The operator runs one migration Job
 * per change, stamps unversioned schemas when {@code spec.baseline} allows it, reports the outcome
 * in {@code status} and releases the scheduling gates of the pods waiting for the schema.
 */
@Group(SchemaVersion.GROUP)
@Version(SchemaVersion.VERSION)
@Kind(SchemaVersion.KIND)
@Plural(SchemaVersion.PLURAL)
@Singular("schemaversion")
@ShortNames(SchemaVersion.SHORT_NAME)
@AdditionalPrinterColumn(
    name = "Target",
    jsonPath = ".spec.targetVersion",
    getDescription = "Schema version the database must reach")
@AdditionalPrinterColumn(
    name = "Current",
    jsonPath = ".status.currentVersion",
    getDescription = "Schema version the database is at")
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    getDescription = "Whether the database is at the target version")
@AdditionalPrinterColumn(
    name = "Reason",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason",
    getDescription = "Why the resource is or is not ready")
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
@ValidationRule(
    value = "self.metadata.name.size() <= " + KubernetesNames.LABEL_VALUE_MAX_LENGTH,
    message =
        "metadata.name must be at most "
            + KubernetesNames.LABEL_VALUE_MAX_LENGTH
            + " characters: it becomes the value of the label "
            + SchemaVersion.GROUP
            + "/schemaversion on the migration Job and the name of the scheduling gate "
            + SchemaVersion.GROUP
            + "/<name>")
public class SchemaVersion extends CustomResource<SchemaVersionSpec, SchemaVersionStatus>
    implements Namespaced {

  public static final String GROUP = "schema.jobgtm.io";
  public static final String VERSION = "v1alpha1";
  public static final String KIND = "SchemaVersion";
  public static final String PLURAL = "schemaversions";
  public static final String SHORT_NAME = "sv";

  /**
   * The annotation that asks for a retry: setting it to a value the operator has not acted on yet
   * ({@code status.retries.request}) runs a failed spec again now, also after {@code
   * RetriesExhausted} or a permanent failure that was fixed outside the spec (such as an INVALID
   * index dropped by hand). The value means nothing else; a timestamp is a good choice.
   */
  public static final String RETRY_ANNOTATION = GROUP + "/retry";

  /**
   * The annotation that asks for a verification now: setting it to a value the operator has not
   * acted on yet ({@code status.verification.request}) starts a verify Job as soon as the resource
   * is Ready (or Stalled by {@code SchemaDrifted}) and no migration or verify Job runs, whether or
   * not {@code spec.verify.interval} is set; after drift fixed by hand, it clears {@code Drifted}
   * without waiting for the interval. The value means nothing else; a timestamp is a good choice.
   */
  public static final String VERIFY_ANNOTATION = GROUP + "/verify";

  /** Name of the CRD, as {@code kubectl get crd} shows it. */
  public static final String CRD_NAME = PLURAL + "." + GROUP;

  @Override
  @JsonPropertyDescription("The schema version the database must reach, and how to get there.")
  @Required
  public SchemaVersionSpec getSpec() {
    return super.getSpec();
  }

  @Override
  @JsonPropertyDescription("What the operator observed and did; written by the operator only.")
  public SchemaVersionStatus getStatus() {
    return super.getStatus();
  }
}
