package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.Version;
import io.jobgtm.schema.migrator.testing.MigrationFiles;
import io.jobgtm.schema.migrator.testing.TestDatabases;
import io.jobgtm.schema.testing.PostgresServer;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The replay of a set of versioned migrations alone runs the engine once and takes each version's
 * model as its transaction commits; a set with a SQL callback is replayed version by version. Both
 * must give the same models at every version, and refuse a stray object the same way.
 */
class ShadowReplayIT {

  private final PostgresServer postgres = PostgresServer.shared();
  private final ConnectionSettings database = TestDatabases.create(postgres);
  private final String shadowDatabase = postgres.createDatabase();

  private static final String V1 =
      "CREATE TYPE listing_state AS ENUM ('open', 'closed');\n"
          + "CREATE TABLE listings (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
          + " state listing_state NOT NULL DEFAULT 'open');\n";
  private static final String V2 =
      "CREATE INDEX CONCURRENTLY ix_listings_state ON listings (state);\n";
  private static final String V3 =
      "CREATE VIEW open_listings AS SELECT id FROM listings WHERE state = 'open';\n"
          + "COMMENT ON VIEW open_listings IS 'listings still open';\n";
  private static final String V4 = "INSERT INTO listings (state) VALUES ('closed');\n";

  @Test
  void oneRunAndVersionByVersionTakeTheSameModelAtEveryVersion() throws Exception {
    MigrationFiles versioned =
        MigrationFiles.empty()
            .with("V1__listings.sql", V1)
            .with("V2__state_index.sql", V2)
            .with("V3__open_listings.sql", V3)
            .with("V4__rows.sql", V4);
    MigrationFiles withCallback =
        versioned.copy().with("afterMigrate__analyze.sql", "ANALYZE listings;\n");

    List<BaselineMatch.Replayed> oneRun = replay(versioned);
    List<BaselineMatch.Replayed> byVersion = replay(withCallback);

    assertThat(oneRun)
        .extracting(step -> step.version().toString())
        .containsExactly("1", "2", "3", "4");
    assertThat(oneRun).isEqualTo(byVersion);
    assertThat(oneRun.get(0).model()).isNotEqualTo(oneRun.get(1).model());
    assertThat(oneRun.get(2).model()).isEqualTo(oneRun.get(3).model());
  }

  @Test
  void aStrayObjectIsRefusedAlikeInBothWays() {
    MigrationFiles versioned =
        MigrationFiles.empty()
            .with("V1__listings.sql", V1)
            .with("V2__stray.sql", "CREATE TABLE public.stray (id int);\n")
            .with("V3__open_listings.sql", V3);
    MigrationFiles withCallback =
        versioned.copy().with("afterMigrate__analyze.sql", "ANALYZE listings;\n");

    for (MigrationFiles files : List.of(versioned, withCallback)) {
      assertThatThrownBy(() -> replay(files))
          .isInstanceOfSatisfying(
              MigrationException.class,
              e -> {
                assertThat(e.reason()).isEqualTo(FailureReason.ShadowReplayFailed);
                assertThat(e.version()).isEqualTo("2");
                // "created or changed" after the one run: told from the catalog row's writer.
                assertThat(e.getMessage())
                    .startsWith("cannot verify the baseline: version 2 created")
                    .contains(" stray in schema public");
              });
      postgres.execute(shadowDatabase, "DROP TABLE public.stray");
    }
  }

  /**
   * A replay in one run looks for strays once, after the run, and names the version whose
   * transaction wrote the stray's catalog row last (its history row's): to one stop as to every
   * version; a script run outside a transaction is named with the migrations up to the stop.
   */
  @Test
  void aStrayObjectIsRefusedAfterTheRunNamingTheVersionThatMadeIt() {
    MigrationFiles versioned =
        MigrationFiles.empty()
            .with("V1__listings.sql", V1)
            .with("V2__stray.sql", "CREATE TABLE public.stray (id int);\n")
            .with("V3__open_listings.sql", V3);

    assertThatThrownBy(() -> replay(versioned, List.of(Version.parse("3"))))
        .isInstanceOfSatisfying(
            MigrationException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(FailureReason.ShadowReplayFailed);
              assertThat(e.version()).isEqualTo("2");
              assertThat(e.getMessage())
                  .startsWith(
                      "cannot verify the baseline: version 2 created or changed stray in schema");
            });
    postgres.execute(shadowDatabase, "DROP TABLE public.stray");

    MigrationFiles outsideATransaction =
        MigrationFiles.empty()
            .with("V1__listings.sql", V1)
            .with(
                "V2__stray.sql",
                "-- flyway:executeInTransaction=false\nCREATE TABLE public.stray (id int);\n")
            .with("V3__open_listings.sql", V3);
    assertThatThrownBy(() -> replay(outsideATransaction, List.of(Version.parse("3"))))
        .isInstanceOfSatisfying(
            MigrationException.class,
            e -> {
              assertThat(e.version()).isNull();
              assertThat(e.getMessage())
                  .startsWith(
                      "cannot verify the baseline: the migrations up to version 3 created stray"
                          + " in schema");
            });
    postgres.execute(shadowDatabase, "DROP TABLE public.stray");
  }

  private List<BaselineMatch.Replayed> replay(MigrationFiles files) throws Exception {
    return replay(files, null);
  }

  /** The replay to each version of the set, or to {@code stops} when not null. */
  private List<BaselineMatch.Replayed> replay(MigrationFiles files, List<Version> stops)
      throws Exception {
    MigratorConfiguration configuration =
        Migrator.configure()
            .connection(database)
            .migrations(MigrationSet.fromDirectory(files.directory()))
            .shadow(
                ShadowDatabase.fromUrl(
                    "jdbc:postgresql://127.0.0.1:"
                        + postgres.port()
                        + "/"
                        + shadowDatabase
                        + "?sslmode=disable",
                    PostgresServer.SUPERUSER,
                    postgres.password()));
    try (Connection connection = postgres.connect(database.database())) {
      ShadowReplay replay = new ShadowReplay(configuration, ProgressListener.NONE, "the baseline");
      return stops == null
          ? replay.replay(DatabaseIdentity.of(connection), ServerVersion.of(connection))
          : replay.replay(DatabaseIdentity.of(connection), ServerVersion.of(connection), stops);
    }
  }
}
