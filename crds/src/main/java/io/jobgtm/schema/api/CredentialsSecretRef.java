package io.jobgtm.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/**
 * The Secret holding the database credentials. The operator only passes these names on to the
 * migration Job as {@code secretKeyRef}s; it never reads the Secret.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CredentialsSecretRef {

  @JsonPropertyDescription(
      "Name of the Secret, in the namespace of this SchemaVersion: a DNS-1123 subdomain (lowercase"
          + " letters, digits, - and .), at most 253 characters.")
  @Required
  @Size(min = 1, max = KubernetesNames.DNS1123_SUBDOMAIN_MAX_LENGTH)
  @Pattern(KubernetesNames.DNS1123_SUBDOMAIN_PATTERN)
  private String name;

  @JsonPropertyDescription(
      "Key of the Secret holding the database user name: letters, digits, -, _ and ., not"
          + " starting with .., at most 253 characters.")
  @Default("username")
  @Size(min = 1, max = KubernetesNames.DNS1123_SUBDOMAIN_MAX_LENGTH)
  @Pattern(KubernetesNames.SECRET_KEY_PATTERN)
  private String usernameKey = "username";

  @JsonPropertyDescription(
      "Key of the Secret holding the database password: letters, digits, -, _ and ., not starting"
          + " with .., at most 253 characters.")
  @Default("password")
  @Size(min = 1, max = KubernetesNames.DNS1123_SUBDOMAIN_MAX_LENGTH)
  @Pattern(KubernetesNames.SECRET_KEY_PATTERN)
  private String passwordKey = "password";

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getUsernameKey() {
    return usernameKey;
  }

  public void setUsernameKey(String usernameKey) {
    this.usernameKey = usernameKey;
  }

  public String getPasswordKey() {
    return passwordKey;
  }

  public void setPasswordKey(String passwordKey) {
    this.passwordKey = passwordKey;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CredentialsSecretRef that
        && Objects.equals(name, that.name)
        && Objects.equals(usernameKey, that.usernameKey)
        && Objects.equals(passwordKey, that.passwordKey);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, usernameKey, passwordKey);
  }

  @Override
  public String toString() {
    return "CredentialsSecretRef{name="
        + name
        + ", usernameKey="
        + usernameKey
        + ", passwordKey="
        + passwordKey
        + '}';
  }
}
