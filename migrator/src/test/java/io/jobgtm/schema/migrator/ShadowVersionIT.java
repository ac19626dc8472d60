package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobgtm.schema.contract.Drift;
import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.contract.Outcome;
import io.jobgtm.schema.migrator.testing.MigrationFiles;
import io.jobgtm.schema.migrator.testing.SocketPostgres;
import io.jobgtm.schema.migrator.testing.TestDatabases;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.PostgresServer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The version rule: the shadow must run the migrated database's major version. Here the database is
 * PostgreSQL 17 and the shadow a PostgreSQL 16 on its socket, as a sidecar of a wrong {@code
 * spec.shadow.image} would be. Where verification is required (a baseline to verify, {@code
 * ON_DRIFT=Block}) the run is refused with {@code ShadowReplayFailed} and nothing is written;
 * elsewhere it goes on and the drift is {@code Unknown} with the same reason.
 */
class ShadowVersionIT {

  private static final String MISMATCH =
      "the shadow runs PostgreSQL 16, the database 17; set spec.shadow.image to a PostgreSQL 17"
          + " image (without the operator: a PostgreSQL 17 server at the shadow socket directory"
          + " (--shadow-socket-dir, SHADOW_SOCKET_DIR)); nothing was created in the shadow";

  private static SocketPostgres shadow16;

  private final PostgresServer postgres = PostgresServer.shared();
  private final ConnectionSettings database = TestDatabases.create(postgres);

  @BeforeAll
  static void startShadow() {
    shadow16 = SocketPostgres.start(16);
  }

  @AfterAll
  static void stopShadow() {
    shadow16.close();
  }

  private MigratorConfiguration reference() {
    Path socket = shadow16.socketDirectory();
    return Migrator.configure()
        .connection(database)
        .migrations(MigrationSet.fromDirectory(MigrationFiles.reference()))
        .shadow(ShadowDatabase.fromSocketDirectory(socket, null, null));
  }

  private List<String> history() {
    return Catalog.history(postgres, database.database(), "public");
  }

  @Test
  void theShadowIsTheVersionItSays() {
    assertThat(shadow16.query("postgres", "SHOW server_version_num"))
        .singleElement()
        .asString()
        .startsWith("16");
  }

  @Test
  void aBaselineToVerifyIsRefusedNamingBothMajorsAndNothingIsWritten() {
    postgres.execute(
        database.database(), VerifiedBaselineIT.ALEMBIC_001, VerifiedBaselineIT.ALEMBIC_002);
    List<String> before = Catalog.snapshot(postgres, database.database(), "public");

    MigrationResult refused = reference().baselinePolicy(BaselinePolicy.auto()).load().migrate();

    assertThat(refused.outcome()).isEqualTo(Outcome.Failed);
    assertThat(refused.failure().reason()).isEqualTo(FailureReason.ShadowReplayFailed);
    assertThat(refused.failure().message()).isEqualTo("cannot verify the baseline: " + MISMATCH);
    assertThat(refused.serverVersion()).isEqualTo("17.6");
    assertThat(Catalog.tables(postgres, database.database(), "public"))
        .doesNotContain("flyway_schema_history");
    assertThat(Catalog.snapshot(postgres, database.database(), "public")).isEqualTo(before);
    assertThat(replaySchemasInTheShadow()).isEmpty();
  }

  @Test
  void anOrdinaryMigrationGoesOnWithTheDriftUnknown() {
    MigrationResult migrated = reference().load().migrate();

    assertThat(migrated.failure()).isNull();
    assertThat(migrated.outcome()).isEqualTo(Outcome.Migrated);
    assertThat(migrated.serverVersion()).isEqualTo("17.6");
    assertThat(migrated.verification().drift()).isEqualTo(Drift.Unknown);
    assertThat(migrated.verification().version()).isEqualTo("2");
    assertThat(migrated.verification().reason()).isEqualTo("cannot verify the schema: " + MISMATCH);
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true");

    MigrationResult verified = reference().load().verify();

    assertThat(verified.outcome()).isEqualTo(Outcome.Verified);
    assertThat(verified.verification().drift()).isEqualTo(Drift.Unknown);
    assertThat(verified.verification().reason()).isEqualTo("cannot verify the schema: " + MISMATCH);
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true");
  }

  @Test
  void blockIsRefusedNamingBothMajorsAndNothingIsWritten() {
    assertThat(reference().target("1").load().migrate().failure()).isNull();
    List<String> before = Catalog.snapshot(postgres, database.database(), "public");

    MigrationResult refused = reference().onDrift(DriftAction.Block).load().migrate();

    assertThat(refused.failure().reason()).isEqualTo(FailureReason.ShadowReplayFailed);
    assertThat(refused.failure().message()).isEqualTo("cannot verify the schema: " + MISMATCH);
    assertThat(refused.applied()).isEmpty();
    assertThat(history()).containsExactly("1:SQL:true");
    assertThat(Catalog.snapshot(postgres, database.database(), "public")).isEqualTo(before);
  }

  private List<String> replaySchemasInTheShadow() {
    return shadow16.query(
        "postgres",
        "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'schema_operator_replay_%'");
  }
}
