package io.jobgtm.schema.migrator;

import io.jobgtm.schema.migrator.DatabaseSession.HistoryRow;
import io.jobgtm.schema.migrator.DatabaseSession.Inspection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.exception.FlywayValidateException;
import org.flywaydb.core.api.output.RepairResult;
import org.flywaydb.core.api.output.ValidateOutput;
import org.flywaydb.core.api.output.ValidateResult;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;

/**
 * The migration engine: Flyway on PostgreSQL, plus what the workflow service's entrypoint did by
 * hand (wait for the database, tell fresh, unversioned and versioned databases apart, stamp an
 * unversioned one when allowed) and undo scripts.
 *
 * <pre>{@code
 * MigrationResult result = Migrator.configure()
 *     .connection(settings)
 *     .target("2")
 *     .load()
 *     .migrate();
 * }</pre>
 *
 * <p>Every command returns an immutable {@link MigrationResult}; failures are results too, with a
 * {@link Failure} whose reason says whether retrying can help. Commands that change the database
 * hold an advisory lock for their whole run, so migrators started together on one database run one
 * after the other.
 */
public final class Migrator {

  /** The target that means the highest version of the migration set. */
  public static final String LATEST = "latest";

  private final ConnectionSettings connection;
  private final MigrationSet migrations;
  private final String target;
  private final BaselinePolicy baselinePolicy;
  private final boolean allowDowngrade;
  private final MigratorConfiguration configuration;
  private final Timeouts timeouts;
  private final Redactor redactor;
  private final ProgressListener progress;

  Migrator(MigratorConfiguration configuration) {
    this.configuration = configuration;
    this.connection = configuration.connection;
    this.migrations = configuration.migrations;
    this.target = configuration.target;
    this.baselinePolicy = configuration.baselinePolicy;
    this.allowDowngrade = configuration.allowDowngrade;
    this.timeouts = new Timeouts(configuration.lockTimeout, configuration.statementTimeout);
    this.redactor = new Redactor(connection.password());
    ProgressListener listener = configuration.progress;
    this.progress = line -> listener.progress(redactor.clean(line));
  }

  /** Starts a configuration with the defaults of a migration Job. */
  public static MigratorConfiguration configure() {
    return new MigratorConfiguration();
  }

  /**
   * Brings the database to the target version: applies every migration to a fresh database, stamps
   * an unversioned one first when the baseline policy allows it (else refuses), applies the pending
   * migrations of a versioned one, and undoes down to a lower target only when downgrades are
   * allowed.
   */
  public MigrationResult migrate() {
    return run("migrate", target, true, this::migrate);
  }

  /**
   * Runs the undo scripts of every applied version above {@code targetVersion}, highest first, each
   * in one transaction with the removal of its history entry. Refuses, changing nothing, when an
   * undo script is missing.
   */
  public MigrationResult undo(String targetVersion) {
    return run(
        "undo",
        targetVersion,
        true,
        (session, run, flyway) -> undo(session, run, flyway, targetVersion));
  }

  /** Stamps an unversioned database with a version without changing its schema. */
  public MigrationResult baseline(String version) {
    return run(
        "baseline",
        version,
        true,
        (session, run, flyway) -> baseline(session, run, flyway, version));
  }

  /** Reports the state, the current version, the applied and the pending migrations. */
  public MigrationResult info() {
    return run(
        "info",
        target,
        false,
        (session, run, flyway) -> {
          inspect(session, run, flyway);
          run.outcome = Outcome.Reported;
        });
  }

  /** Checks that the applied migrations match the migration set (checksums, names, gaps). */
  public MigrationResult validate() {
    return run(
        "validate",
        target,
        false,
        (session, run, flyway) -> {
          Inspection found = inspect(session, run, flyway);
          if (found.state() == DatabaseState.Versioned) {
            validateHistory(flyway);
          }
          run.outcome = Outcome.Validated;
        });
  }

  /** Removes failed entries from the history and realigns checksums with the migration set. */
  public MigrationResult repair() {
    return run(
        "repair",
        target,
        true,
        (session, run, flyway) -> {
          inspect(session, run, flyway);
          RepairResult repaired = flyway.get().repair();
          for (String action : repaired.repairActions) {
            progress.progress("repair: " + action);
          }
          run.outcome = Outcome.Repaired;
        });
  }

