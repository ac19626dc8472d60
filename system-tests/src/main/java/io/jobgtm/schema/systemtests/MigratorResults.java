package io.jobgtm.schema.systemtests;

import io.jobgtm.schema.contract.AppliedMigration;
import io.jobgtm.schema.contract.DatabaseState;
import io.jobgtm.schema.contract.Failure;
import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.contract.Outcome;
import io.jobgtm.schema.contract.SchemaVerification;
import java.util.List;

/**
 * The result documents a migration Job's container leaves as its termination message, for tests and
 * benchmarks that play the kubelet instead of running the migrator.
 */
public final class MigratorResults {

  private static final List<AppliedMigration> REFERENCE_SET =
      List.of(
          new AppliedMigration("1", "initial schema", 12),
          new AppliedMigration("2", "add is remote", 3));

  private MigratorResults() {}

  /** A migrator that migrated a fresh database to {@code version}, applying the reference set. */
  public static String successDocument(String version) {
    return new MigrationResult(
            MigrationResult.API_VERSION,
            "migrate",
            Outcome.Migrated,
            DatabaseState.Fresh,
            null,
            version,
            "latest",
            null,
            REFERENCE_SET,
            REFERENCE_SET.size(),
            null,
            null,
            0,
            null,
            null,
            null,
            null,
            40,
            false)
        .toJson();
  }

  /** A migrator whose V3 failed at version 2, rolled back. */
  public static String failureDocument() {
    return new MigrationResult(
            MigrationResult.API_VERSION,
            "migrate",
            Outcome.Failed,
            DatabaseState.Versioned,
            "2",
            "2",
            "latest",
            null,
            null,
            0,
            null,
            List.of("3"),
            1,
            null,
            null,
            null,
            new Failure(
                FailureReason.MigrationFailed,
                "3",
                "V3__broken.sql failed: ERROR: syntax error at or near \"TABEL\" [SQLSTATE 42601];"
                    + " it ran in a transaction and was rolled back"),
            120,
            false)
        .toJson();
  }

  /**
   * A migrator that migrated a fresh database to {@code version} on PostgreSQL 17.6 and then
   * compared the live schema with the replay of the set: {@code verification}.
   */
  public static String successDocument(String version, SchemaVerification verification) {
    return MigrationResult.fromJson(successDocument(version))
        .orElseThrow()
        .withServerVersion("17.6")
        .withVerification(verification)
        .toJson();
  }

  /** A migrator's {@code verify} command that found {@code verification} at its version. */
  public static String verifyDocument(SchemaVerification verification) {
    return new MigrationResult(
            MigrationResult.API_VERSION,
            "verify",
            Outcome.Verified,
            DatabaseState.Versioned,
            verification.version(),
            verification.version(),
            null,
            null,
            null,
            0,
            null,
            null,
            0,
            null,
            null,
            null,
            null,
            900,
            false)
        .withServerVersion("17.6")
        .withVerification(verification)
        .toJson();
  }

  /**
   * A migrator with {@code ON_DRIFT=Block} that refused to migrate the drifted schema at version 2:
   * {@code SchemaDrifted}, nothing written; with the verification that found it when {@code
   * withVerification}.
   */
  public static String driftRefusedDocument(
      SchemaVerification verification, boolean withVerification) {
    MigrationResult refused =
        new MigrationResult(
                MigrationResult.API_VERSION,
                "migrate",
                Outcome.Failed,
                DatabaseState.Versioned,
                "2",
                "2",
                "latest",
                null,
                null,
                0,
                null,
                List.of("3"),
                1,
                null,
                null,
                null,
                new Failure(
                    FailureReason.SchemaDrifted,
                    "2",
                    "the schema differs from what the migration set makes at version 2: "
                        + String.join("; ", verification.differences())),
                300,
                false)
            .withServerVersion("17.6");
    return (withVerification ? refused.withVerification(verification) : refused).toJson();
  }
}
