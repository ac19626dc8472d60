package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.migrator.testing.DatabaseProbe;
import io.jobgtm.schema.migrator.testing.MigrationFiles;
import io.jobgtm.schema.migrator.testing.MigratorProcess;
import io.jobgtm.schema.migrator.testing.TestDatabases;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.PostgresServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Migrations are plain SQL: text that looks like a Flyway placeholder ({@code ${name}}, {@code
 * ${flyway:user}}) runs exactly as written, through the API and the CLI alike, and {@code plan}
 * agrees with {@code migrate}.
 */
class PlaceholderTextIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String DIGEST_BODY = "Dear ${name}, ${count} alerts await you.";
  private static final String OPTIONS_DEFAULT =
      "{\"greeting\": \"Dear ${name}\", \"footer\": \"${footer}\"}";
  private static final String TABLE_COMMENT =
      "Placeholders such as ${name} are filled in at send time";
  private static final String RENDER_BODY =
      "\nDECLARE\n"
          + "  template TEXT;\n"
          + "BEGIN\n"
          + "  -- only ${name} is filled in here; ${count} stays for the caller\n"
          + "  SELECT body INTO template FROM alert_templates WHERE code = template_code;\n"
          + "  RETURN replace(template, '${name}', subscriber);\n"
          + "END;\n";
  private static final String ALERT_TEMPLATES =
      "-- Rendered by the application: ${name} becomes the subscriber, ${count} the alerts.\n"
          + "CREATE TABLE alert_templates (\n"
          + "  code TEXT PRIMARY KEY,\n"
          + "  body TEXT NOT NULL,\n"
          + "  options JSON NOT NULL DEFAULT '"
          + OPTIONS_DEFAULT
          + "'\n"
          + ");\n"
          + "INSERT INTO alert_templates (code, body) VALUES ('digest', '"
          + DIGEST_BODY
          + "');\n"
          + "COMMENT ON TABLE alert_templates IS '"
          + TABLE_COMMENT
          + "';\n"
          + "CREATE FUNCTION render_alert(template_code TEXT, subscriber TEXT) RETURNS TEXT\n"
          + "LANGUAGE plpgsql AS $render$"
          + RENDER_BODY
          + "$render$;\n";

  private static final String PREPARED_BY = "Prepared by ${flyway:user} in ${flyway:database}";
  private static final String GENERATED_AT = "Generated at ${flyway:timestamp}";
  private static final String REPORT_BANNERS =
      "CREATE TABLE report_banners (id INTEGER PRIMARY KEY, banner TEXT NOT NULL);\n"
          + "INSERT INTO report_banners VALUES\n"
          + "  (1, '"
          + PREPARED_BY
          + "'),\n"
          + "  (2, '"
          + GENERATED_AT
          + "');\n"
          + "COMMENT ON COLUMN report_banners.banner IS 'may mention ${flyway:user}';\n";

  private static final String ARCHIVE_NOTE = "channels for ${region} removed";
  private static final String UNDO_CHANNELS =
      "-- ${region} in this comment is not a placeholder either\n"
          + "INSERT INTO alert_archive (note) VALUES ('"
          + ARCHIVE_NOTE
          + "');\n"
          + "DROP TABLE alert_channels;\n";

  private final PostgresServer postgres = PostgresServer.shared();
  private final ConnectionSettings database = TestDatabases.create(postgres);

  /** How a command is run: through the Java API or the packaged command line. */
  enum Entry {
    API,
    CLI
  }

  /** What a command left behind, whichever way it ran. */
  private record Finished(int exitCode, JsonNode result, String output) {}

  // flyway/flyway#3520: `${value}` in a procedure body stopped the migration with "No value
  // provided for placeholder".
  @ParameterizedTest
  @EnumSource(Entry.class)
  void namedPlaceholderTextRunsExactlyAsWritten(Entry entry) {
    MigrationFiles files = MigrationFiles.empty().with("V1__alert_templates.sql", ALERT_TEMPLATES);

    Finished plan = plan(entry, files);

    assertThat(plan.exitCode()).as(plan.output()).isZero();
    assertThat(plan.result().get("outcome").asText()).isEqualTo("Planned");
    assertThat(plan.result().get("pendingCount").asInt()).isEqualTo(1);
    assertThat(Catalog.tables(postgres, database.database(), "public")).isEmpty();
    if (entry == Entry.API) {
      MigrationPlan planned = configure(files).load().plan();
      assertThat(planned.pending())
          .extracting(MigrationScript::sql)
          .containsExactly(ALERT_TEMPLATES);
    } else {
      assertThat(plan.output()).contains("  RETURN replace(template, '${name}', subscriber);");
    }

    Finished migrate = migrate(entry, files);

    assertThat(migrate.exitCode()).as(migrate.output()).isZero();
    assertThat(migrate.result().get("outcome").asText()).isEqualTo("Migrated");
    assertThat(migrate.result().get("versionAfter").asText()).isEqualTo("1");
    assertThat(history()).containsExactly("1:SQL:true");
    assertThat(Catalog.snapshot(postgres, database.database(), "public"))
        .contains(
            "column alert_templates.options json null=NO default='" + OPTIONS_DEFAULT + "'::json");
    assertThat(query("SELECT body FROM alert_templates WHERE code = 'digest'"))
        .isEqualTo(DIGEST_BODY);
    assertThat(query("SELECT options::text FROM alert_templates WHERE code = 'digest'"))
        .isEqualTo(OPTIONS_DEFAULT);
    assertThat(query("SELECT obj_description('alert_templates'::regclass, 'pg_class')"))
        .isEqualTo(TABLE_COMMENT);
    assertThat(query("SELECT prosrc FROM pg_proc WHERE proname = 'render_alert'"))
        .isEqualTo(RENDER_BODY);
    assertThat(query("SELECT render_alert('digest', 'Mia')"))
        .isEqualTo("Dear Mia, ${count} alerts await you.");
  }

  // flyway/flyway#3520: Flyway's built-in placeholders are replaced silently, rewriting the data.
  @ParameterizedTest
  @EnumSource(Entry.class)
  void flywayBuiltInPlaceholderTextStaysLiteral(Entry entry) {
    MigrationFiles files = MigrationFiles.empty().with("V1__report_banners.sql", REPORT_BANNERS);

    Finished plan = plan(entry, files);

    assertThat(plan.exitCode()).as(plan.output()).isZero();
    assertThat(plan.result().get("outcome").asText()).isEqualTo("Planned");
    assertThat(Catalog.tables(postgres, database.database(), "public")).isEmpty();

    Finished migrate = migrate(entry, files);

    assertThat(migrate.exitCode()).as(migrate.output()).isZero();
    assertThat(migrate.result().get("outcome").asText()).isEqualTo("Migrated");
    assertThat(history()).containsExactly("1:SQL:true");
    assertThat(Catalog.tables(postgres, database.database(), "public"))
        .containsExactly("flyway_schema_history", "report_banners");
    assertThat(
            DatabaseProbe.strings(
                postgres, database.database(), "SELECT banner FROM report_banners ORDER BY id"))
        .containsExactly(PREPARED_BY, GENERATED_AT);
    assertThat(query("SELECT col_description('report_banners'::regclass, 2)"))
        .isEqualTo("may mention ${flyway:user}");
  }

  // flyway/flyway#3520: undo scripts are SQL files of the same set and follow the same rule.
  @ParameterizedTest
  @EnumSource(Entry.class)
  void undoScriptWithPlaceholderTextRunsExactlyAsWritten(Entry entry) {
    MigrationFiles files =
        MigrationFiles.empty()
            .with("V1__alert_archive.sql", "CREATE TABLE alert_archive (note TEXT NOT NULL);\n")
            .with(
                "V2__alert_channels.sql",
                "CREATE TABLE alert_channels (\n"
                    + "  id INTEGER PRIMARY KEY,\n"
                    + "  topic TEXT NOT NULL DEFAULT 'alerts.${region}'\n"
                    + ");\n")
            .with("U2__alert_channels.sql", UNDO_CHANNELS);
    Finished migrate = migrate(entry, files);
    assertThat(migrate.exitCode()).as(migrate.output()).isZero();
    assertThat(history()).containsExactly("1:SQL:true", "2:SQL:true");
    assertThat(Catalog.snapshot(postgres, database.database(), "public"))
        .contains("column alert_channels.topic text null=NO default='alerts.${region}'::text");

    MigrationPlan downgrade = configure(files).target("1").allowDowngrade(true).load().plan();
    assertThat(downgrade.result().failure()).isNull();
    assertThat(downgrade.undo()).extracting(MigrationScript::sql).containsExactly(UNDO_CHANNELS);

    Finished undo = undo(entry, files, "1");

    assertThat(undo.exitCode()).as(undo.output()).isZero();
    assertThat(undo.result().get("outcome").asText()).isEqualTo("Downgraded");
    assertThat(undo.result().get("versionAfter").asText()).isEqualTo("1");
    assertThat(history()).containsExactly("1:SQL:true");
    assertThat(Catalog.tables(postgres, database.database(), "public"))
        .containsExactly("alert_archive", "flyway_schema_history");
    assertThat(query("SELECT note FROM alert_archive")).isEqualTo(ARCHIVE_NOTE);
  }

  private MigratorConfiguration configure(MigrationFiles files) {
    return Migrator.configure()
        .connection(database)
        .migrations(MigrationSet.fromDirectory(files.directory()));
  }

  private Finished plan(Entry entry, MigrationFiles files) {
    if (entry == Entry.API) {
      return api(configure(files).load().plan().result());
    }
    return cli("plan", "--migrations", files.directory().toString());
  }

  private Finished migrate(Entry entry, MigrationFiles files) {
    if (entry == Entry.API) {
      return api(configure(files).load().migrate());
    }
    return cli("migrate", "--migrations", files.directory().toString());
  }

  private Finished undo(Entry entry, MigrationFiles files, String target) {
    if (entry == Entry.API) {
      return api(configure(files).load().undo(target));
    }
    return cli("undo", "--target", target, "--migrations", files.directory().toString());
  }

  private static Finished api(MigrationResult result) {
    try {
      return new Finished(result.exitCode(), JSON.readTree(result.toJson()), result.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Finished cli(String... arguments) {
    try {
      Path resultFile = Files.createTempFile("result-", ".json");
      List<String> all = new ArrayList<>(List.of(arguments));
      all.add("--result-file");
      all.add(resultFile.toString());
      MigratorProcess.Finished run =
          MigratorProcess.of(database, postgres.password(), all.toArray(String[]::new)).run();
      return new Finished(run.exitCode(), JSON.readTree(resultFile.toFile()), run.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private List<String> history() {
    return Catalog.history(postgres, database.database(), "public");
  }

  private String query(String sql) {
    return DatabaseProbe.string(postgres, database.database(), sql);
  }
}
