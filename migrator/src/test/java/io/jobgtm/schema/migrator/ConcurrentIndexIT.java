package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jobgtm.schema.contract.AppliedMigration;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.contract.Outcome;
import io.jobgtm.schema.migrator.testing.MigrationFiles;
import io.jobgtm.schema.migrator.testing.TestDatabases;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * {@code CREATE INDEX CONCURRENTLY} waits for every transaction that could write the table. The
 * migrator must not be one of them, and neither may a second migrator waiting for its turn.
 */
class ConcurrentIndexIT {

  private static final Duration HANG_GUARD = Duration.ofMinutes(2);

  private final PostgresServer postgres = PostgresServer.shared();
  private final ConnectionSettings database = TestDatabases.create(postgres);
  private final MigrationFiles files =
      MigrationFiles.copyOfReference()
          .with(
              "V3__index_scraped_at_concurrently.sql",
              "CREATE INDEX CONCURRENTLY ix_job_listings_scraped_at ON job_listings (scraped_at);\n");

  private MigratorConfiguration configure(List<String> progress) {
    return Migrator.configure()
        .connection(database)
        .migrations(MigrationSet.fromDirectory(files.directory()))
        .lockTimeout(Duration.ofMinutes(1))
        .progress(progress::add);
  }

  @Test
  void concurrentIndexAppliesWhileASecondMigratorWaits() throws Exception {
    configure(new CopyOnWriteArrayList<>()).target("2").load().migrate();
    List<String> secondProgress = new CopyOnWriteArrayList<>();

    try (Connection application = postgres.connect(database.database())) {
      // An application transaction writing the table: the index build must wait for it to end.
      application.setAutoCommit(false);
      try (Statement statement = application.createStatement()) {
        statement.execute(
            "INSERT INTO job_listings (company_title, job_role, job_location, employment_type,"
                + " posting_url, scraper_source) VALUES ('Acme', 'DBA', 'Remote', 'full-time',"
                + " 'https://example.test/1', 'test')");
      }
      CompletableFuture<MigrationResult> first =
          CompletableFuture.supplyAsync(
              () -> configure(new CopyOnWriteArrayList<>()).load().migrate());
      await().atMost(HANG_GUARD).until(this::indexBuildIsWaiting);

      CompletableFuture<MigrationResult> second =
          CompletableFuture.supplyAsync(() -> configure(secondProgress).load().migrate());
      await()
          .atMost(HANG_GUARD)
          .until(
              () ->
                  secondProgress.contains(
                      "waiting for another migrator to finish on schema public"));

      application.commit();

      MigrationResult firstResult =
          first.get(HANG_GUARD.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
      MigrationResult secondResult =
          second.get(HANG_GUARD.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
      assertThat(firstResult.failure()).isNull();
      assertThat(firstResult.applied()).extracting(AppliedMigration::version).containsExactly("3");
      assertThat(secondResult.failure()).isNull();
      assertThat(secondResult.outcome()).isEqualTo(Outcome.UpToDate);
    }
    assertThat(indexIsValid()).isTrue();
    assertThat(Catalog.history(postgres, database.database(), "public"))
        .containsExactly("1:SQL:true", "2:SQL:true", "3:SQL:true");
  }

  private boolean indexBuildIsWaiting() throws Exception {
    try (Connection connection = postgres.connect(database.database());
        Statement statement = connection.createStatement();
        ResultSet result =
            statement.executeQuery(
                "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'CREATE INDEX CONCURRENTLY%'"
                    + " AND wait_event_type = 'Lock'")) {
      result.next();
      return result.getInt(1) > 0;
    }
  }

  private boolean indexIsValid() throws Exception {
    try (Connection connection = postgres.connect(database.database());
        Statement statement = connection.createStatement();
        ResultSet result =
            statement.executeQuery(
                "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                    + " WHERE c.relname = 'ix_job_listings_scraped_at'")) {
      return result.next() && result.getBoolean(1);
    }
  }
}
