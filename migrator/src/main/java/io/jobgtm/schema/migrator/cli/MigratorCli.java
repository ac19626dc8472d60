package io.jobgtm.schema.migrator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobgtm.schema.contract.Durations;
import io.jobgtm.schema.contract.Failure;
import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.JobEnvironment;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.contract.Outcome;
import io.jobgtm.schema.contract.SchemaVerification;
import io.jobgtm.schema.contract.Version;
import io.jobgtm.schema.migrator.BaselinePolicy;
import io.jobgtm.schema.migrator.ConnectionSettings;
import io.jobgtm.schema.migrator.DriftAction;
import io.jobgtm.schema.migrator.MigrationException;
import io.jobgtm.schema.migrator.MigrationNaming;
import io.jobgtm.schema.migrator.MigrationPlan;
import io.jobgtm.schema.migrator.MigrationScript;
import io.jobgtm.schema.migrator.MigrationSet;
import io.jobgtm.schema.migrator.Migrator;
import io.jobgtm.schema.migrator.MigratorConfiguration;
import io.jobgtm.schema.migrator.SchemaOwner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * The migrator's command line, a thin layer over {@link Migrator}: flags and environment variables
 * in, progress lines and one result document out, exit code 0 (success), 1 (transient failure,
 * retry) or 2 (permanent failure).
 */
@Command(
    name = "migrator",
    mixinStandardHelpOptions = true,
    versionProvider = MigratorCli.ManifestVersion.class,
    description = "Migrates a PostgreSQL schema with versioned SQL migrations and undo scripts.",
    subcommands = {
      MigratorCli.MigrateCommand.class,
      MigratorCli.InfoCommand.class,
      MigratorCli.ValidateCommand.class,
      MigratorCli.BaselineCommand.class,
      MigratorCli.RepairCommand.class,
      MigratorCli.UndoCommand.class,
      CompareCommand.class,
      MigratorCli.PlanCommand.class,
      VerifyCommand.class
    },
    footer = {
      "",
      "The password comes from DB_PASSWORD or the file named by --password-file, never from a flag.",
      "Exit codes: 0 success, 1 transient failure (retry), 2 permanent failure."
    })
public final class MigratorCli implements Callable<Integer> {

  /** The environment variable that may name the result file when flags cannot be parsed. */
  static final String RESULT_FILE_ENV = JobEnvironment.RESULT_FILE;

  @Spec CommandLine.Model.CommandSpec spec;

