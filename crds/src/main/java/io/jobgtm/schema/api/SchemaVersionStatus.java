package io.jobgtm.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Condition;
import io.jobgtm.schema.contract.DatabaseState;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What the operator observed and did; written by the operator only. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SchemaVersionStatus {

  /**
   * {@code appliedMigrations} keeps at most this many entries, the most recent first; the operator
   * drops the oldest ones. The CRD rejects a longer list.
   */
  public static final int MAX_APPLIED_MIGRATIONS = 20;

  @JsonPropertyDescription("The metadata.generation this status was computed from.")
  private Long observedGeneration;

  @JsonPropertyDescription(
      "The version spec.targetVersion resolves to (latest resolved against the migration set).")
  private String desiredVersion;

  @JsonPropertyDescription("Schema version the database is at, as reported by the last Job.")
  private String currentVersion;

  @JsonPropertyDescription(
      "What the last Job found: Fresh (no objects), Unversioned (objects, no migration history) or"
          + " Versioned.")
  private DatabaseState databaseState;

  @JsonPropertyDescription(
      "The database's PostgreSQL version as its server reports it (server_version, such as"
          + " 17.6), from the last Job that reached it; the shadow image (spec.shadow.image) must"
          + " run its major version.")
  private String serverVersion;

  @JsonPropertyDescription(
      "Versions still to apply to reach desiredVersion, in order. When the migrator's result was"
          + " too long the lowest are left out: pendingCount counts them all.")
  private List<String> pendingVersions = new ArrayList<>();

  @JsonPropertyDescription(
      "How many versions are still to apply, also when pendingVersions is cut.")
  private Integer pendingCount;

  @JsonPropertyDescription(
      "Migrations applied by the operator's Jobs, most recent first, at most 20 entries.")
  @Size(max = MAX_APPLIED_MIGRATIONS)
  private List<AppliedMigration> appliedMigrations = new ArrayList<>();

  @JsonPropertyDescription(
      "Repeatable migrations (R__<description>.sql) the database holds in their current form, by"
          + " description, in the order they were applied: the whole state the last Job that"
          + " reached the database found after its run (its result's currentRepeatables), not only"
          + " what that Job applied. Absent when none.")
  private List<String> appliedRepeatables;

  @JsonPropertyDescription(
      "Repeatable migrations new or changed since their latest application, by description,"
          + " which the next migration Job applies (the last Job's pendingRepeatables). Absent when"
          + " none.")
  private List<String> pendingRepeatables;

  @JsonPropertyDescription("The last migration Job the operator ran and its outcome.")
  private MigrationJobStatus lastJob;

  @JsonPropertyDescription(
      "The operator's retries of transient failures: how many, when the next one starts, why.")
  private RetryStatus retries;

  @JsonPropertyDescription("Number of pods still held back by this resource's scheduling gate.")
  @Min(0)
  private Integer gatedPods;

  @JsonPropertyDescription(
      "The live schema's fingerprint (sha256: and 64 hex digits of its canonical schema model) from"
          + " the latest verification; what spec.verify.acceptedFingerprint accepts.")
  private String schemaFingerprint;

  @JsonPropertyDescription(
      "The latest verification of the live schema against the migration set, and the verify Jobs.")
  private VerificationStatus verification;

  @JsonPropertyDescription(
      "Ready, Reconciling and Stalled, following Kubernetes conventions (kstatus); Drifted"
          + " (an extra condition, set once a verification has run) says whether the live schema"
          + " differs from what the migration set makes at its version.")
  @SchemaFrom(type = ConditionSchema[].class)
  private List<Condition> conditions = new ArrayList<>();

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public String getDesiredVersion() {
    return desiredVersion;
  }

  public void setDesiredVersion(String desiredVersion) {
    this.desiredVersion = desiredVersion;
  }

  public String getCurrentVersion() {
    return currentVersion;
  }

  public void setCurrentVersion(String currentVersion) {
    this.currentVersion = currentVersion;
  }

  public DatabaseState getDatabaseState() {
    return databaseState;
  }

  public void setDatabaseState(DatabaseState databaseState) {
    this.databaseState = databaseState;
  }

  public String getServerVersion() {
    return serverVersion;
  }

  public void setServerVersion(String serverVersion) {
    this.serverVersion = serverVersion;
  }

  public Integer getPendingCount() {
    return pendingCount;
  }

  public void setPendingCount(Integer pendingCount) {
    this.pendingCount = pendingCount;
  }

  public List<String> getPendingVersions() {
    return pendingVersions;
  }

  public void setPendingVersions(List<String> pendingVersions) {
    this.pendingVersions = pendingVersions;
  }

  public List<AppliedMigration> getAppliedMigrations() {
    return appliedMigrations;
  }

  public void setAppliedMigrations(List<AppliedMigration> appliedMigrations) {
    this.appliedMigrations = appliedMigrations;
  }

  public List<String> getAppliedRepeatables() {
    return appliedRepeatables;
  }

  public void setAppliedRepeatables(List<String> appliedRepeatables) {
    this.appliedRepeatables = appliedRepeatables;
  }

  public List<String> getPendingRepeatables() {
    return pendingRepeatables;
  }

  public void setPendingRepeatables(List<String> pendingRepeatables) {
    this.pendingRepeatables = pendingRepeatables;
  }

  public MigrationJobStatus getLastJob() {
    return lastJob;
  }

  public void setLastJob(MigrationJobStatus lastJob) {
    this.lastJob = lastJob;
  }

  public RetryStatus getRetries() {
    return retries;
  }

  public void setRetries(RetryStatus retries) {
    this.retries = retries;
  }

  public Integer getGatedPods() {
    return gatedPods;
  }

  public void setGatedPods(Integer gatedPods) {
    this.gatedPods = gatedPods;
  }

  public String getSchemaFingerprint() {
    return schemaFingerprint;
  }

  public void setSchemaFingerprint(String schemaFingerprint) {
    this.schemaFingerprint = schemaFingerprint;
  }

  public VerificationStatus getVerification() {
    return verification;
  }

  public void setVerification(VerificationStatus verification) {
    this.verification = verification;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SchemaVersionStatus that
        && Objects.equals(observedGeneration, that.observedGeneration)
        && Objects.equals(desiredVersion, that.desiredVersion)
        && Objects.equals(currentVersion, that.currentVersion)
        && databaseState == that.databaseState
        && Objects.equals(serverVersion, that.serverVersion)
        && Objects.equals(pendingVersions, that.pendingVersions)
        && Objects.equals(pendingCount, that.pendingCount)
        && Objects.equals(appliedMigrations, that.appliedMigrations)
        && Objects.equals(appliedRepeatables, that.appliedRepeatables)
        && Objects.equals(pendingRepeatables, that.pendingRepeatables)
        && Objects.equals(lastJob, that.lastJob)
        && Objects.equals(retries, that.retries)
        && Objects.equals(gatedPods, that.gatedPods)
        && Objects.equals(schemaFingerprint, that.schemaFingerprint)
        && Objects.equals(verification, that.verification)
        && Objects.equals(conditions, that.conditions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        observedGeneration,
        desiredVersion,
        currentVersion,
        databaseState,
        serverVersion,
        pendingVersions,
        pendingCount,
        appliedMigrations,
        appliedRepeatables,
        pendingRepeatables,
        lastJob,
        retries,
        gatedPods,
        schemaFingerprint,
        verification,
        conditions);
  }

  @Override
  public String toString() {
    return "SchemaVersionStatus{observedGeneration="
        + observedGeneration
        + ", desiredVersion="
        + desiredVersion
        + ", currentVersion="
        + currentVersion
        + ", databaseState="
        + databaseState
        + ", serverVersion="
        + serverVersion
        + ", pendingVersions="
        + pendingVersions
        + ", pendingCount="
        + pendingCount
        + ", appliedMigrations="
        + appliedMigrations
        + ", appliedRepeatables="
        + appliedRepeatables
        + ", pendingRepeatables="
        + pendingRepeatables
        + ", lastJob="
        + lastJob
        + ", retries="
        + retries
        + ", gatedPods="
        + gatedPods
        + ", schemaFingerprint="
        + schemaFingerprint
        + ", verification="
        + verification
        + ", conditions="
        + conditions
        + '}';
  }
}