  /** What {@link #migrate()} would do now; changes nothing. */
  public MigrationPlan plan() {
    List<MigrationScript> pending = new ArrayList<>();
    List<MigrationScript> undo = new ArrayList<>();
    MigrationResult result =
        run(
            "plan",
            target,
            false,
            (session, run, flyway) -> plan(session, run, flyway, pending, undo));
    return new MigrationPlan(result, result.baselineVersion(), pending, undo);
  }

  private void migrate(DatabaseSession session, Run run, FlywayFactory flyway) {
    Inspection found = inspect(session, run, flyway);
    Version wanted = resolveTarget(target);
    switch (found.state()) {
      case Unversioned -> baselineByPolicy(session, found, run, flyway, wanted);
      case Versioned -> {
        validateHistory(flyway);
        Version current = run.versionBefore == null ? null : Version.parse(run.versionBefore);
        if (!LATEST.equals(target) && current != null && wanted.isBelow(current)) {
          if (!allowDowngrade) {
            throw new MigrationException(
                FailureReason.DowngradeNotAllowed,
                "the database is at version "
                    + current
                    + " and the target "
                    + wanted
                    + " is below it; allow downgrades to run the undo scripts");
          }
          undoTo(session, run, wanted);
          finish(run, flyway);
          return;
        }
      }
      case Fresh -> {}
    }
    flyway.get().migrate();
    finish(run, flyway);
  }

  private void baselineByPolicy(
      DatabaseSession session, Inspection found, Run run, FlywayFactory flyway, Version wanted) {
    if (!baselinePolicy.allowsBaseline()) {
      throw new MigrationException(
          FailureReason.UnversionedSchema,
          "schema "
              + connection.schema()
              + " has tables but no migration history; set the baseline policy to Baseline with"
              + " the version those tables match, or point the migrator at an empty schema");
    }
    Version version = baselinePolicy.version();
    requireInSet(version, "baseline version");
    if (version.isAbove(wanted)) {
      throw new MigrationException(
          FailureReason.InvalidConfiguration,
          "the baseline version " + version + " is above the target " + wanted);
    }
    stamp(session, found, flyway, version);
    run.baselineVersion = version.toString();
    progress.progress("baselined at version " + version + " (schema unchanged)");
  }

  private void baseline(DatabaseSession session, Run run, FlywayFactory flyway, String version) {
    Inspection found = inspect(session, run, flyway);
    if (!Version.isValid(version)) {
      throw new MigrationException(
          FailureReason.InvalidConfiguration,
          "baseline version '" + version + "' is not a version");
    }
    if (found.state() != DatabaseState.Unversioned) {
      throw new MigrationException(
          FailureReason.BaselineNotAllowed,
          found.state() == DatabaseState.Fresh
              ? "schema " + connection.schema() + " is empty: migrate it instead of baselining"
              : "schema " + connection.schema() + " already has a migration history");
    }
    Version parsed = Version.parse(version);
    requireInSet(parsed, "baseline version");
    stamp(session, found, flyway, parsed);
    run.baselineVersion = parsed.toString();
    run.versionAfter = parsed.toString();
    run.outcome = Outcome.Baselined;
    progress.progress("baselined at version " + parsed + " (schema unchanged)");
  }

  private static void stamp(
      DatabaseSession session, Inspection found, FlywayFactory flyway, Version version) {
    if (found.historyTableExists()) {
      session.dropEmptyHistoryTable();
    }
    flyway.baselineAt(version).baseline();
  }

  private void undo(DatabaseSession session, Run run, FlywayFactory flyway, String targetVersion) {
    if (!Version.isValid(targetVersion)) {
      throw new MigrationException(
          FailureReason.InvalidConfiguration,
          "undo target '" + targetVersion + "' is not a version (use 0 to undo everything)");
    }
    Version wanted = Version.parse(targetVersion);
    Inspection found = inspect(session, run, flyway);
    if (found.state() == DatabaseState.Unversioned) {
      throw new MigrationException(
          FailureReason.UnversionedSchema,
          "schema " + connection.schema() + " has no migration history to undo");
    }
    if (found.state() == DatabaseState.Versioned) {
      validateHistory(flyway);
      undoTo(session, run, wanted);
    }
    finish(run, flyway);
  }