  PrintWriter out;
  PrintWriter err;

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the command line with the given streams and returns the exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    MigratorCli cli = new MigratorCli();
    cli.out = out;
    cli.err = err;
    CommandLine commandLine = new CommandLine(cli);
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    commandLine.setParameterExceptionHandler(
        (exception, arguments) -> {
          err.println("error: " + exception.getMessage());
          exception.getCommandLine().usage(err);
          writeResultFileFromEnvironment(
              exception.getCommandLine().getCommandName(),
              "InvalidConfiguration",
              exception.getMessage());
          return FailureReason.EXIT_PERMANENT;
        });
    commandLine.setExecutionExceptionHandler(
        (exception, command, parseResult) -> {
          err.println("error: " + exception.getMessage());
          return FailureReason.EXIT_PERMANENT;
        });
    return commandLine.execute(args);
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(err);
    return FailureReason.EXIT_PERMANENT;
  }

  /** Connection flags; each has an environment variable so a Job needs no command-line secrets. */
  static final class ConnectionOptions {
    @Option(
        names = "--host",
        defaultValue = "${env:" + JobEnvironment.DB_HOST + ":-localhost}",
        description = "Database host (DB_HOST, default ${DEFAULT-VALUE}).")
    String host;

    @Option(
        names = "--port",
        defaultValue = "${env:" + JobEnvironment.DB_PORT + ":-5432}",
        description = "Database port (DB_PORT, default ${DEFAULT-VALUE}).")
    int port;

    @Option(
        names = "--database",
        defaultValue = "${env:" + JobEnvironment.DB_NAME + "}",
        description = "Database name (DB_NAME).")
    String database;

    @Option(
        names = "--schema",
        defaultValue = "${env:" + JobEnvironment.DB_SCHEMA + ":-public}",
        description = "Schema to migrate (DB_SCHEMA, default ${DEFAULT-VALUE}).")
    String schema;

    @Option(
        names = "--user",
        defaultValue = "${env:" + JobEnvironment.DB_USER + "}",
        description = "Database user (DB_USER).")
    String user;

    @Option(
        names = "--password-file",
        defaultValue = "${env:" + JobEnvironment.DB_PASSWORD_FILE + "}",
        description = "File holding the password (DB_PASSWORD_FILE); else DB_PASSWORD is used.")
    Path passwordFile;

    @Option(
        names = "--sslmode",
        defaultValue = "${env:" + JobEnvironment.DB_SSLMODE + ":-prefer}",
        description =
            "disable, allow, prefer, require, verify-ca or verify-full (DB_SSLMODE, default"
                + " ${DEFAULT-VALUE}).")
    String sslMode;

    @Option(
        names = "--sslrootcert",
        defaultValue = "${env:" + JobEnvironment.DB_SSLROOTCERT + "}",
        description =
            "File of PEM CA certificates the server's certificate must chain to; required with"
                + " sslmode verify-ca and verify-full, refused with the others ("
                + JobEnvironment.DB_SSLROOTCERT
                + ").")
    Path sslRootCert;

    ConnectionSettings settings() {
      return ConnectionSettings.builder()
          .host(host)
          .port(port)
          .database(database)
          .schema(schema)
          .user(user)
          .password(password())
          .sslMode(sslMode)
          .sslRootCert(sslRootCert)
          .build();
    }

    private String password() {
      if (passwordFile != null) {
        try {
          return Files.readString(passwordFile, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
          throw new MigrationException(
              FailureReason.InvalidConfiguration, "cannot read the password file " + passwordFile);
        }
      }
      return System.getenv(JobEnvironment.DB_PASSWORD);
    }
  }

  /** Flags every command shares. */
  static final class CommonOptions {
    @Mixin ConnectionOptions connection;

    @Option(
        names = "--migrations",
        defaultValue = "${env:" + JobEnvironment.MIGRATIONS_DIR + "}",
        description =
            "Directory of the migration set, sub-folders included, or several separated by"
                + " commas, read as one set in the order given, as Flyway's locations"
                + " (MIGRATIONS_DIR); default: the bundled reference migrations.")
    String migrations;

    @Option(
        names = "--history-table",
        defaultValue =
            "${env:"
                + JobEnvironment.HISTORY_TABLE
                + ":-"
                + JobEnvironment.DEFAULT_HISTORY_TABLE
                + "}",
        description =
            "The table in the schema that holds the migration history, as Flyway's table setting;"
                + " the name a schema migrated before by Flyway used ("
                + JobEnvironment.HISTORY_TABLE
                + ", default ${DEFAULT-VALUE}).")
    String historyTable;

    @Option(
        names = "--out-of-order",
        defaultValue = "${env:" + JobEnvironment.OUT_OF_ORDER + ":-false}",
        description =
            "Apply a version below the current one that was never applied, as Flyway's out-of-order"
                + " setting (OUT_OF_ORDER, default ${DEFAULT-VALUE}).")
    boolean outOfOrder;

    @Option(
        names = "--placeholder-replacement",
        defaultValue = "${env:" + JobEnvironment.PLACEHOLDER_REPLACEMENT + ":-false}",
        description =
            "Replace placeholders such as $${name} in every script, as Flyway's"
                + " placeholderReplacement; off by default, unlike Flyway ("
                + JobEnvironment.PLACEHOLDER_REPLACEMENT
                + ", default ${DEFAULT-VALUE}).")
    boolean placeholderReplacement;

    @Option(
        names = "--placeholder",
        paramLabel = "NAME=VALUE",
        description =
            "A placeholder's value; repeat for each. Overrides the same name, in any case, in"
                + " --placeholders.")
    Map<String, String> placeholder = new LinkedHashMap<>();

    @Option(
        names = "--placeholders",
        paramLabel = "JSON",
        defaultValue = "${env:" + JobEnvironment.PLACEHOLDERS + "}",
        description =
            "Placeholders' values as a JSON object of strings, such as {\"owner\":\"app\"} ("
                + JobEnvironment.PLACEHOLDERS
                + ").")
    String placeholdersJson;

    @Option(
        names = "--placeholder-prefix",
        defaultValue = "${env:" + JobEnvironment.PLACEHOLDER_PREFIX + "}",
        description =
            "What starts a placeholder (" + JobEnvironment.PLACEHOLDER_PREFIX + ", default $${).")
    String placeholderPrefix;

    @Option(
        names = "--placeholder-suffix",
        defaultValue = "${env:" + JobEnvironment.PLACEHOLDER_SUFFIX + "}",
        description =
            "What ends a placeholder (" + JobEnvironment.PLACEHOLDER_SUFFIX + ", default }).")
    String placeholderSuffix;

    private Map<String, String> placeholderValues() {
      Map<String, String> values = new LinkedHashMap<>();
      if (!blank(placeholdersJson)) {
        try {
          JsonNode json = new ObjectMapper().readTree(placeholdersJson);
          if (json == null || !json.isObject()) {
            throw new IllegalArgumentException();
          }
          for (Map.Entry<String, JsonNode> field : json.properties()) {
            if (!field.getValue().isTextual()) {
              throw new IllegalArgumentException();
            }
            values.put(field.getKey(), field.getValue().asText());
          }
        } catch (IOException | IllegalArgumentException e) {
          throw new MigrationException(
              FailureReason.InvalidConfiguration,
              "--placeholders ("
                  + JobEnvironment.PLACEHOLDERS
                  + ") must be a JSON object whose values are strings, such as"
                  + " {\"owner\":\"app\"}");
        }
      }
      // A flag overrides the same name in the JSON in any case, as names are matched so.
      placeholder.keySet().forEach(name -> values.keySet().removeIf(name::equalsIgnoreCase));
      values.putAll(placeholder);
      return values;
    }

    @Option(
        names = "--connect-timeout",
        defaultValue =
            "${env:"
                + JobEnvironment.CONNECT_TIMEOUT
                + ":-"
                + JobEnvironment.DEFAULT_CONNECT_TIMEOUT
                + "}",
        converter = DurationConverter.class,
        description =
            "How long to wait for the database to accept connections (default"
                + " ${DEFAULT-VALUE}).")
    Duration connectTimeout;

    @Option(
        names = "--lock-wait-timeout",
        defaultValue =
            "${env:"
                + JobEnvironment.LOCK_WAIT_TIMEOUT
                + ":-"
                + JobEnvironment.DEFAULT_LOCK_WAIT_TIMEOUT
                + "}",
        converter = DurationConverter.class,
        description =
            "How long to wait for another migrator on the same schema (default"
                + " ${DEFAULT-VALUE}).")
    Duration lockWaitTimeout;

    @Option(
        names = "--lock-timeout",
        defaultValue =
            "${env:"
                + JobEnvironment.LOCK_TIMEOUT
                + ":-"
                + JobEnvironment.DEFAULT_LOCK_TIMEOUT
                + "}",
        converter = DurationConverter.class,
        description =
            "PostgreSQL lock_timeout for migration statements (default ${DEFAULT-VALUE}).")
    Duration lockTimeout;

    @Option(
        names = "--statement-timeout",
        defaultValue =
            "${env:"
                + JobEnvironment.STATEMENT_TIMEOUT
                + ":-"
                + JobEnvironment.DEFAULT_STATEMENT_TIMEOUT
                + "}",
        converter = DurationConverter.class,
        description =
            "PostgreSQL statement_timeout for migration statements, 0 for none (default"
                + " ${DEFAULT-VALUE}).")
    Duration statementTimeout;

    @Option(
        names = "--owner",
        defaultValue = "${env:" + JobEnvironment.SCHEMA_OWNER + "}",
        description =
            "Who migrates the schema, namespace/name: recorded in the database; a schema recorded"
                + " as another's is refused (SchemaOwnedByAnother). Unset: no check ("
                + JobEnvironment.SCHEMA_OWNER
                + ").")
    String owner;

    @Option(
        names = "--owner-uid",
        defaultValue = "${env:" + JobEnvironment.SCHEMA_OWNER_UID + "}",
        description =
            "The owner's UID, recorded beside it for people, never compared ("
                + JobEnvironment.SCHEMA_OWNER_UID
                + ").")
    String ownerUid;

    @Option(
        names = "--take-over-from",
        defaultValue = "${env:" + JobEnvironment.TAKE_OVER_FROM + "}",
        description =
            "The namespace/name of a recorded owner whose schema --owner replaces ("
                + JobEnvironment.TAKE_OVER_FROM
                + ").")
    String takeOverFrom;

    @Option(
        names = "--sql-migration-prefix",
        defaultValue = "${env:" + JobEnvironment.SQL_MIGRATION_PREFIX + ":-V}",
        description =
            "Prefix of versioned migrations, Flyway's sqlMigrationPrefix ("
                + JobEnvironment.SQL_MIGRATION_PREFIX
                + ", default ${DEFAULT-VALUE}).")
    String sqlMigrationPrefix;

    @Option(
        names = "--undo-sql-migration-prefix",
        defaultValue = "${env:" + JobEnvironment.UNDO_SQL_MIGRATION_PREFIX + ":-U}",
        description =
            "Prefix of undo scripts ("
                + JobEnvironment.UNDO_SQL_MIGRATION_PREFIX
                + ", default ${DEFAULT-VALUE}).")
    String undoSqlMigrationPrefix;

    @Option(
        names = "--repeatable-sql-migration-prefix",
        defaultValue = "${env:" + JobEnvironment.REPEATABLE_SQL_MIGRATION_PREFIX + ":-R}",
        description =
            "Prefix of repeatable migrations, Flyway's repeatableSqlMigrationPrefix ("
                + JobEnvironment.REPEATABLE_SQL_MIGRATION_PREFIX
                + ", default ${DEFAULT-VALUE}).")
    String repeatableSqlMigrationPrefix;

    @Option(
        names = "--baseline-migration-prefix",
        defaultValue = "${env:" + JobEnvironment.BASELINE_MIGRATION_PREFIX + ":-B}",
        description =
            "Prefix of baseline migrations, Flyway's baselineMigrationPrefix ("
                + JobEnvironment.BASELINE_MIGRATION_PREFIX
                + ", default ${DEFAULT-VALUE}).")
    String baselineMigrationPrefix;

    @Option(
        names = "--sql-migration-separator",
        defaultValue = "${env:" + JobEnvironment.SQL_MIGRATION_SEPARATOR + ":-__}",
        description =
            "Between version and description, Flyway's sqlMigrationSeparator ("
                + JobEnvironment.SQL_MIGRATION_SEPARATOR
                + ", default ${DEFAULT-VALUE}).")
    String sqlMigrationSeparator;

    @Option(
        names = "--sql-migration-suffixes",
        defaultValue = "${env:" + JobEnvironment.SQL_MIGRATION_SUFFIXES + ":-.sql}",
        description =
            "Suffixes of SQL scripts, separated by commas, Flyway's sqlMigrationSuffixes ("
                + JobEnvironment.SQL_MIGRATION_SUFFIXES
                + ", default ${DEFAULT-VALUE}).")
    String sqlMigrationSuffixes;

    private MigrationNaming naming() {
      return new MigrationNaming(
          sqlMigrationPrefix,
          undoSqlMigrationPrefix,
          repeatableSqlMigrationPrefix,
          baselineMigrationPrefix,
          sqlMigrationSeparator,
          java.util.Arrays.stream(sqlMigrationSuffixes.split(",", -1)).map(String::strip).toList());
    }

    @Option(
        names = "--result-file",
        defaultValue = "${env:" + RESULT_FILE_ENV + "}",
        description =
            "Write the JSON result document here, e.g. /dev/termination-log" + " (RESULT_FILE).")
    Path resultFile;

    MigratorConfiguration configuration(PrintWriter out) {
      return Migrator.configure()
          .connection(connection.settings())
          .migrations(
              blank(migrations)
                  ? MigrationSet.bundled()
                  : MigrationSet.fromDirectories(locations(migrations), naming()))
          .historyTable(historyTable)
          .outOfOrder(outOfOrder)
          .placeholders(
              placeholderReplacement, placeholderValues(), placeholderPrefix, placeholderSuffix)
          .connectTimeout(connectTimeout)
          .lockWaitTimeout(lockWaitTimeout)
          .lockTimeout(lockTimeout)
          .statementTimeout(statementTimeout)
          .owner(
              blank(owner)
                  ? null
                  : new SchemaOwner.Claim(
                      owner.trim(),
                      blank(ownerUid) ? null : ownerUid.trim(),
                      blank(takeOverFrom) ? null : takeOverFrom.trim()))
          .progress(out::println);
    }
  }

  /** Runs one engine command, prints the summary and writes the result document. */
  abstract static class EngineCommand implements Callable<Integer> {
    @ParentCommand MigratorCli cli;
    @Mixin CommonOptions common;

    abstract String name();

    abstract MigrationResult execute(MigratorConfiguration configuration);

    @Override
    public Integer call() {
      MigrationResult result;
      try {
        result = execute(common.configuration(cli.out));
      } catch (MigrationException e) {
        result = failedBeforeStart(name(), e);
      } catch (RuntimeException | Error e) {
        // The engine turns its own failures into results; this is a broken installation, such as
        // a class missing from the classpath, which must still leave a result document behind.
        result = failedBeforeStart(name(), MigrationException.unexpected(e));
      }
      print(result);
      if (common.resultFile != null) {
        writeResultFile(common.resultFile, result.toJson(), cli.err);
      }
      return result.exitCode();
    }

    void print(MigrationResult result) {
      if (!result.succeeded()) {
        cli.err.println("error: " + result.failure().describe());
        return;
      }
      cli.out.println(summary(result));
      if (result.verification() != null) {
        printVerification(result.verification());
      }
    }

    /** The finding's summary, then one line per difference kept ({@code drift: ...}). */
    void printVerification(SchemaVerification verification) {
      cli.out.println(verificationSummary(verification));
      verification.differences().forEach(line -> cli.out.println("drift: " + line));
      int left = verification.differenceCount() - verification.differences().size();
      if (left > 0) {
        cli.out.println("drift: ... and " + left + " more");
      }
    }
  }

  @Command(name = "migrate", description = "Bring the database to the target version.")
  static final class MigrateCommand extends EngineCommand {
    @Mixin MigrateOptions options;

    @Override
    String name() {
      return "migrate";
    }

    @Override
    MigrationResult execute(MigratorConfiguration configuration) {
      return options.apply(configuration).load().migrate();
    }
  }

  /** The flags that decide what {@code migrate} does, shared with {@code plan}. */
  static final class MigrateOptions {
    @Option(
        names = "--target",
        defaultValue = "${env:" + JobEnvironment.TARGET_VERSION + ":-latest}",
        description = "latest or a version such as 2 (TARGET_VERSION, default ${DEFAULT-VALUE}).")
    String target;

    @Option(
        names = "--on-unversioned",
        defaultValue = "${env:" + JobEnvironment.ON_UNVERSIONED + ":-Fail}",
        description =
            "Fail or Baseline: what to do with tables that have no migration history"
                + " (ON_UNVERSIONED, default ${DEFAULT-VALUE}).")
    BaselinePolicy.Action onUnversioned;

    @Option(
        names = "--baseline-version",
        defaultValue = "${env:" + JobEnvironment.BASELINE_VERSION + "}",
        description =
            "The version such tables match, or auto to find it by a replay in the shadow database;"
                + " required with Baseline (BASELINE_VERSION).")
    String baselineVersion;

    @Mixin ShadowOptions shadow;

    @Option(
        names = "--on-drift",
        defaultValue = "${env:" + JobEnvironment.ON_DRIFT + ":-Report}",
        description =
            "Report or Block: Block refuses to migrate a schema that differs from the replay at"
                + " its version, or cannot be compared with it, before writing anything (SchemaDrifted;"
                + " needs a shadow) ("
                + JobEnvironment.ON_DRIFT
                + ", default ${DEFAULT-VALUE}).")
    DriftAction onDrift;

    @Option(
        names = "--accepted-fingerprint",
        paramLabel = "sha256:HEX",
        defaultValue = "${env:" + JobEnvironment.ACCEPTED_FINGERPRINT + "}",
        description =
            "A drifted schema's fingerprint, as verify reports it, that --on-drift Block lets"
                + " through ("
                + JobEnvironment.ACCEPTED_FINGERPRINT
                + ").")
    String acceptedFingerprint;

    @Option(
        names = "--verify-baseline",
        negatable = true,
        defaultValue = "${env:" + JobEnvironment.VERIFY_BASELINE + ":-true}",
        fallbackValue = "true",
        description =
            "With a shadow database, check the baseline version against its replay before"
                + " stamping; --no-verify-baseline stamps it unchecked ("
                + JobEnvironment.VERIFY_BASELINE
                + ", default ${DEFAULT-VALUE}).")
    boolean verifyBaseline;

    @Option(
        names = "--allow-downgrade",
        defaultValue = "${env:" + JobEnvironment.ALLOW_DOWNGRADE + ":-false}",
        description =
            "Run undo scripts when the target is below the current version (ALLOW_DOWNGRADE).")
    boolean allowDowngrade;

    /** Whether a shadow database is given, with which {@code plan} predicts. */
    boolean predicts() {
      return shadow.given();
    }

    MigratorConfiguration apply(MigratorConfiguration configuration) {
      return shadow
          .apply(configuration)
          .target(target)
          .baselinePolicy(policy())
          .allowDowngrade(allowDowngrade)
          .verifyBaseline(verifyBaseline)
          .onDrift(onDrift)
          .acceptedFingerprint(acceptedFingerprint);
    }

    private BaselinePolicy policy() {
      if (onUnversioned == BaselinePolicy.Action.Fail) {
        return BaselinePolicy.fail();
      }
      if (baselineVersion != null
          && baselineVersion.strip().equalsIgnoreCase(BaselinePolicy.AUTO)) {
        return BaselinePolicy.auto();
      }
      if (baselineVersion == null || !Version.isValid(baselineVersion)) {
        throw new MigrationException(
            FailureReason.InvalidConfiguration,
            "--on-unversioned Baseline needs --baseline-version with a version such as 1, or"
                + " auto");
      }
      return BaselinePolicy.baselineAt(Version.parse(baselineVersion));
    }
  }

  @Command(name = "info", description = "Show the state, current version, applied and pending.")
  static final class InfoCommand extends EngineCommand {
    @Override
    String name() {
      return "info";
    }

    private MigrationSet migrations;

    @Override
    MigrationResult execute(MigratorConfiguration configuration) {
      migrations = configuration.migrationSet();
      return configuration.load().info();
    }

    // A version is in the set through its versioned or its baseline migration: a project may
    // start with a baseline migration that no versioned migration of its version accompanies.
    private boolean inSet(String version) {
      return migrations == null || !Version.isValid(version) || script(version).isPresent();
    }

    private Optional<MigrationScript> script(String version) {
      Version parsed = Version.parse(version);
      return migrations.versioned(parsed).or(() -> migrations.baseline(parsed));
    }

    private boolean repeatableInSet(String description) {
      return migrations == null
          || migrations.repeatable().stream()
              .anyMatch(script -> script.description().equals(description));
    }

    private String describe(String version) {
      return version
          + (migrations == null || !Version.isValid(version)
              ? ""
              : script(version).map(script -> " " + script.description()).orElse(""));
    }

    @Override
    void print(MigrationResult result) {
      if (result.succeeded()) {
        result
            .applied()
            .forEach(
                m ->
                    cli.out.println(
                        (inSet(m.version()) ? "applied: " : "applied (file missing): ")
                            + m.version()
                            + " "
                            + m.description()));
        result.failed().forEach(version -> cli.out.println("failed: " + describe(version)));
        result
            .outOfOrder()
            .forEach(
                version -> cli.out.println("not applied (out of order): " + describe(version)));
        result.pending().forEach(version -> cli.out.println("pending: " + describe(version)));
        result
            .appliedRepeatables()
            .forEach(
                m ->
                    cli.out.println(
                        (repeatableInSet(m.description())
                                ? "applied repeatable: "
                                : "applied repeatable (file missing): ")
                            + m.description()));
        result
            .pendingRepeatables()
            .forEach(description -> cli.out.println("pending repeatable: " + description));
      }
      super.print(result);
    }
  }

  @Command(name = "validate", description = "Check applied migrations against the migration set.")
  static final class ValidateCommand extends EngineCommand {
    @Override
    String name() {
      return "validate";
    }

    @Override
    MigrationResult execute(MigratorConfiguration configuration) {
      return configuration.load().validate();
    }
  }

  @Command(name = "baseline", description = "Stamp an unversioned database with a version.")
  static final class BaselineCommand extends EngineCommand {
    @Option(names = "--version", required = true, description = "The version its tables match.")
    String version;

    @Mixin ShadowOptions shadow;

    @Override
    String name() {
      return "baseline";
    }

    @Override
    MigrationResult execute(MigratorConfiguration configuration) {
      return shadow.apply(configuration).load().baseline(version);
    }
  }

  @Command(name = "repair", description = "Remove failed history entries and realign checksums.")
  static final class RepairCommand extends EngineCommand {
    @Override
    String name() {
      return "repair";
    }

    @Override
    MigrationResult execute(MigratorConfiguration configuration) {
      return configuration.load().repair();
    }
  }

  @Command(name = "undo", description = "Run undo scripts down to a target version (0: all).")
  static final class UndoCommand extends EngineCommand {
    @Option(names = "--target", required = true, description = "The version to go down to.")
    String target;

    @Override
    String name() {
      return "undo";
    }

    @Override
    MigrationResult execute(MigratorConfiguration configuration) {
      return configuration.load().undo(target);
    }
  }

  @Command(
      name = "plan",
      description =
          "Show what migrate would do, with the SQL; with a shadow database, predict what it would"
              + " meet; change nothing.",
      footer = {
        "",
        "Exit codes: 0 the plan (with a shadow: migrate is predicted to succeed), "
            + PlanCommand.EXIT_PREDICTED_FAILURE
            + " with a shadow: migrate is predicted to fail (a script fails in the shadow, or the"
            + " schema matches no baseline version), 1 transient and 2 permanent failures as the"
            + " other commands (among them a refusal migrate would meet, shadow or not)."
      })
  static final class PlanCommand extends EngineCommand {
    /**
     * The exit code of a plan whose prediction in the shadow says {@code migrate} would fail; as
     * {@code compare}'s 3 for schemas that differ, it says what was found, not that the command
     * failed.
     */
    static final int EXIT_PREDICTED_FAILURE = 3;

    @Mixin MigrateOptions options;

    private MigrationPlan plan;

    @Override
    String name() {
      return "plan";
    }

    @Override
    public Integer call() {
      int exitCode = super.call();
      if (plan != null && plan.prediction() != null && !plan.prediction().succeeds()) {
        return EXIT_PREDICTED_FAILURE;
      }
      if (plan != null
          && options.predicts()
          && plan.result().failure() != null
          && plan.result().failure().reason() == FailureReason.SchemaMismatch) {
        return EXIT_PREDICTED_FAILURE;
      }
      return exitCode;
    }

    @Override
    MigrationResult execute(MigratorConfiguration configuration) {
      plan = options.apply(configuration).load().plan();
      return plan.result();
    }

    @Override
    void print(MigrationResult result) {
      if (plan != null && result.succeeded()) {
        if (plan.baselineVersion() != null) {
          cli.out.println("would baseline at version " + plan.baselineVersion());
        }
        printScripts("would apply", plan.pending());
        printScripts("would undo", plan.undo());
        for (MigrationScript callback : plan.callbacks()) {
          cli.out.println(
              "-- callback on " + callback.callbackEvent().getId() + ": " + callback.fileName());
          printSettings(callback);
          cli.out.println(plan.sqlOf(callback).strip());
        }
        if (plan.pending().isEmpty() && plan.undo().isEmpty()) {
          cli.out.println("nothing to apply: the database is up to date");
        }
        if (plan.prediction() != null) {
          plan.prediction().lines().forEach(cli.out::println);
        } else if (!options.predicts()) {
          cli.out.println(
              "not predicted: give a shadow database (--shadow-url or --shadow-socket-dir) to run"
                  + " the pending migrations"
                  + " there and report what migrate would meet");
        } else if (!plan.undo().isEmpty()) {
          cli.out.println("not predicted: a downgrade runs undo scripts, which plan does not try");
        }
        return;
      }
      if (plan != null
          && options.predicts()
          && result.failure().reason() == FailureReason.SchemaMismatch) {
        cli.out.println(
            "prediction: migrate refuses to stamp the schema, nothing would be applied: "
                + result.failure().message());
        cli.out.println("prediction: migrate fails");
      }
      super.print(result);
    }

    private void printScripts(String verb, List<MigrationScript> scripts) {
      for (MigrationScript script : scripts) {
        boolean outside = plan.outsideTransaction().contains(script.fileName());
        cli.out.println(
            "-- "
                + verb
                + switch (script.kind()) {
                  case REPEATABLE -> " repeatable migration";
                  case BASELINE -> " baseline migration " + script.version();
                  default -> " version " + script.version();
                }
                + ": "
                + script.fileName()
                + (outside ? " (outside a transaction: a failure is not rolled back)" : ""));
        printSettings(script);
        cli.out.println(plan.sqlOf(script).strip());
      }
    }

    private void printSettings(MigrationScript script) {
      if (!script.settings().isEmpty()) {
        cli.out.println(
            "-- script settings: "
                + script.settings().describe()
                + " (from "
                + String.join(", ", script.settings().from())
                + ")");
      }
    }
  }

  static String summary(MigrationResult result) {
    String versions = orNone(result.versionBefore()) + " -> " + orNone(result.versionAfter());
    return switch (result.outcome()) {
      case Migrated ->
          "Migrated: version "
              + versions
              + ", "
              + result.appliedCount()
              + " migration(s)"
              + (result.appliedRepeatables().isEmpty()
                  ? ""
                  : " and " + result.appliedRepeatables().size() + " repeatable migration(s)")
              + " applied in "
              + result.durationMs()
              + " ms";
      case Baselined -> "Baselined: version " + result.baselineVersion() + ", schema unchanged";
      case Downgraded ->
          "Downgraded: version "
              + versions
              + ", "
              + result.undone().size()
              + " undo script(s) run in "
              + result.durationMs()
              + " ms";
      case UpToDate -> "UpToDate: version " + orNone(result.versionAfter()) + ", nothing to apply";
      case Validated -> "Validated: applied migrations match the migration set";
      case Repaired -> "Repaired: the migration history matches the migration set";
      case Verified ->
          "Verified: version "
              + orNone(result.versionAfter())
              + ", "
              + (result.verification() == null
                  ? "not compared"
                  : switch (result.verification().drift()) {
                    case None -> "the schema matches the migration set";
                    case Drifted ->
                        result.verification().differenceCount() + " difference(s) from the set";
                    case Unknown -> "cannot verify: " + result.verification().reason();
                  });
      case Reported ->
          "Info: "
              + result.databaseState()
              + " at version "
              + orNone(result.versionAfter())
              + ", pending: "
              + (result.pending().isEmpty() ? "none" : String.join(", ", result.pending()));
      case Planned ->
          "Planned: "
              + result.pendingCount()
              + " migration(s) to apply"
              + (result.pendingRepeatables().isEmpty()
                  ? ""
                  : ", " + result.pendingRepeatables().size() + " repeatable migration(s)");
      case Failed -> "Failed";
    };
  }

  /** One line: what the comparison with the replay found. */
  static String verificationSummary(SchemaVerification verification) {
    String at = " version " + orNone(verification.version());
    return switch (verification.drift()) {
      case None ->
          "no drift: the schema matches" + at + " of the set (" + verification.fingerprint() + ")";
      case Drifted ->
          "drifted from"
              + at
              + ": "
              + verification.differenceCount()
              + " difference(s), fingerprint "
              + verification.fingerprint();
      case Unknown -> "drift unknown: " + verification.reason();
    };
  }

  private static String orNone(String version) {
    return version == null ? "none" : version;
  }

  /** A result for a command that failed before the engine started, e.g. a bad migration set. */
  static MigrationResult failedBeforeStart(String command, MigrationException e) {
    return new MigrationResult(
        MigrationResult.API_VERSION,
        command,
        Outcome.Failed,
        null,
        null,
        null,
        null,
        null,
        List.of(),
        0,
        List.of(),
        List.of(),
        0,
        List.of(),
        List.of(),
        null,
        new Failure(e.reason(), e.version(), e.getMessage()),
        0,
        false);
  }

  private static void writeResultFileFromEnvironment(
      String command, String reason, String message) {
    String path = System.getenv(RESULT_FILE_ENV);
    if (path != null && !path.isBlank()) {
      MigrationResult result =
          failedBeforeStart(
              command, new MigrationException(FailureReason.valueOf(reason), message));
      writeResultFile(Path.of(path), result.toJson(), new PrintWriter(System.err, true));
    }
  }

  static void writeResultFile(Path path, String json, PrintWriter err) {
    if (path == null) {
      return;
    }
    try {
      Files.writeString(path, json, StandardCharsets.UTF_8);
    } catch (IOException e) {
      err.println("warning: cannot write the result file " + path + ": " + e.getMessage());
    }
  }

  /** Reads {@code 30s}, {@code 5m} and the like. */
  static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      return Durations.parse(value);
    }
  }

  /** The version from the jar's manifest. */
  static final class ManifestVersion implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = MigratorCli.class.getPackage().getImplementationVersion();
      return new String[] {
        "schema-operator migrator " + (version == null ? "(development)" : version)
      };
    }
  }

  /** The directories of --migrations: separated by commas, blanks around them dropped. */
  static List<Path> locations(String migrations) {
    return java.util.Arrays.stream(migrations.split(JobEnvironment.LOCATION_SEPARATOR))
        .map(String::trim)
        .filter(location -> !location.isEmpty())
        .map(Path::of)
        .toList();
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }
}
