package io.jobgtm.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/**
 * Where the CA certificates for {@code sslMode} verify-ca and verify-full come from: exactly one of
 * a Secret key or a ConfigMap key holding PEM certificates. The operator mounts the key read-only
 * into the migration Job's pod and passes the file as the migrator's {@code DB_SSLROOTCERT}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.secretKeyRef) != has(self.configMapKeyRef)",
    message = "set exactly one of sslRootCert.secretKeyRef and sslRootCert.configMapKeyRef")
public class SslRootCertSpec {

  @JsonPropertyDescription(
      "Secret key holding the PEM CA certificates, as {name, key}; the Secret is in the namespace"
          + " of this SchemaVersion.")
  private SecretKeyRef secretKeyRef;

  @JsonPropertyDescription(
      "ConfigMap key holding the PEM CA certificates, as {name, key}, such as a bundle distributed"
          + " by trust-manager; the ConfigMap is in the namespace of this SchemaVersion.")
  private ConfigMapKeyRef configMapKeyRef;

  public SecretKeyRef getSecretKeyRef() {
    return secretKeyRef;
  }

  public void setSecretKeyRef(SecretKeyRef secretKeyRef) {
    this.secretKeyRef = secretKeyRef;
  }

  public ConfigMapKeyRef getConfigMapKeyRef() {
    return configMapKeyRef;
  }

  public void setConfigMapKeyRef(ConfigMapKeyRef configMapKeyRef) {
    this.configMapKeyRef = configMapKeyRef;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SslRootCertSpec that
        && Objects.equals(secretKeyRef, that.secretKeyRef)
        && Objects.equals(configMapKeyRef, that.configMapKeyRef);
  }

  @Override
  public int hashCode() {
    return Objects.hash(secretKeyRef, configMapKeyRef);
  }

  @Override
  public String toString() {
    return "SslRootCertSpec{secretKeyRef="
        + secretKeyRef
        + ", configMapKeyRef="
        + configMapKeyRef
        + '}';
  }
}
