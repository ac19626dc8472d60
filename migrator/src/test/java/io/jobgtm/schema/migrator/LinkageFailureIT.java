package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.migrator.testing.MigrationFiles;
import io.jobgtm.schema.migrator.testing.MigratorProcess;
import io.jobgtm.schema.migrator.testing.TestDatabases;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.PostgresServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A migrator image built without Flyway's PostgreSQL module fails with a {@link LinkageError}, not
 * a RuntimeException. The Job must still leave a result document and a permanent exit code, print
 * no stack trace, and change nothing in the database.
 */
class LinkageFailureIT {

  private static final String MODULE_PACKAGE = "org.flywaydb.database.postgresql";
  private static final String MODULE_PATH = MODULE_PACKAGE.replace('.', '/') + "/";
  private static final String MODULE_MAVEN_PATH = "META-INF/maven/org.flywaydb/flyway-database-";
  private static Path jarWithoutPostgresModule;

  private final PostgresServer postgres = PostgresServer.shared();
  private final ConnectionSettings database = TestDatabases.create(postgres);
  private final MigrationFiles files =
      MigrationFiles.empty()
          .with(
              "V1__warehouse_bins.sql",
              "CREATE TABLE warehouse_bins (code TEXT PRIMARY KEY, aisle INTEGER NOT NULL);\n")
          .with(
              "V2__warehouse_bin_capacity.sql",
              "ALTER TABLE warehouse_bins ADD COLUMN capacity INTEGER;\n");

