package io.jobgtm.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** Whether the database may go down to a lower version. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DowngradeSpec {

  @JsonPropertyDescription(
      "Run the undo scripts when targetVersion is below the current version; when false, such a"
          + " target leaves the resource Stalled.")
  @Default("false")
  private boolean allowed = false;

  public boolean isAllowed() {
    return allowed;
  }

  public void setAllowed(boolean allowed) {
    this.allowed = allowed;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DowngradeSpec that && allowed == that.allowed;
  }

  @Override
  public int hashCode() {
    return Boolean.hashCode(allowed);
  }

  @Override
  public String toString() {
    return "DowngradeSpec{allowed=" + allowed + '}';
  }
}