  private void undoTo(DatabaseSession session, Run run, Version wanted) {
    List<HistoryRow> rows = session.appliedAbove(wanted);
    List<String> missing =
        rows.stream()
            .filter(row -> migrations.undo(row.version()).isEmpty())
            .map(row -> row.version().toString())
            .toList();
    if (!missing.isEmpty()) {
      throw new MigrationException(
          FailureReason.UndoScriptMissing,
          missing.get(0),
          "no undo script for version "
              + String.join(", ", missing)
              + ": add U<version>__<description>.sql for each; nothing was undone",
          null);
    }
    for (HistoryRow row : rows) {
      MigrationScript script = migrations.undo(row.version()).orElseThrow();
      long started = System.nanoTime();
      session.undo(row, script);
      AppliedMigration undone =
          new AppliedMigration(row.version().toString(), row.description(), millisSince(started));
      run.undone.add(undone);
      progress.progress(
          "undone version "
              + undone.version()
              + " "
              + undone.description()
              + " ("
              + undone.durationMs()
              + " ms)");
    }
  }

  private void plan(
      DatabaseSession session,
      Run run,
      FlywayFactory flyway,
      List<MigrationScript> pending,
      List<MigrationScript> undo) {
    Inspection found = inspect(session, run, flyway);
    Version wanted = resolveTarget(target);
    Version from = run.versionBefore == null ? Version.ZERO : Version.parse(run.versionBefore);
    run.outcome = Outcome.Planned;
    switch (found.state()) {
      case Unversioned -> {
        if (!baselinePolicy.allowsBaseline()) {
          throw new MigrationException(
              FailureReason.UnversionedSchema,
              "migrate would refuse: schema "
                  + connection.schema()
                  + " has tables but no migration history and the baseline policy is Fail");
        }
        requireInSet(baselinePolicy.version(), "baseline version");
        from = baselinePolicy.version();
        run.baselineVersion = from.toString();
      }
      case Versioned -> {
        validateHistory(flyway);
        if (!LATEST.equals(target) && wanted.isBelow(from)) {
          if (!allowDowngrade) {
            throw new MigrationException(
                FailureReason.DowngradeNotAllowed,
                "migrate would refuse: the target "
                    + wanted
                    + " is below the current version "
                    + from);
          }
          for (HistoryRow row : session.appliedAbove(wanted)) {
            undo.add(
                migrations
                    .undo(row.version())
                    .orElseThrow(
                        () ->
                            new MigrationException(
                                FailureReason.UndoScriptMissing,
                                row.version().toString(),
                                "migrate would refuse: no undo script for version " + row.version(),
                                null)));
          }
          return;
        }
      }
      case Fresh -> {}
    }
    for (MigrationScript script : migrations.versioned()) {
      if (script.version().isAbove(from) && !script.version().isAbove(wanted)) {
        pending.add(script);
      }
    }
    run.pending = pending.stream().map(script -> script.version().toString()).toList();
  }

  private Inspection inspect(DatabaseSession session, Run run, FlywayFactory flyway) {
    Inspection found = session.inspect();
    run.state = found.state();
    progress.progress(
        "database state: " + found.state() + " (" + found.describe(connection.schema()) + ")");
    if (flyway != null && found.state() == DatabaseState.Versioned) {
      MigrationInfoService info = flyway.get().info();
      run.versionBefore = versionOf(info.current());
      run.versionAfter = run.versionBefore;
      run.pending = versions(info.pending());
      if (run.command.equals("info")) {
        for (MigrationInfo applied : info.applied()) {
          if (applied.isVersioned() && applied.getVersion() != null) {
            run.applied.add(
                new AppliedMigration(
                    applied.getVersion().getVersion(),
                    applied.getDescription(),
                    applied.getExecutionTime() == null ? 0 : applied.getExecutionTime()));
          }
        }
      }
      progress.progress(
          "current version: " + (run.versionBefore == null ? "none" : run.versionBefore));
    } else if (flyway != null) {
      run.pending = migrations.versioned().stream().map(s -> s.version().toString()).toList();
    }
    return found;
  }

  private void finish(Run run, FlywayFactory flyway) {
    MigrationInfoService info = flyway.get().info();
    run.versionAfter = versionOf(info.current());
    run.pending = versions(info.pending());
    if (run.outcome == null) {
      if (!run.undone.isEmpty()) {
        run.outcome = Outcome.Downgraded;
      } else if (!run.applied.isEmpty()) {
        run.outcome = Outcome.Migrated;
      } else if (run.baselineVersion != null) {
        run.outcome = Outcome.Baselined;
      } else {
        run.outcome = Outcome.UpToDate;
      }
    }
  }

