package io.jobgtm.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/**
 * Where the migration scripts come from: at most one of {@link #getConfigMapRef() configMapRef} and
 * {@link #getImage() image}; neither means the set bundled in the operator image.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!(has(self.configMapRef) && has(self.image))",
    message =
        "set either migrations.configMapRef or migrations.image, not both; omit both to use the"
            + " migrations bundled in the operator image")
public class MigrationsSpec {

  @JsonPropertyDescription(
      "ConfigMap in the same namespace whose keys are migration scripts (V<n>__<desc>.sql, undo"
          + " U<n>__<desc>.sql).")
  private ConfigMapRef configMapRef;

  @JsonPropertyDescription("Image that carries the migration scripts in a directory.")
  private MigrationImage image;

  public ConfigMapRef getConfigMapRef() {
    return configMapRef;
  }

  public void setConfigMapRef(ConfigMapRef configMapRef) {
    this.configMapRef = configMapRef;
  }

  public MigrationImage getImage() {
    return image;
  }

  public void setImage(MigrationImage image) {
    this.image = image;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MigrationsSpec that
        && Objects.equals(configMapRef, that.configMapRef)
        && Objects.equals(image, that.image);
  }

  @Override
  public int hashCode() {
    return Objects.hash(configMapRef, image);
  }

  @Override
  public String toString() {
    return "MigrationsSpec{configMapRef=" + configMapRef + ", image=" + image + '}';
  }
}
