package io.jobgtm.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.Objects;

/**
 * The shadow database of the migration Job: an empty PostgreSQL in a native sidecar of the Job's
 * pod (an init container with {@code restartPolicy: Always}), reached through a Unix socket on a
 * shared {@code emptyDir}, where the migrator replays the migration set to verify a baseline
 * ({@code spec.baseline.version: Auto}, {@code spec.baseline.verify}). It must run the migrated
 * database's PostgreSQL major version (docs/migrator.md, "Verified baseline").
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ShadowSpec {

  /**
   * The shadow image when neither {@code spec.shadow.image} nor the operator's setting {@code
   * SCHEMA_OPERATOR_SHADOW_IMAGE} (chart value {@code shadow.image}) names one.
   */
  public static final String DEFAULT_IMAGE = "docker.io/library/postgres:17";

  @JsonPropertyDescription(
      "Run the shadow database in the migration Job's pod (default true). false: no sidecar, so"
          + " baseline.version Auto is refused and an explicit baseline.version needs"
          + " baseline.verify: false.")
  @Default("true")
  private Boolean enabled = true;

  @JsonPropertyDescription(
      "Image of the shadow database, an official-style PostgreSQL image (docker-entrypoint.sh,"
          + " user 999) of the migrated database's major version,"
          + " [host[:port]/]path[:tag][@digest] with a lowercase path, at most 520 characters;"
          + " unset: the operator's shadow image (chart value shadow.image, default "
          + DEFAULT_IMAGE
          + "). Another image needs the custom-image permission of the chart's admission"
          + " policy.")
  @Size(max = MigrationImage.MAX_REFERENCE_LENGTH)
  @Pattern(MigrationImage.REFERENCE_PATTERN)
  private String image;

  @JsonPropertyDescription(
      "CPU, memory and ephemeral-storage requests and limits of the shadow container; unset:"
          + " requests cpu 50m and memory 64Mi, limit memory 256Mi. Its data (at most 1Gi) is"
          + " on an emptyDir, which counts as the pod's ephemeral storage.")
  @SchemaFrom(type = JobResourcesSchema.class)
  private ResourceRequirements resources;

  /** Whether the Job gets the shadow sidecar: unless {@code enabled} is false. */
  public boolean runs() {
    return !Boolean.FALSE.equals(enabled);
  }

  public Boolean getEnabled() {
    return enabled;
  }

  public void setEnabled(Boolean enabled) {
    this.enabled = enabled;
  }

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public ResourceRequirements getResources() {
    return resources;
  }

  public void setResources(ResourceRequirements resources) {
    this.resources = resources;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ShadowSpec that
        && Objects.equals(enabled, that.enabled)
        && Objects.equals(image, that.image)
        && Objects.equals(resources, that.resources);
  }

  @Override
  public int hashCode() {
    return Objects.hash(enabled, image, resources);
  }

  @Override
  public String toString() {
    return "ShadowSpec{enabled=" + enabled + ", image=" + image + ", resources=" + resources + '}';
  }
}
