package io.jobgtm.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.jobgtm.schema.contract.DatabaseHost;
import java.util.Objects;

/** Coordinates of the PostgreSQL database; credentials come from a Secret, never from here. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.sslMode) || !(self.sslMode in ['verify-ca', 'verify-full'])"
            + " || has(self.sslRootCert)",
    message =
        "database.sslRootCert is required when database.sslMode is verify-ca or verify-full: the"
            + " CA certificates the server's certificate is verified against",
    reason = "FieldValueRequired",
    fieldPath = ".sslRootCert")
@ValidationRule(
    value =
        "!has(self.sslRootCert) || (has(self.sslMode) && self.sslMode in ['verify-ca',"
            + " 'verify-full'])",
    message =
        "database.sslRootCert is used only with database.sslMode verify-ca or verify-full; other"
            + " modes do not verify the server's certificate",
    reason = "FieldValueInvalid",
    fieldPath = ".sslRootCert")
public class DatabaseSpec {

  @JsonPropertyDescription(
      "Host of the PostgreSQL server: "
          + DatabaseHost.DESCRIPTION
          + ", such as postgres.db.svc.cluster.local, 10.0.0.7 or fd00::7.")
  @Required
  @Size(min = 1, max = DatabaseHost.MAX_LENGTH)
  @Pattern(DatabaseHost.PATTERN)
  @ValidationRule(
      value = DatabaseHost.NUMERIC_RULE,
      message = "database.host: " + DatabaseHost.NUMERIC_PROBLEM,
      reason = "FieldValueInvalid")
  private String host;

  @JsonPropertyDescription("TCP port of the PostgreSQL server.")
  @Default("5432")
  @Min(1)
  @Max(65535)
  private Integer port = 5432;

  @JsonPropertyDescription("Name of the database.")
  @Required
  @Size(min = 1)
  private String name;

  @JsonPropertyDescription(
      "Schema the migrations run in; it also holds the migration history. At most 63 bytes in"
          + " UTF-8, PostgreSQL's limit on names (a longer one would be cut).")
  @Default("public")
  @Size(min = 1, max = 63)
  @ValidationRule(
      value = "size(bytes(self)) <= 63",
      message = "database.schema has more than 63 bytes in UTF-8, PostgreSQL's limit on names",
      reason = "FieldValueInvalid")
  private String schema = "public";

  @JsonPropertyDescription(
      "Name of the table, in the schema, that holds the migration history (Flyway's table),"
          + " as written (quoted: not folded to lower case)."
          + " Default flyway_schema_history; a schema Flyway migrated under another name needs"
          + " that name here, to be continued rather than found Unversioned. At most 63 bytes in"
          + " UTF-8, PostgreSQL's limit on names.")
  @Size(min = 1, max = 63)
  @Pattern("\\S")
  @ValidationRule(
      value = "size(bytes(self)) <= 63",
      message =
          "database.historyTable has more than 63 bytes in UTF-8, PostgreSQL's limit on names",
      reason = "FieldValueInvalid")
  private String historyTable;

  @JsonPropertyDescription(
      "PostgreSQL sslmode of the connection. prefer (the default) encrypts if the server offers"
          + " TLS but verifies nothing and falls back to plaintext; require insists on TLS without"
          + " verifying the server; verify-ca checks the certificate against sslRootCert;"
          + " verify-full also checks that it names host. verify-ca and verify-full need"
          + " sslRootCert.")
  @Default("prefer")
  private SslMode sslMode = SslMode.PREFER;

  @JsonPropertyDescription(
      "CA certificates (PEM) the server's certificate must chain to, for sslMode verify-ca and"
          + " verify-full only: exactly one of secretKeyRef {name, key} or configMapKeyRef {name,"
          + " key}. The key is mounted read-only into the migration Job's pod.")
  private SslRootCertSpec sslRootCert;

  @JsonPropertyDescription(
      "Secret in the same namespace holding the user name and password; only the migration Job"
          + " reads it.")
  @Required
  private CredentialsSecretRef credentialsSecretRef;

  @JsonPropertyDescription(
      "The SchemaVersion, as namespace/name, whose schema this one takes over. The migrator records"
          + " which SchemaVersion migrates a schema (a comment on its history table) and refuses"
          + " any other (SchemaOwnedByAnother), so that two resources, in any namespaces, never"
          + " migrate one schema against each other; set this when a resource moves to another"
          + " namespace or name. It is about who migrates the schema, not about stamping a schema"
          + " that has no history (spec.baseline).")
  @Pattern(TAKE_OVER_FROM_PATTERN)
  @Size(max = 317)
  private String takeOverFrom;

  /** {@code namespace/name}: a DNS-1123 label, a slash, a DNS-1123 subdomain. */
  public static final String TAKE_OVER_FROM_PATTERN =
      "^[a-z0-9]([-a-z0-9]*[a-z0-9])?/[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  public String getHost() {
    return host;
  }

  public void setHost(String host) {
    this.host = host;
  }

  public Integer getPort() {
    return port;
  }

  public void setPort(Integer port) {
    this.port = port;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getSchema() {
    return schema;
  }

  public void setSchema(String schema) {
    this.schema = schema;
  }

  /** {@code spec.database.historyTable}; null when unset (the migrator's default applies). */
  public String getHistoryTable() {
    return historyTable;
  }

  public void setHistoryTable(String historyTable) {
    this.historyTable = historyTable;
  }

  public SslMode getSslMode() {
    return sslMode;
  }

  public void setSslMode(SslMode sslMode) {
    this.sslMode = sslMode;
  }

  public SslRootCertSpec getSslRootCert() {
    return sslRootCert;
  }

  public void setSslRootCert(SslRootCertSpec sslRootCert) {
    this.sslRootCert = sslRootCert;
  }

  public CredentialsSecretRef getCredentialsSecretRef() {
    return credentialsSecretRef;
  }

  public void setCredentialsSecretRef(CredentialsSecretRef credentialsSecretRef) {
    this.credentialsSecretRef = credentialsSecretRef;
  }

  public String getTakeOverFrom() {
    return takeOverFrom;
  }

  public void setTakeOverFrom(String takeOverFrom) {
    this.takeOverFrom = takeOverFrom;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DatabaseSpec that
        && Objects.equals(host, that.host)
        && Objects.equals(port, that.port)
        && Objects.equals(name, that.name)
        && Objects.equals(schema, that.schema)
        && Objects.equals(historyTable, that.historyTable)
        && sslMode == that.sslMode
        && Objects.equals(sslRootCert, that.sslRootCert)
        && Objects.equals(credentialsSecretRef, that.credentialsSecretRef)
        && Objects.equals(takeOverFrom, that.takeOverFrom);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        host,
        port,
        name,
        schema,
        historyTable,
        sslMode,
        sslRootCert,
        credentialsSecretRef,
        takeOverFrom);
  }

  @Override
  public String toString() {
    return "DatabaseSpec{host="
        + host
        + ", port="
        + port
        + ", name="
        + name
        + ", schema="
        + schema
        + ", historyTable="
        + historyTable
        + ", sslMode="
        + sslMode
        + ", sslRootCert="
        + sslRootCert
        + ", credentialsSecretRef="
        + credentialsSecretRef
        + ", takeOverFrom="
        + takeOverFrom
        + '}';
  }
}
