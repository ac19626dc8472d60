package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobgtm.schema.contract.Failure;
import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.contract.Outcome;
import io.jobgtm.schema.migrator.testing.DatabaseProbe;
import io.jobgtm.schema.migrator.testing.MigrationFiles;
import io.jobgtm.schema.migrator.testing.MigratorProcess;
import io.jobgtm.schema.migrator.testing.TestDatabases;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Migration files as editors save them: UTF-8 with or without a byte order mark, LF or CRLF line
 * ends. Neither changes what runs nor a checksum; a file that is not UTF-8 is refused by name
 * before anything runs.
 */
class FileEncodingIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  private static final String DEPOTS =
      "-- Depots keep their city names as written locally.\n"
          + "CREATE TABLE depots (\n"
          + "  id INTEGER PRIMARY KEY,\n"
          + "  city TEXT NOT NULL\n"
          + ");\n"
          + "INSERT INTO depots VALUES (1, 'Zürich'), (2, '東京'), (3, 'Kraków');\n";
  private static final String DEPOT_LABELS =
      "ALTER TABLE depots ADD COLUMN label TEXT;\n"
          + "UPDATE depots SET label = city || ' – Lager';\n"
          + "CREATE FUNCTION depot_greeting(depot_id INTEGER) RETURNS TEXT\n"
          + "LANGUAGE plpgsql AS $$\n"
          + "BEGIN\n"
          + "  RETURN 'Grüezi from ' || (SELECT city FROM depots WHERE id = depot_id);\n"
          + "END;\n"
          + "$$;\n";
  private static final String UNDO_DEPOT_LABELS =
      "-- entfernt die Beschriftung für die Depots\n"
          + "DROP FUNCTION depot_greeting(INTEGER);\n"
          + "ALTER TABLE depots DROP COLUMN label;\n";
  private static final String DEPOT_REGIONS =
      "-- Regionen für die Depots\n"
          + "ALTER TABLE depots ADD COLUMN region TEXT NOT NULL DEFAULT 'Graubünden';\n";

  private static final String DEPOT_HOURS =
      "CREATE TABLE depot_hours (depot_id INTEGER PRIMARY KEY, opens TIME NOT NULL);\n";

  private final PostgresServer postgres = PostgresServer.shared();
  private final ConnectionSettings database = TestDatabases.create(postgres);

  /** How an editor saved a UTF-8 file. */
  enum Layout {
    BOM(true, false),
    CRLF(false, true),
    BOM_AND_CRLF(true, true);

    final boolean bom;
    final boolean crlf;

    Layout(boolean bom, boolean crlf) {
      this.bom = bom;
      this.crlf = crlf;
    }
  }

  /** Which file of the set is not UTF-8. */
  enum NotUtf8 {
    FIRST_VERSION("V1__depots.sql", DEPOTS),
    LATER_VERSION("V3__depot_regions.sql", DEPOT_REGIONS),
    UNDO_SCRIPT("U2__depot_labels.sql", UNDO_DEPOT_LABELS);

    final String fileName;
    final String sql;

    NotUtf8(String fileName, String sql) {
      this.fileName = fileName;
      this.sql = sql;
    }
  }

  // flyway/flyway#2413 (UTF-8 BOM) and flyway/flyway#253 (CRLF line ends from a Windows checkout).
  @ParameterizedTest
  @EnumSource(Layout.class)
  void filesWithBomOrCrlfPlanMigrateAndUndo(Layout layout) {
    MigrationFiles files = MigrationFiles.empty();
    write(files, "V1__depots.sql", DEPOTS, layout);
    write(files, "V2__depot_labels.sql", DEPOT_LABELS, layout);
    write(files, "U2__depot_labels.sql", UNDO_DEPOT_LABELS, layout);

    MigrationPlan plan = configure(files).load().plan();

    assertThat(plan.result().failure()).isNull();
    assertThat(plan.result().outcome()).isEqualTo(Outcome.Planned);
    assertThat(plan.pending())
        .extracting(MigrationScript::fileName)
        .containsExactly("V1__depots.sql", "V2__depot_labels.sql");
    assertThat(Catalog.tables(postgres, database.database(), "public")).isEmpty();

    MigrationResult migrated = configure(files).load().migrate();

    assertThat(migrated.failure()).isNull();
    assertThat(migrated.outcome()).isEqualTo(Outcome.Migrated);
    assertThat(migrated.versionAfter()).isEqualTo("2");
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true");
    assertThat(strings("SELECT city FROM depots ORDER BY id"))
        .containsExactly("Zürich", "東京", "Kraków");
    assertThat(strings("SELECT label FROM depots ORDER BY id"))
        .containsExactly("Zürich – Lager", "東京 – Lager", "Kraków – Lager");
    assertThat(strings("SELECT depot_greeting(2)")).containsExactly("Grüezi from 東京");

    MigrationResult undone = configure(files).load().undo("1");

    assertThat(undone.failure()).isNull();
    assertThat(undone.outcome()).isEqualTo(Outcome.Downgraded);
    assertThat(undone.versionAfter()).isEqualTo("1");
    assertThat(history()).containsExactly("1:SQL:true");
    assertThat(Catalog.snapshot(postgres, database.database(), "public"))
        .containsExactly(
            "column depots.city text null=NO default=-",
            "column depots.id integer null=NO default=-",
            "constraint depots.depots_pkey PRIMARY KEY (id)",
            "index depots_pkey CREATE UNIQUE INDEX depots_pkey ON public.depots USING btree (id)");
    assertThat(DatabaseProbe.objects(postgres, database.database(), "public"))
        .noneMatch(object -> object.contains("depot_greeting"));
    assertThat(strings("SELECT city FROM depots ORDER BY id"))
        .containsExactly("Zürich", "東京", "Kraków");
  }

  // flyway/flyway#253: a checkout that turns LF into CRLF must not turn into a checksum mismatch.
  @Test
  void rewritingAppliedFilesWithCrlfAndBomKeepsTheirChecksums() throws Exception {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__depots.sql", DEPOTS)
            .with("V2__depot_labels.sql", DEPOT_LABELS)
            .with("U2__depot_labels.sql", UNDO_DEPOT_LABELS);
    assertThat(configure(files).load().migrate().versionAfter()).isEqualTo("2");
    List<String> historyBefore = historyWithChecksums();
    List<String> catalogBefore = Catalog.snapshot(postgres, database.database(), "public");

    write(files, "V1__depots.sql", DEPOTS, Layout.BOM_AND_CRLF);
    write(files, "V2__depot_labels.sql", DEPOT_LABELS, Layout.BOM_AND_CRLF);
    write(files, "U2__depot_labels.sql", UNDO_DEPOT_LABELS, Layout.BOM_AND_CRLF);
    MigrationResult validated = configure(files).load().validate();
    MigratorProcess.Finished validatedByCli =
        MigratorProcess.of(
                database,
                postgres.password(),
                "validate",
                "--migrations",
                files.directory().toString())
            .run();
    MigrationResult migrated = configure(files).load().migrate();

    assertThat(validated.failure()).isNull();
    assertThat(validated.outcome()).isEqualTo(Outcome.Validated);
    assertThat(validatedByCli.exitCode()).as(validatedByCli.toString()).isZero();
    assertThat(migrated.failure()).isNull();
    assertThat(migrated.outcome()).isEqualTo(Outcome.UpToDate);
    assertThat(migrated.applied()).isEmpty();
    assertThat(historyWithChecksums()).isEqualTo(historyBefore);
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true");
    assertThat(Catalog.snapshot(postgres, database.database(), "public")).isEqualTo(catalogBefore);
  }

  // flyway/flyway#2744: one 'ä' saved as ISO-8859-1 stopped every run with "Input length = 1" and
  // no file name.
  @ParameterizedTest
  @EnumSource(NotUtf8.class)
  void fileThatIsNotUtf8IsRefusedByNameBeforeAnythingRuns(NotUtf8 bad) throws Exception {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__depots.sql", DEPOTS)
            .with("V2__depot_labels.sql", DEPOT_LABELS)
            .with("U2__depot_labels.sql", UNDO_DEPOT_LABELS);
    writeLatin1(files, bad.fileName, bad.sql);

    Failure refused = refusal(files);

    assertThat(refused.reason()).isEqualTo(FailureReason.InvalidMigrationSet);
    assertThat(refused.reason().exitCode()).isEqualTo(2);
    assertNamesOnlyTheFile(refused.message(), bad.fileName, files);
    assertNothingCreated();

    for (String command : List.of("migrate", "plan")) {
      Path resultFile = Files.createTempFile("result-", ".json");
      MigratorProcess.Finished run =
          MigratorProcess.of(
                  database,
                  postgres.password(),
                  command,
                  "--migrations",
                  files.directory().toString(),
                  "--result-file",
                  resultFile.toString())
              .run();

      assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
      assertThat(run.stderr()).contains("error: InvalidMigrationSet").contains(bad.fileName);
      JsonNode result = JSON.readTree(resultFile.toFile());
      assertThat(result.get("outcome").asText()).isEqualTo("Failed");
      assertThat(result.get("failure").get("reason").asText()).isEqualTo("InvalidMigrationSet");
      assertNamesOnlyTheFile(result.get("failure").get("message").asText(), bad.fileName, files);
      assertNothingCreated();
    }
  }

  // flyway/flyway#2744: the new file of a release is the one saved in the wrong encoding.
  @Test
  void laterFileThatIsNotUtf8LeavesAVersionedDatabaseAsItWas() {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__depots.sql", DEPOTS)
            .with("V2__depot_labels.sql", DEPOT_LABELS);
    assertThat(configure(files).load().migrate().versionAfter()).isEqualTo("2");
    List<String> catalogBefore = Catalog.snapshot(postgres, database.database(), "public");
    writeLatin1(files, "V3__depot_regions.sql", DEPOT_REGIONS);

    Failure refused = refusal(files);

    assertThat(refused.reason()).isEqualTo(FailureReason.InvalidMigrationSet);
    assertNamesOnlyTheFile(refused.message(), "V3__depot_regions.sql", files);
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true");
    assertThat(Catalog.snapshot(postgres, database.database(), "public")).isEqualTo(catalogBefore);
  }

  /** Bytes that decode as UTF-8 yet are not a UTF-8 text file. */
  enum NulBytes {
    // flyway/flyway#1718: a script saved by SQL Server Management Studio is UTF-16; of ASCII text
    // without a byte order mark every other byte is NUL, and every byte is valid UTF-8.
    UTF16LE_WITHOUT_BOM(DEPOT_HOURS.getBytes(StandardCharsets.UTF_16LE)),
    // flyway/flyway#2069: a file that decodes without error can still not be the text meant; a
    // NUL byte is never part of SQL.
    NUL_BYTE_IN_UTF8(
        (DEPOT_HOURS + "\0\nALTER TABLE depot_hours ADD COLUMN note TEXT;\n")
            .getBytes(StandardCharsets.UTF_8));

    final byte[] bytes;

    NulBytes(byte[] bytes) {
      this.bytes = bytes;
    }
  }

  @ParameterizedTest
  @EnumSource(NulBytes.class)
  void fileWithNulBytesIsRefusedByNameBeforeAnythingRuns(NulBytes bad) {
    String fileName = "V2__depot_hours.sql";
    MigrationFiles files = MigrationFiles.empty().with("V1__depots.sql", DEPOTS);
    writeBytes(files, fileName, bad.bytes);

    Failure refused = refusal(files);

    assertThat(refused.reason())
        .as(String.valueOf(refused))
        .isEqualTo(FailureReason.InvalidMigrationSet);
    assertThat(refused.reason().exitCode()).isEqualTo(2);
    assertThat(refused.message()).contains("NUL");
    assertNamesOnlyTheFile(refused.message(), fileName, files);
    assertNothingCreated();

    Failure planned = planRefusal(files);

    assertThat(planned.reason()).isEqualTo(FailureReason.InvalidMigrationSet);
    assertNamesOnlyTheFile(planned.message(), fileName, files);
    assertNothingCreated();
  }

  /** The failure of {@code plan}, whether the set is refused on loading or by the run. */
  private Failure planRefusal(MigrationFiles files) {
    try {
      MigrationResult result = configure(files).load().plan().result();
      assertThat(result.outcome()).isEqualTo(Outcome.Failed);
      return result.failure();
    } catch (MigrationException e) {
      return new Failure(e.reason(), e.version(), e.getMessage());
    }
  }

  /** The failure of {@code migrate}, whether the set is refused on loading or by the run. */
  private Failure refusal(MigrationFiles files) {
    try {
      MigrationResult result = configure(files).load().migrate();
      assertThat(result.outcome()).isEqualTo(Outcome.Failed);
      return result.failure();
    } catch (MigrationException e) {
      return new Failure(e.reason(), e.version(), e.getMessage());
    }
  }

  private static void assertNamesOnlyTheFile(String message, String file, MigrationFiles files) {
    assertThat(message)
        .contains(file)
        .doesNotContain(files.directory().toString())
        .doesNotContain("/tmp/")
        .doesNotContain("migrations-");
  }

  private void assertNothingCreated() {
    assertThat(Catalog.tables(postgres, database.database(), "public")).isEmpty();
    assertThat(DatabaseProbe.objects(postgres, database.database(), "public")).isEmpty();
  }

  private MigratorConfiguration configure(MigrationFiles files) {
    return Migrator.configure()
        .connection(database)
        .migrations(MigrationSet.fromDirectory(files.directory()));
  }

  private static void write(MigrationFiles files, String fileName, String sql, Layout layout) {
    String text = layout.crlf ? sql.replace("\n", "\r\n") : sql;
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    byte[] bytes = new byte[(layout.bom ? BOM.length : 0) + body.length];
    if (layout.bom) {
      System.arraycopy(BOM, 0, bytes, 0, BOM.length);
    }
    System.arraycopy(body, 0, bytes, bytes.length - body.length, body.length);
    writeBytes(files, fileName, bytes);
  }

  private static void writeLatin1(MigrationFiles files, String fileName, String sql) {
    writeBytes(files, fileName, sql.getBytes(StandardCharsets.ISO_8859_1));
  }

  private static void writeBytes(MigrationFiles files, String fileName, byte[] bytes) {
    try {
      Files.write(files.directory().resolve(fileName), bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private List<String> history() {
    return Catalog.history(postgres, database.database(), "public");
  }

  private List<String> historyWithChecksums() {
    return strings(
        "SELECT version || ':' || checksum || ':' || installed_on FROM flyway_schema_history"
            + " ORDER BY installed_rank");
  }

  private List<String> strings(String sql) {
    return DatabaseProbe.strings(postgres, database.database(), sql);
  }
}
