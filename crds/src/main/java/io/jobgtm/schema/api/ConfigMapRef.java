package io.jobgtm.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/** A ConfigMap in the namespace of the {@link SchemaVersion}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ConfigMapRef {

  @JsonPropertyDescription(
      "Name of the ConfigMap, in the namespace of this SchemaVersion: a DNS-1123 subdomain"
          + " (lowercase letters, digits, - and .), at most 253 characters.")
  @Required
  @Size(min = 1, max = KubernetesNames.DNS1123_SUBDOMAIN_MAX_LENGTH)
  @Pattern(KubernetesNames.DNS1123_SUBDOMAIN_PATTERN)
  private String name;

  public ConfigMapRef() {}

  public ConfigMapRef(String name) {
    this.name = name;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConfigMapRef that && Objects.equals(name, that.name);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(name);
  }

  @Override
  public String toString() {
    return "ConfigMapRef{name=" + name + '}';
  }
}