  @BeforeAll
  static void copyTheJarWithoutFlywaysPostgresModule() throws IOException {
    Path directory = Files.createTempDirectory("migrator-without-postgresql-");
    jarWithoutPostgresModule = directory.resolve("migrator.jar");
    int removed = 0;
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(MigratorProcess.jar()));
        ZipOutputStream out =
            new ZipOutputStream(Files.newOutputStream(jarWithoutPostgresModule))) {
      for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
        String name = entry.getName();
        if (name.startsWith(MODULE_PATH) || name.startsWith(MODULE_MAVEN_PATH + "postgresql/")) {
          removed++;
          continue;
        }
        byte[] content = in.readAllBytes();
        if (name.startsWith("META-INF/services/") && !entry.isDirectory()) {
          String kept =
              new String(content, StandardCharsets.UTF_8)
                  .lines()
                  .filter(line -> !line.contains(MODULE_PACKAGE))
                  .collect(Collectors.joining("\n", "", "\n"));
          content = kept.getBytes(StandardCharsets.UTF_8);
        }
        out.putNextEntry(new ZipEntry(name));
        out.write(content);
        out.closeEntry();
      }
    }
    assertThat(removed).as("entries of Flyway's PostgreSQL module removed").isGreaterThan(5);
    assertThat(servicesNaming(jarWithoutPostgresModule, MODULE_PACKAGE)).isEmpty();
  }

  // flyway/flyway#3775, flyway/flyway#3441: a fat jar without Flyway's PostgreSQL module/services.
  @Test
  void migrateOnAFreshDatabaseWritesAnInternalErrorResultAndCreatesNothing() throws Exception {
    Path resultFile = Files.createTempFile("result-", ".json");

    Finished run = migrateWithoutPostgresModule(resultFile);

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
    String document = Files.readString(resultFile);
    assertThat(document).as("result file; %s", run).isNotBlank();
    JsonNode result = new ObjectMapper().readTree(document);
    assertThat(result.get("command").asText()).isEqualTo("migrate");
    assertThat(result.get("outcome").asText()).isEqualTo("Failed");
    assertThat(result.get("failure").get("reason").asText()).isEqualTo("InternalError");
    assertThat(result.get("failure").get("message").asText()).containsIgnoringCase("PostgreSQL");
    assertThat(result.has("applied") && result.get("applied").size() > 0).isFalse();
    assertThat(run.stderr().lines()).noneMatch(line -> line.startsWith("\tat "));
    assertThat(run.stdout() + run.stderr() + document).doesNotContain(postgres.password());
    assertThat(Catalog.tables(postgres, database.database(), "public")).isEmpty();
    assertThat(userSchemas()).containsExactly("public");
  }

  // flyway/flyway#3441: the same on a versioned database: history and catalog stay as they were.
  @Test
  void migrateOnAVersionedDatabaseWritesAnInternalErrorResultAndChangesNothing() throws Exception {
    MigrationResult atOne =
        Migrator.configure()
            .connection(database)
            .migrations(MigrationSet.fromDirectory(files.directory()))
            .target("1")
            .load()
            .migrate();
    assertThat(atOne.failure()).isNull();
    List<String> catalogAtOne = Catalog.snapshot(postgres, database.database(), "public");
    assertThat(Catalog.history(postgres, database.database(), "public"))
        .containsExactly("1:SQL:true");
    Path resultFile = Files.createTempFile("result-", ".json");

    Finished run = migrateWithoutPostgresModule(resultFile);

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
    String document = Files.readString(resultFile);
    assertThat(document).as("result file; %s", run).isNotBlank();
    JsonNode result = new ObjectMapper().readTree(document);
    assertThat(result.get("outcome").asText()).isEqualTo("Failed");
    assertThat(result.get("failure").get("reason").asText()).isEqualTo("InternalError");
    assertThat(result.get("failure").get("message").asText()).containsIgnoringCase("PostgreSQL");
    assertThat(run.stderr().lines()).noneMatch(line -> line.startsWith("\tat "));
    assertThat(Catalog.history(postgres, database.database(), "public"))
        .containsExactly("1:SQL:true");
    assertThat(Catalog.snapshot(postgres, database.database(), "public")).isEqualTo(catalogAtOne);
    assertThat(Catalog.tables(postgres, database.database(), "public"))
        .containsExactly("flyway_schema_history", "warehouse_bins");
  }

  /** A finished process of the stripped jar. */
  private record Finished(int exitCode, String stdout, String stderr) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
    }
  }

  /** Runs the stripped jar's main class the way the Job does: settings in the environment. */
  private Finished migrateWithoutPostgresModule(Path resultFile) throws Exception {
    Path output = Files.createTempFile("migrator-out-", ".txt");
    Path errors = Files.createTempFile("migrator-err-", ".txt");
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                jarWithoutPostgresModule.toString(),
                "io.jobgtm.schema.migrator.cli.MigratorCli",
                "migrate",
                "--migrations",
                files.directory().toString(),
                "--result-file",
                resultFile.toString())
            .redirectOutput(output.toFile())
            .redirectError(errors.toFile());
    builder.environment().put("DB_HOST", database.host());
    builder.environment().put("DB_PORT", String.valueOf(database.port()));
    builder.environment().put("DB_NAME", database.database());
    builder.environment().put("DB_SCHEMA", database.schema());
    builder.environment().put("DB_USER", database.user());
    builder.environment().put("DB_PASSWORD", postgres.password());
    builder.environment().put("DB_SSLMODE", database.sslMode());
    Process process = builder.start();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException("the migrator did not finish: " + Files.readString(output));
    }
    return new Finished(process.exitValue(), Files.readString(output), Files.readString(errors));
  }

  private List<String> userSchemas() throws SQLException {
    try (Connection connection = postgres.connect(database.database());
        Statement statement = connection.createStatement();
        ResultSet result =
            statement.executeQuery(
                "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%'"
                    + " AND nspname <> 'information_schema' ORDER BY 1")) {
      List<String> names = new ArrayList<>();
      while (result.next()) {
        names.add(result.getString(1));
      }
      return names;
    }
  }

  private static List<String> servicesNaming(Path jar, String text) throws IOException {
    List<String> found = new ArrayList<>();
    try (InputStream file = Files.newInputStream(jar);
        ZipInputStream in = new ZipInputStream(file)) {
      for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
        if (entry.getName().startsWith("META-INF/services/")) {
          ByteArrayOutputStream content = new ByteArrayOutputStream();
          in.transferTo(content);
          if (content.toString(StandardCharsets.UTF_8).contains(text)) {
            found.add(entry.getName());
          }
        }
      }
    }
    return found;
  }
}
