package io.jobgtm.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/** A key of a ConfigMap in the namespace of the {@link SchemaVersion}, mounted as a file. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ConfigMapKeyRef {

  @JsonPropertyDescription(
      "Name of the ConfigMap, in the namespace of this SchemaVersion: a DNS-1123 subdomain"
          + " (lowercase letters, digits, - and .), at most 253 characters.")
  @Required
  @Size(min = 1, max = KubernetesNames.DNS1123_SUBDOMAIN_MAX_LENGTH)
  @Pattern(KubernetesNames.DNS1123_SUBDOMAIN_PATTERN)
  private String name;

  @JsonPropertyDescription(
      "Key of the ConfigMap whose value is the file: letters, digits, -, _ and ., not starting with"
          + " .., at most 253 characters.")
  @Required
  @Size(min = 1, max = KubernetesNames.DNS1123_SUBDOMAIN_MAX_LENGTH)
  @Pattern(KubernetesNames.SECRET_KEY_PATTERN)
  private String key;

  public ConfigMapKeyRef() {}

  public ConfigMapKeyRef(String name, String key) {
    this.name = name;
    this.key = key;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getKey() {
    return key;
  }

  public void setKey(String key) {
    this.key = key;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConfigMapKeyRef that
        && Objects.equals(name, that.name)
        && Objects.equals(key, that.key);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, key);
  }

  @Override
  public String toString() {
    return "ConfigMapKeyRef{name=" + name + ", key=" + key + '}';
  }
}
