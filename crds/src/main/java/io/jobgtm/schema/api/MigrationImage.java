package io.jobgtm.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/** An image whose file system carries the migration scripts. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MigrationImage {

  @JsonPropertyDescription(
      "Image reference, e.g. registry.example.com/app/migrations:1.4.0 or with a @sha256 digest.")
  @Required
  @Size(min = 1)
  private String reference;

  @JsonPropertyDescription("Absolute path of the directory holding the scripts inside the image.")
  @Default("/migrations")
  @Pattern("^/.*$")
  private String path = "/migrations";

  public String getReference() {
    return reference;
  }

  public void setReference(String reference) {
    this.reference = reference;
  }

  public String getPath() {
    return path;
  }

  public void setPath(String path) {
    this.path = path;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MigrationImage that
        && Objects.equals(reference, that.reference)
        && Objects.equals(path, that.path);
  }

  @Override
  public int hashCode() {
    return Objects.hash(reference, path);
  }

  @Override
  public String toString() {
    return "MigrationImage{reference=" + reference + ", path=" + path + '}';
  }
}
