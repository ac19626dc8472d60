package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.contract.Outcome;
import io.jobgtm.schema.migrator.testing.MigrationFiles;
import io.jobgtm.schema.migrator.testing.MigratorProcess;
import io.jobgtm.schema.migrator.testing.TestDatabases;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.PostgresServer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** Migrators started together on one database: each migration applies exactly once. */
class ConcurrentMigrationIT {

  private final PostgresServer postgres = PostgresServer.shared();
  private final ConnectionSettings database = TestDatabases.create(postgres);

  private List<String> history() {
    return Catalog.history(postgres, database.database(), "public");
  }

  @Test
  void twoThreadsMigrateTheSameDatabase() {
    CountDownLatch start = new CountDownLatch(1);
    List<CompletableFuture<MigrationResult>> runs =
        List.of(1, 2).stream()
            .map(
                i ->
                    CompletableFuture.supplyAsync(
                        () -> {
                          awaitQuietly(start);
                          return Migrator.configure()
                              .connection(database)
                              .migrations(MigrationSet.fromDirectory(MigrationFiles.reference()))
                              .load()
                              .migrate();
                        }))
            .toList();
    start.countDown();

    List<MigrationResult> results = runs.stream().map(CompletableFuture::join).toList();

    assertThat(results).allSatisfy(result -> assertThat(result.exitCode()).isZero());
    assertThat(results)
        .extracting(MigrationResult::outcome)
        .containsExactlyInAnyOrder(Outcome.Migrated, Outcome.UpToDate);
    assertThat(results.stream().mapToInt(MigrationResult::appliedCount).sum()).isEqualTo(2);
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true");
  }

  @Test
  void twoProcessesMigrateTheSameDatabase() {
    MigratorProcess.Running first =
        MigratorProcess.of(database, postgres.password(), "migrate").start();
    MigratorProcess.Running second =
        MigratorProcess.of(database, postgres.password(), "migrate").start();

    MigratorProcess.Finished one = first.await();
    MigratorProcess.Finished two = second.await();

    assertThat(one.exitCode()).as(one.toString()).isZero();
    assertThat(two.exitCode()).as(two.toString()).isZero();
    assertThat(one.stdout() + two.stdout())
        .containsOnlyOnce("applied version 1 initial schema")
        .containsOnlyOnce("applied version 2 add is remote to job listings");
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true");
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