  private void validateHistory(FlywayFactory flyway) {
    ValidateResult result = flyway.forValidation().validateWithResult();
    if (result.validationSuccessful) {
      return;
    }
    List<ValidateOutput> invalid = result.invalidMigrations;
    if (invalid == null || invalid.isEmpty()) {
      String message =
          result.errorDetails == null
              ? result.getAllErrorMessages()
              : result.errorDetails.errorMessage;
      throw new MigrationException(FailureReason.ValidationFailed, "validation failed: " + message);
    }
    ValidateOutput first = invalid.get(0);
    String others = invalid.size() > 1 ? " (and " + (invalid.size() - 1) + " more)" : "";
    throw new MigrationException(
        FailureReason.ValidationFailed,
        first.version,
        "applied migration "
            + (first.version == null
                ? first.description
                : first.version + " (" + first.description + ")")
            + " does not match the migration set: "
            + first.errorDetails.errorMessage
            + others,
        null);
  }

  private Version resolveTarget(String wanted) {
    if (LATEST.equals(wanted)) {
      return migrations.latest();
    }
    Version version = Version.parse(wanted);
    requireInSet(version, "target version");
    return version;
  }

  private void requireInSet(Version version, String what) {
    if (!migrations.contains(version)) {
      throw new MigrationException(
          FailureReason.UnknownTargetVersion,
          version.toString(),
          "the "
              + what
              + " "
              + version
              + " is not in the migration set (versions "
              + String.join(
                  ", ", migrations.versioned().stream().map(s -> s.version().toString()).toList())
              + ")",
          null);
    }
  }

  /** One command's run: opens the session, runs the body, turns any failure into the result. */
  private MigrationResult run(String command, String targetText, boolean exclusive, Body body) {
    Run run = new Run(command, targetText);
    Path location = null;
    try {
      location = Files.createTempDirectory("schema-migrations-");
      migrations.writeVersionedTo(location);
      try (DatabaseSession session =
          DatabaseSession.open(connection, configuration.connectTimeout, timeouts, progress)) {
        if (exclusive) {
          session.lock(configuration.lockWaitTimeout, progress);
        }
        body.run(session, run, new FlywayFactory(run, location));
      }
    } catch (MigrationException e) {
      run.failure = e;
    } catch (FlywayException e) {
      run.failure = classify(e, run);
    } catch (IOException | UncheckedIOException e) {
      run.failure =
          new MigrationException(
              FailureReason.InternalError, null, "cannot stage the migration set: " + e, e);
    } catch (RuntimeException e) {
      run.failure = new MigrationException(FailureReason.InternalError, null, String.valueOf(e), e);
    } finally {
      deleteRecursively(location);
    }
    return run.toResult(redactor);
  }

  private MigrationException classify(FlywayException e, Run run) {
    if (e instanceof FlywayValidateException) {
      return new MigrationException(FailureReason.ValidationFailed, null, firstLines(e), e);
    }
    SQLException sql = SqlFailures.findSqlException(e);
    if (run.failingVersion != null) {
      String file =
          migrations
              .versioned(Version.parse(run.failingVersion))
              .map(MigrationScript::fileName)
              .orElse("V" + run.failingVersion);
      if (sql != null) {
        return SqlFailures.scriptFailure(
            sql, FailureReason.MigrationFailed, Version.parse(run.failingVersion), file);
      }
      return new MigrationException(
          FailureReason.MigrationFailed, run.failingVersion, file + " failed: " + firstLines(e), e);
    }
    if (sql != null && SqlFailures.isTransient(sql.getSQLState())) {
      return new MigrationException(
          FailureReason.MigrationInterrupted,
          null,
          "lost the database: " + SqlFailures.describe(sql),
          e);
    }
    return new MigrationException(FailureReason.MigrationFailed, null, firstLines(e), e);
  }

  private static String firstLines(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return message
        .lines()
        .map(String::trim)
        .filter(line -> !line.isEmpty())
        .limit(4)
        .reduce((a, b) -> a + " " + b)
        .orElse(message);
  }

  private static String versionOf(MigrationInfo info) {
    return info == null || info.getVersion() == null ? null : info.getVersion().getVersion();
  }

  private static List<String> versions(MigrationInfo[] infos) {
    return Arrays.stream(infos)
        .filter(info -> info.getVersion() != null)
        .map(info -> info.getVersion().getVersion())
        .toList();
  }

  private static long millisSince(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1_000_000;
  }

