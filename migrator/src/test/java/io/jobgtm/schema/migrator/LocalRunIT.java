package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobgtm.schema.migrator.testing.LocalRun;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The README's main job: migrate the reference migrations into an embedded PostgreSQL. */
class LocalRunIT {

  @Test
  void migratesTheWorkflowDatabaseAndPrintsInfo() {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      LocalRun.main(new String[0]);
    } finally {
      System.setOut(original);
    }

    String output = captured.toString(StandardCharsets.UTF_8);
    assertThat(output)
        .contains("database jobgtm")
        .contains("database state: Fresh (no tables in schema public)")
        .contains("Migrated: version none -> 2, 2 migration(s) applied")
        .contains("applied: 2 add is remote to job listings")
        .contains("Info: Versioned at version 2, pending: none");
  }
}
