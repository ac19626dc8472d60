package io.jobgtm.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.jobgtm.schema.contract.Version;
import java.util.Objects;

/** The desired state of a {@link SchemaVersion}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.baseline) || !has(self.baseline.version) || self.baseline.version != 'Auto'"
            + " || !has(self.shadow) || !has(self.shadow.enabled) || self.shadow.enabled",
    message =
        "baseline.version Auto needs the shadow database, where the migration set is replayed to"
            + " find the version: leave shadow.enabled true or give a version",
    reason = "FieldValueInvalid",
    fieldPath = ".baseline.version")
@ValidationRule(
    value =
        "!has(self.shadow) || !has(self.shadow.enabled) || self.shadow.enabled"
            + " || !has(self.baseline) || !has(self.baseline.version)"
            + " || self.baseline.version == 'Auto' || (has(self.baseline.verify)"
            + " && !self.baseline.verify)",
    message =
        "baseline.verify must be false when shadow.enabled is false: without the shadow database"
            + " baseline.version cannot be checked, so say that it is stamped unchecked",
    reason = "FieldValueInvalid",
    fieldPath = ".baseline.verify")
public class SchemaVersionSpec {

  /** The {@code targetVersion} that means "the highest version of the migration set". */
  public static final String LATEST = "latest";

  /** A schema version: digits separated by dots, such as {@code 2} or {@code 2.1}. */
  public static final String VERSION_PATTERN = Version.PATTERN;

  /** {@link #LATEST} or a version matching {@link #VERSION_PATTERN}. */
  public static final String TARGET_VERSION_PATTERN = "^(latest|" + Version.SYNTAX_REGEX + ")$";

  @JsonPropertyDescription(
      "Schema version the database must reach: latest (the highest version of the migration set)"
          + " or a version such as 2 or 2.1.")
  @Default(LATEST)
  @Pattern(TARGET_VERSION_PATTERN)
  private String targetVersion = LATEST;

  @JsonPropertyDescription("The PostgreSQL database and schema to migrate.")
  @Required
  private DatabaseSpec database;

  @JsonPropertyDescription(
      "Where the migration scripts come from: a ConfigMap or an image; when omitted, the set"
          + " bundled in the operator image.")
  private MigrationsSpec migrations;

  @JsonPropertyDescription(
      "What to do with a schema that has tables but no migration history (an unversioned schema).")
  @Default("{}")
  private BaselineSpec baseline = new BaselineSpec();

  @JsonPropertyDescription("Whether a targetVersion below the current version may be reached.")
  @Default("{}")
  private DowngradeSpec downgrade = new DowngradeSpec();

  @JsonPropertyDescription("Settings of the migration Job the operator runs.")
  @Default("{}")
  private MigrationJobSpec job = new MigrationJobSpec();

  @JsonPropertyDescription(
      "The shadow database in the migration Job's pod, an empty PostgreSQL where the migration set"
          + " is replayed to verify a baseline; on by default.")
  @Default("{}")
  private ShadowSpec shadow = new ShadowSpec();

  @JsonPropertyDescription(
      "Workloads whose new pods wait, through a scheduling gate, until the schema is ready.")
  private GateSpec gate;

  @JsonPropertyDescription(
      "Drift detection: periodic read-only verify Jobs (interval), what a migration does with a"
          + " drifted schema (onDrift), tables left out, an accepted fingerprint. Unset: no verify"
          + " Jobs, drift only reported.")
  private VerifySpec verify;

  public String getTargetVersion() {
    return targetVersion;
  }

  public void setTargetVersion(String targetVersion) {
    this.targetVersion = targetVersion;
  }

  public DatabaseSpec getDatabase() {
    return database;
  }

  public void setDatabase(DatabaseSpec database) {
    this.database = database;
  }

  public MigrationsSpec getMigrations() {
    return migrations;
  }

  public void setMigrations(MigrationsSpec migrations) {
    this.migrations = migrations;
  }

  public BaselineSpec getBaseline() {
    return baseline;
  }

  public void setBaseline(BaselineSpec baseline) {
    this.baseline = baseline;
  }

  public DowngradeSpec getDowngrade() {
    return downgrade;
  }

  public void setDowngrade(DowngradeSpec downgrade) {
    this.downgrade = downgrade;
  }

  public MigrationJobSpec getJob() {
    return job;
  }

  public void setJob(MigrationJobSpec job) {
    this.job = job;
  }

  public ShadowSpec getShadow() {
    return shadow;
  }

  public void setShadow(ShadowSpec shadow) {
    this.shadow = shadow;
  }

  public GateSpec getGate() {
    return gate;
  }

  public void setGate(GateSpec gate) {
    this.gate = gate;
  }

  public VerifySpec getVerify() {
    return verify;
  }

  public void setVerify(VerifySpec verify) {
    this.verify = verify;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SchemaVersionSpec that
        && Objects.equals(targetVersion, that.targetVersion)
        && Objects.equals(database, that.database)
        && Objects.equals(migrations, that.migrations)
        && Objects.equals(baseline, that.baseline)
        && Objects.equals(downgrade, that.downgrade)
        && Objects.equals(job, that.job)
        && Objects.equals(shadow, that.shadow)
        && Objects.equals(gate, that.gate)
        && Objects.equals(verify, that.verify);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        targetVersion, database, migrations, baseline, downgrade, job, shadow, gate, verify);
  }

  @Override
  public String toString() {
    return "SchemaVersionSpec{targetVersion="
        + targetVersion
        + ", database="
        + database
        + ", migrations="
        + migrations
        + ", baseline="
        + baseline
        + ", downgrade="
        + downgrade
        + ", job="
        + job
        + ", shadow="
        + shadow
        + ", gate="
        + gate
        + ", verify="
        + verify
        + '}';
  }
}