  private static void deleteRecursively(Path directory) {
    if (directory == null) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      // A leftover temporary copy of the migration set holds no secret and changes no result.
    }
  }

  @FunctionalInterface
  private interface Body {
    void run(DatabaseSession session, Run run, FlywayFactory flyway);
  }

  /** Builds Flyway for this run, configured once and reused. */
  private final class FlywayFactory {
    private final Run run;
    private final Path location;
    private Flyway flyway;

    FlywayFactory(Run run, Path location) {
      this.run = run;
      this.location = location;
    }

    Flyway get() {
      if (flyway == null) {
        flyway = base().load();
      }
      return flyway;
    }

    Flyway baselineAt(Version version) {
      return base().baselineVersion(version.toString()).baselineDescription("baseline").load();
    }

    Flyway forValidation() {
      return base().ignoreMigrationPatterns("*:future", "*:pending").load();
    }

    private FluentConfiguration base() {
      FluentConfiguration flywayConfiguration = Flyway.configure(Migrator.class.getClassLoader());
      // Session-level advisory locks: a transactional one would keep a transaction open while a
      // CREATE INDEX CONCURRENTLY waits for every open transaction to end, and hang it.
      flywayConfiguration
          .getConfigurationExtension(PostgreSQLConfigurationExtension.class)
          .setTransactionalLock(false);
      flywayConfiguration
          .dataSource(
              DatabaseSession.dataSource(connection, configuration.connectTimeout, timeouts))
          .schemas(connection.schema())
          .defaultSchema(connection.schema())
          .createSchemas(true)
          .table(DatabaseSession.HISTORY_TABLE)
          .target(LATEST.equals(target) || !Version.isValid(target) ? LATEST : target)
          .cleanDisabled(true)
          .validateMigrationNaming(true)
          .failOnMissingLocations(true)
          .lockRetryCount((int) Math.max(1, configuration.lockWaitTimeout.toSeconds()))
          .loggers("slf4j")
          .callbacks(new ProgressCallback(run));
      return flywayConfiguration.locations("filesystem:" + location);
    }
  }

  /** Reports each migration as Flyway applies it and remembers the one that failed. */
  private final class ProgressCallback implements Callback {
    private final Run run;
    private long started;

    ProgressCallback(Run run) {
      this.run = run;
    }

    @Override
    public boolean supports(Event event, Context context) {
      return event == Event.BEFORE_EACH_MIGRATE
          || event == Event.AFTER_EACH_MIGRATE
          || event == Event.AFTER_EACH_MIGRATE_ERROR;
    }

    @Override
    public boolean canHandleInTransaction(Event event, Context context) {
      return true;
    }

    @Override
    public void handle(Event event, Context context) {
      MigrationInfo info = context.getMigrationInfo();
      String version = versionOf(info);
      if (event == Event.BEFORE_EACH_MIGRATE) {
        started = System.nanoTime();
        run.failingVersion = null;
      } else if (event == Event.AFTER_EACH_MIGRATE) {
        AppliedMigration applied =
            new AppliedMigration(version, info.getDescription(), millisSince(started));
        run.applied.add(applied);
        progress.progress(
            "applied version "
                + applied.version()
                + " "
                + applied.description()
                + " ("
                + applied.durationMs()
                + " ms)");
      } else {
        run.failingVersion = version;
      }
    }

    @Override
    public String getCallbackName() {
      return "schema-operator-progress";
    }
  }

  /** What a run has found and done so far. */
  private static final class Run {
    final String command;
    final String target;
    final long started = System.nanoTime();
    final List<AppliedMigration> applied = new ArrayList<>();
    final List<AppliedMigration> undone = new ArrayList<>();
    List<String> pending = List.of();
    DatabaseState state;
    String versionBefore;
    String versionAfter;
    String baselineVersion;
    String failingVersion;
    Outcome outcome;
    MigrationException failure;

    Run(String command, String target) {
      this.command = command;
      this.target = target;
    }

    /** What is known of the version after a failure: null when an undo had begun. */
    private String versionAfterFailure() {
      if (!applied.isEmpty()) {
        return applied.get(applied.size() - 1).version();
      }
      return undone.isEmpty() ? versionBefore : null;
    }

    MigrationResult toResult(Redactor redactor) {
      Failure failed =
          failure == null
              ? null
              : new Failure(
                  failure.reason(), failure.version(), redactor.clean(failure.getMessage()));
      return new MigrationResult(
          MigrationResult.API_VERSION,
          command,
          failure == null ? outcome : Outcome.Failed,
          state,
          versionBefore,
          failure == null ? versionAfter : versionAfterFailure(),
          target,
          baselineVersion,
          applied,
          applied.size(),
          undone,
          pending,
          pending.size(),
          failed,
          millisSince(started),
          false);
    }
  }
}
