package io.jobgtm.schema.migrator;

import io.jobgtm.schema.contract.AppliedMigration;
import io.jobgtm.schema.contract.DatabaseState;
import io.jobgtm.schema.contract.Failure;
import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.contract.Outcome;
import io.jobgtm.schema.contract.SchemaVerification;
import io.jobgtm.schema.contract.Version;
import io.jobgtm.schema.migrator.DatabaseSession.HistoryRow;
import io.jobgtm.schema.migrator.DatabaseSession.Inspection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.exception.FlywayValidateException;
import org.flywaydb.core.api.executor.MigrationExecutor;
import org.flywaydb.core.api.migration.baseline.BaselineMigrationConfigurationExtension;
import org.flywaydb.core.api.output.RepairResult;
import org.flywaydb.core.api.output.ValidateOutput;
import org.flywaydb.core.api.output.ValidateResult;
import org.flywaydb.core.internal.info.MigrationInfoImpl;
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
  private final SessionDefaults sessionDefaults;

  /** The statement of a script that made the last command fail, or null ({@link #attempt()}). */
  private ScriptError scriptError;

  Migrator(MigratorConfiguration configuration) {
    this.configuration = configuration;
    this.connection = configuration.connection;
    this.migrations = configuration.migrations;
    this.target = configuration.target;
    this.baselinePolicy = configuration.baselinePolicy;
    this.allowDowngrade = configuration.allowDowngrade;
    this.timeouts = new Timeouts(configuration.lockTimeout, configuration.statementTimeout);
    this.redactor = new Redactor(connection.password());
    this.sessionDefaults = new SessionDefaults(connection.schema(), timeouts);
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

  /**
   * Compares the schema with a replay of the migration set at its current version in the shadow
   * database ({@link DriftCheck}), on a read-only session ({@code default_transaction_read_only=on}
   * at connect): outcome {@link Outcome#Verified} whatever the finding, which is the result's
   * {@link MigrationResult#verification()}. Needs a shadow database.
   */
  public MigrationResult verify() {
    return run(
        "verify",
        target,
        false,
        (session, run, flyway) -> {
          if (configuration.shadow == null) {
            throw new MigrationException(
                FailureReason.InvalidConfiguration,
                "verify needs a shadow database (--shadow-socket-dir or SHADOW_SOCKET_DIR; or"
                    + " --shadow-url or SHADOW_URL) to replay the migration set in");
          }
          DriftCheck.requireReadOnly(session, progress);
          Inspection found = inspect(session, run, flyway);
          Version current = found.state() == DatabaseState.Versioned ? run.history.current() : null;
          run.verification =
              new DriftCheck(configuration, progress)
                  .check(session, current, false, flyway.pendingRepeatables());
          run.outcome = Outcome.Verified;
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
            validateHistory(flyway, run.history);
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
          RepairResult repaired = flyway.withCallbacks().repair();
          for (String action : repaired.repairActions) {
            progress.progress("repair: " + action);
          }
          run.outcome = Outcome.Repaired;
          finish(session, run, flyway);
        });
  }

  /** What {@link #migrate()} would do now; changes nothing. */
  public MigrationPlan plan() {
    List<MigrationScript> pending = new ArrayList<>();
    List<MigrationScript> undo = new ArrayList<>();
    List<String> outsideTransaction = new ArrayList<>();
    List<MigrationScript> callbacks = new ArrayList<>();
    Map<String, String> sql = new HashMap<>();
    PlanPrediction[] prediction = {null};
    MigrationResult result =
        run(
            "plan",
            target,
            false,
            (session, run, flyway) -> {
              Decision decision = plan(session, run, flyway, pending, undo);
              decision.apply().stream()
                  .filter(parsed -> !parsed.runsInTransaction())
                  .forEach(parsed -> outsideTransaction.add(parsed.script().fileName()));
              if (decision.undo().isEmpty()) {
                callbacks.addAll(migrations.callbacks());
              }
              for (List<MigrationScript> scripts : List.of(pending, undo, callbacks)) {
                scripts.forEach(script -> sql.put(script.fileName(), flyway.render(script)));
              }
              if (configuration.shadow != null && decision.undo().isEmpty()) {
                Version from =
                    decision.baseline() != null ? decision.baseline() : run.history.current();
                prediction[0] =
                    new PlanPrediction.Predictor(configuration, progress)
                        .predict(session, from, resolveTarget(target), pending);
              }
            });
    return new MigrationPlan(
        result,
        result.baselineVersion(),
        pending,
        undo,
        outsideTransaction,
        callbacks,
        sql,
        result.succeeded() ? prediction[0] : null);
  }

  /**
   * {@link #migrate()}, and when a script failed, where and how: what a predicting plan reports of
   * a run in the shadow ({@link PlanPrediction}).
   */
  Attempt attempt() {
    scriptError = null;
    MigrationResult result = migrate();
    return new Attempt(result, result.succeeded() ? null : scriptError);
  }

  /** The result of {@link #attempt()} and the failed statement, null when none failed. */
  record Attempt(MigrationResult result, ScriptError scriptError) {}

  /**
   * A statement of a script that failed.
   *
   * @param script the file name
   * @param line the line of the script the statement starts on, 0 when Flyway did not say
   * @param sqlState the SQLSTATE, or null
   * @param message the server's message alone, without the statement's text
   */
  record ScriptError(String script, int line, String sqlState, String message) {}

  private void migrate(DatabaseSession session, Run run, FlywayFactory flyway) {
    Decision decision = decide(session, run, flyway);
    if (!decision.undo().isEmpty()) {
      undo(session, run, decision.undo());
    } else {
      if (decision.baseline() != null) {
        stamp(session, run.found, flyway, decision.baseline());
        run.baselineVersion = decision.baseline().toString();
        progress.progress(
            "baselined at version "
                + decision.baseline()
                + " (schema unchanged"
                + (run.previousTool == null ? "" : "; previous tool: " + run.previousTool)
                + ")");
      }
      // Flyway fires beforeMigrate, afterMigrate and the rest on every migrate, even with nothing
      // to apply.
      if (!decision.apply().isEmpty() || !migrations.callbacks().isEmpty()) {
        flyway.withCallbacks().migrate();
      }
    }
    finish(session, run, flyway);
  }

  /**
   * What {@code migrate} does now, decided once for {@code migrate} and {@code plan} so that a dry
   * run cannot disagree with the run: refuses what {@code migrate} would refuse, else returns the
   * baseline to stamp, the scripts to apply (parsed as Flyway will run them, refused when one would
   * end its own transaction) or the undo scripts to run. The repeatable migrations to apply are the
   * ones Flyway finds new or changed; an undo never runs them.
   */
  private Decision decide(DatabaseSession session, Run run, FlywayFactory flyway) {
    Inspection found = inspect(session, run, flyway);
    Version wanted = resolveTarget(target);
    ScriptParser parser = flyway.parser();
    parser.parseCallbacks(migrations.callbacks());
    return switch (found.state()) {
      case Fresh ->
          new Decision(
              null,
              parser.parseForRun(
                  withRepeatables(flyway.pendingVersioned(), flyway), flyway::inTransaction),
              List.of());
      case Unversioned -> {
        if (!baselinePolicy.allowsBaseline()) {
          throw new MigrationException(
              FailureReason.UnversionedSchema,
              found.describe(connection.schema())
                  + ": set the baseline policy to Baseline with the version those objects match,"
                  + " or point the migrator at an empty schema");
        }
        Version version = baselinePolicy.version();
        if (version != null) {
          requireInSet(version, "baseline version");
        }
        run.previousTool = previousTool(session);
        if (configuration.shadow != null && configuration.verifyBaseline) {
          run.verifiedBaseline =
              new BaselineVerification(configuration, progress)
                  .verify(session, version, wanted, run.previousTool);
          version = Version.parse(run.verifiedBaseline.version());
        }
        if (version.isAbove(wanted)) {
          throw new MigrationException(
              FailureReason.InvalidConfiguration,
              "the baseline version " + version + " is above the target " + wanted);
        }
        yield new Decision(
            version,
            parser.parseForRun(
                withRepeatables(upTo(version, wanted), flyway), flyway::inTransaction),
            List.of());
      }
      case Versioned -> {
        validateHistory(flyway, run.history);
        Version current = run.history.current();
        if (configuration.onDrift == DriftAction.Block) {
          // The finding goes into the result, a refusal's too.
          DriftCheck drift = new DriftCheck(configuration, progress);
          run.verification = drift.check(session, current, true, flyway.pendingRepeatables());
          drift.requireNoDrift(run.verification);
        }
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
          yield new Decision(null, List.of(), undoScripts(session, wanted, flyway, parser));
        }
        yield new Decision(
            null,
            parser.parseForRun(
                withRepeatables(flyway.pendingVersioned(), flyway), flyway::inTransaction),
            List.of());
      }
    };
  }

  /** The migration tool that shaped the schema before, when its table is there; else null. */
  private String previousTool(DatabaseSession session) {
    try {
      String found = PreviousTool.describe(session.connection(), connection.schema()).orElse(null);
      if (found != null) {
        progress.progress("previous tool: " + found);
      }
      return found;
    } catch (SQLException e) {
      throw SqlFailures.sessionFailure(e, "reading the catalog of schema " + connection.schema());
    }
  }

  /** The versioned scripts followed by the repeatable ones Flyway would apply now. */
  private static List<MigrationScript> withRepeatables(
      List<MigrationScript> versioned, FlywayFactory flyway) {
    List<MigrationScript> scripts = new ArrayList<>(versioned);
    scripts.addAll(flyway.pendingRepeatables());
    return scripts;
  }

  /**
   * The versioned scripts above the version an unversioned schema is stamped with ({@code from},
   * exclusive) up to {@code to}: what Flyway applies after that stamp (Flyway cannot be asked
   * before the stamp exists).
   */
  private List<MigrationScript> upTo(Version from, Version to) {
    return migrations.versioned().stream()
        .filter(script -> script.version().isAbove(from))
        .filter(script -> !script.version().isAbove(to))
        .toList();
  }

  /**
   * The undo scripts that take the database down to {@code wanted}, highest version first, each
   * checked to run in one transaction; refuses, changing nothing, when one is missing.
   */
  private List<Undo> undoScripts(
      DatabaseSession session, Version wanted, FlywayFactory flyway, ScriptParser parser) {
    List<HistoryRow> rows = session.appliedAbove(wanted);
    for (HistoryRow row : rows) {
      if (row.type().equals("SQL_BASELINE")) {
        throw new MigrationException(
            FailureReason.UndoScriptMissing,
            row.version().toString(),
            "version "
                + row.version()
                + " was applied by a baseline migration ("
                + row.script()
                + "), which stands for every version up to it and has no undo script: undo to "
                + row.version()
                + " or above; nothing was undone",
            null);
      }
    }
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
    List<MigrationScript> scripts =
        rows.stream().map(row -> migrations.undo(row.version()).orElseThrow()).toList();
    for (MigrationScript script : scripts) {
      if (Boolean.FALSE.equals(script.settings().executeInTransaction())) {
        throw new MigrationException(
            FailureReason.InvalidMigrationSet,
            script.versionText(),
            script.fileName()
                + " is set to run outside a transaction (executeInTransaction=false), but an undo"
                + " script runs in one transaction with the removal of its history entry, so that"
                + " a failure leaves both as they were: remove the setting; nothing was undone",
            null);
      }
    }
    parser.parseForRun(scripts, script -> true);
    List<Undo> undo = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      undo.add(new Undo(rows.get(i), scripts.get(i), flyway.render(scripts.get(i))));
    }
    return undo;
  }

  private static void stamp(
      DatabaseSession session, Inspection found, FlywayFactory flyway, Version version) {
    if (found.historyTableExists()) {
      session.dropHistoryRecordingNoMigration();
    }
    flyway.baselineAt(version).baseline();
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
    run.outcome = Outcome.Baselined;
    progress.progress("baselined at version " + parsed + " (schema unchanged)");
    finish(session, run, flyway);
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
      // A version added below the current one (out of order) is no reason to refuse an undo: an
      // undo is how to get below it.
      validateHistory(flyway.forUndoValidation(), run.history);
      undo(session, run, undoScripts(session, wanted, flyway, flyway.parser()));
    }
    finish(session, run, flyway);
  }

  private void undo(DatabaseSession session, Run run, List<Undo> undo) {
    for (Undo step : undo) {
      HistoryRow row = step.row();
      long started = System.nanoTime();
      session.undo(row, step.script(), step.sql(), sessionDefaults);
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

  private Decision plan(
      DatabaseSession session,
      Run run,
      FlywayFactory flyway,
      List<MigrationScript> pending,
      List<MigrationScript> undo) {
    Decision decision = decide(session, run, flyway);
    run.outcome = Outcome.Planned;
    if (decision.baseline() != null) {
      run.baselineVersion = decision.baseline().toString();
    }
    decision.apply().forEach(parsed -> pending.add(parsed.script()));
    decision.undo().forEach(step -> undo.add(step.script()));
    run.pending = versions(pending);
    run.pendingRepeatables = descriptions(pending);
    return decision;
  }

  private Inspection inspect(DatabaseSession session, Run run, FlywayFactory flyway) {
    Inspection found = session.inspect();
    run.found = found;
    if (!run.command.equals("info") && !run.command.equals("validate")) {
      // Only indexes a failed run leaves INVALID are its own to report.
      run.invalidIndexesBefore = session.invalidIndexes();
    }
    run.state = found.state();
    run.history = session.history();
    progress.progress(
        "database state: " + found.state() + " (" + found.describe(connection.schema()) + ")");
    if (found.state() == DatabaseState.Versioned) {
      run.versionBefore = versionText(run.history.current());
      progress.progress(
          "current version: " + (run.versionBefore == null ? "none" : run.versionBefore));
    }
    report(run, run.history, flyway);
    return found;
  }

  /**
   * Sets what a result reports of the database's versions from its history, the one source, and of
   * its repeatable migrations as Flyway finds them (their checksums decide).
   */
  private void report(Run run, History history, FlywayFactory flyway) {
    run.versionAfter = versionText(history.current());
    run.pending = versions(history.pending(migrations, pendingLimit(), configuration.outOfOrder));
    run.failed = history.failed().stream().map(Version::toString).toList();
    // Allowed, they are pending: the next migrate applies them.
    run.outOfOrder =
        configuration.outOfOrder ? List.of() : versions(history.outOfOrder(migrations));
    if (run.command.equals("info")) {
      run.applied.clear();
      for (History.Row row : history.appliedRows()) {
        run.applied.add(
            new AppliedMigration(
                row.version().toString(), row.description(), row.executionTimeMs()));
      }
    }
    if (migrations.repeatable().isEmpty()) {
      return;
    }
    run.pendingRepeatables = descriptions(flyway.pendingRepeatables());
    List<AppliedMigration> current = flyway.appliedRepeatables();
    run.currentRepeatables = current.stream().map(AppliedMigration::description).toList();
    if (run.command.equals("info")) {
      run.appliedRepeatables.clear();
      run.appliedRepeatables.addAll(current);
    } else {
      // A repeatable migration still pending after a failure was not applied, whatever ran.
      run.appliedRepeatables.removeIf(
          applied -> run.pendingRepeatables.contains(applied.description()));
    }
  }

  /** The highest version pending counts up to: the target when it is one of the set. */
  private Version pendingLimit() {
    if (Version.isValid(target) && migrations.contains(Version.parse(target))) {
      return Version.parse(target);
    }
    return null;
  }

  private void finish(DatabaseSession session, Run run, FlywayFactory flyway) {
    report(run, session.history(), flyway);
    if (run.outcome == null) {
      if (!run.undone.isEmpty()) {
        run.outcome = Outcome.Downgraded;
      } else if (!run.applied.isEmpty() || !run.appliedRepeatables.isEmpty()) {
        run.outcome = Outcome.Migrated;
      } else if (run.baselineVersion != null) {
        run.outcome = Outcome.Baselined;
      } else {
        run.outcome = Outcome.UpToDate;
      }
    }
  }

  /**
   * After a failure: reads what the history really says, so that the result reports only versions
   * that were applied and are still recorded as applied; removes a history that this run created
   * and that records no migration (a first run that failed, or a baseline whose migrations failed
   * in the same run), so the database is as it was found; and says whether the failed migration was
   * rolled back, and what it left behind when it was not.
   */
  private void settle(DatabaseSession session, Run run, FlywayFactory flyway) {
    if (run.found == null) {
      return;
    }
    try {
      String note = "";
      // Only a history this run created (or recreated to stamp a baseline) is removed again.
      if (run.found.state() != DatabaseState.Versioned
          && !run.command.equals("baseline")
          && (!run.found.historyTableExists() || run.baselineVersion != null)
          && session.dropHistoryRecordingNoMigration()) {
        note =
            run.baselineVersion == null
                ? "; the migration history this run created was removed again"
                : "; the baseline at version "
                    + run.baselineVersion
                    + " was removed again, the schema is "
                    + run.found.state()
                    + " as before";
        run.baselineVersion = null;
      }
      History history = session.history();
      Set<String> stillApplied =
          history.applied().stream().map(Version::toString).collect(Collectors.toSet());
      run.applied.removeIf(applied -> !stillApplied.contains(applied.version()));
      report(run, history, flyway);
      FailureReason reason = run.failure.reason();
      if ((reason == FailureReason.MigrationFailed || reason == FailureReason.MigrationInterrupted)
          && run.failure.version() != null) {
        Version failed = Version.parse(run.failure.version());
        note += rollbackNote(session, history, failed, run.invalidIndexesBefore);
        if (history.failed().contains(failed)) {
          // What a failure outside a transaction left needs a person (repair), whatever its cause:
          // retrying alone would only meet the failed entry.
          reason = FailureReason.MigrationFailed;
        }
      } else if (reason == FailureReason.MigrationFailed
          && run.failingScript != null
          && run.failingCallback == null) {
        note += repeatableRollbackNote(history, run.failingScript);
      }
      if (!note.isEmpty() || reason != run.failure.reason()) {
        run.failure =
            new MigrationException(
                reason, run.failure.version(), run.failure.getMessage() + note, run.failure);
      }
    } catch (RuntimeException e) {
      progress.progress(
          "could not re-read the migration history after the failure: " + e.getMessage());
    }
  }

  private String rollbackNote(
      DatabaseSession session, History history, Version failed, List<String> invalidBefore) {
    if (!history.failed().contains(failed)) {
      return "; it ran in a transaction and was rolled back";
    }
    List<String> invalid = new ArrayList<>(session.invalidIndexes());
    if (invalidBefore != null) {
      invalid.removeAll(invalidBefore);
    }
    return "; it ran outside a transaction and was NOT rolled back"
        + (invalid.isEmpty() ? "" : ", leaving invalid index " + String.join(", ", invalid))
        + ". Version "
        + failed
        + " is recorded as failed: remove what it left behind, fix the script, run repair"
        + " (it removes the failed entry), then migrate again";
  }

  /** What became of a repeatable migration that failed: rolled back, or recorded as failed. */
  private String repeatableRollbackNote(History history, String failingScript) {
    MigrationScript script =
        migrations.repeatable().stream()
            .filter(repeatable -> repeatable.fileName().equals(failingScript))
            .findFirst()
            .orElse(null);
    if (script == null) {
      return "";
    }
    if (!history.failedRepeatables().contains(script.description())) {
      return "; it ran in a transaction and was rolled back";
    }
    return "; it ran outside a transaction and was NOT rolled back. Repeatable migration "
        + script.description()
        + " is recorded as failed: remove what it left behind, fix the script, run repair"
        + " (it removes the failed entry), then migrate again";
  }

  private void validateHistory(FlywayFactory flyway, History history) {
    validateHistory(flyway.forValidation(), history);
  }

  private void validateHistory(Flyway validator, History history) {
    ValidateResult result = validator.validateWithResult();
    if (result.validationSuccessful) {
      return;
    }
    List<ValidateOutput> invalid = result.invalidMigrations;
    if (invalid == null || invalid.isEmpty()) {
      throw new MigrationException(
          FailureReason.ValidationFailed,
          "the migration history does not match the migration set"
              + (result.errorDetails == null ? "" : " (" + result.errorDetails.errorCode + ")"));
    }
    ValidateOutput first = invalid.get(0);
    String others = invalid.size() > 1 ? " (and " + (invalid.size() - 1) + " more)" : "";
    throw new MigrationException(
        FailureReason.ValidationFailed,
        first.version == null || first.version.isEmpty() ? null : first.version,
        HistoryMismatch.describe(first, history.current()) + others,
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
              + String.join(", ", migrations.versions().stream().map(Version::toString).toList())
              + ")",
          null);
    }
  }

  /** One command's run: opens the session, runs the body, turns any failure into the result. */
  private MigrationResult run(String command, String targetText, boolean exclusive, Body body) {
    Run run =
        new Run(command, targetText, command.equals("verify") ? timeouts.asReadOnly() : timeouts);
    try {
      // Flyway would fail on a placeholder without a value only when it reaches its script.
      configuration.placeholders.check(migrations.scripts());
    } catch (MigrationException e) {
      run.failure = e;
      return run.toResult(redactor);
    }
    if (!migrations.ignored().isEmpty()) {
      progress.progress(
          "not part of the migration set, as Flyway ignores them (no "
              + String.join(" or ", migrations.naming().sqlMigrationSuffixes())
              + " suffix): "
              + String.join(", ", migrations.ignored()));
    }
    try (DatabaseSession session =
        DatabaseSession.open(
            connection,
            configuration.historyTable,
            configuration.connectTimeout,
            run.timeouts,
            progress)) {
      run.serverVersion = ServerVersion.of(session).text();
      if (exclusive) {
        session.lock(configuration.lockWaitTimeout, progress);
      }
      SchemaOwner.Claim claim = exclusive ? configuration.owner : null;
      if (claim != null) {
        // Before anything changes: a schema recorded as another's is refused as found.
        run.owner =
            SchemaOwner.check(session, claim, connection.schema())
                .map(SchemaOwner.Recorded::owner)
                .orElse(null);
      }
      FlywayFactory flyway = new FlywayFactory(run, session);
      try {
        body.run(session, run, flyway);
      } catch (Throwable e) {
        run.failure = classify(e, run);
        if (exclusive) {
          settle(session, run, flyway);
        }
      }
      verifyAfter(session, run);
      if (claim != null) {
        switch (SchemaOwner.record(session, claim)) {
          case YES -> run.owner = claim.owner();
          case NOT_PERMITTED ->
              progress.progress(
                  "the owner "
                      + claim.owner()
                      + " could not be recorded: the history table belongs to another role");
          case NO_HISTORY_TABLE -> {}
        }
      }
    } catch (Throwable e) {
      run.failure = classify(e, run);
      if (e instanceof SchemaOwner.Refused refused) {
        run.owner = refused.owner;
      }
    }
    return run.toResult(redactor);
  }

  /**
   * After a successful {@code migrate} or {@code baseline} with a shadow: the drift check at the
   * version reached ({@link DriftCheck#after}). A check made before in the run (the verified
   * baseline's, {@code ON_DRIFT=Block}'s) stands when it was made at that version, nothing was
   * applied since and the set has no SQL callback (one may change the schema on any run, an {@code
   * afterBaseline} or {@code beforeMigrate} script): the schema it read is the schema now.
   */
  private void verifyAfter(DatabaseSession session, Run run) {
    if (run.failure != null
        || configuration.shadow == null
        || !(run.command.equals("migrate") || run.command.equals("baseline"))) {
      return;
    }
    SchemaVerification before = run.verification != null ? run.verification : run.verifiedBaseline;
    if (before != null
        && java.util.Objects.equals(before.version(), run.versionAfter)
        && run.applied.isEmpty()
        && run.appliedRepeatables.isEmpty()
        && migrations.callbacks().isEmpty()) {
      run.verification = before;
      return;
    }
    run.verification = new DriftCheck(configuration, progress).after(session, run.versionAfter);
  }

  /**
   * Turns any failure into a typed one. Errors outside {@link RuntimeException} (a class missing
   * from the classpath, for instance) become {@link FailureReason#InternalError} results too, so
   * the Job always leaves a result document.
   */
  private MigrationException classify(Throwable e, Run run) {
    if (e instanceof MigrationException known) {
      return known;
    }
    if (!(e instanceof FlywayException flywayException)) {
      return MigrationException.unexpected(e);
    }
    if (e instanceof FlywayValidateException) {
      return new MigrationException(
          FailureReason.ValidationFailed, null, FlywayMessages.clean(firstLines(e)), e);
    }
    SQLException sql = SqlFailures.findSqlException(e);
    if (run.failingCallback != null) {
      String file = run.failingCallback;
      if (sql != null) {
        return SqlFailures.scriptFailure(
            sql,
            FailureReason.MigrationFailed,
            run.failingVersion == null ? null : Version.parse(run.failingVersion),
            file);
      }
      return new MigrationException(
          FailureReason.MigrationFailed,
          run.failingVersion,
          file + " failed: " + FlywayMessages.clean(firstLines(e)),
          e);
    }
    if (run.failingScript != null) {
      String file = run.failingScript;
      if (sql != null) {
        scriptError = SqlFailures.scriptError(e, sql, file);
        return SqlFailures.scriptFailure(
            sql,
            FailureReason.MigrationFailed,
            run.failingVersion == null ? null : Version.parse(run.failingVersion),
            file);
      }
      return new MigrationException(
          FailureReason.MigrationFailed,
          run.failingVersion,
          file + " failed: " + FlywayMessages.clean(firstLines(e)),
          e);
    }
    if (sql != null && SqlFailures.isTransient(sql.getSQLState())) {
      return new MigrationException(
          FailureReason.MigrationInterrupted,
          null,
          "lost the database: " + SqlFailures.describe(sql),
          e);
    }
    return new MigrationException(
        FailureReason.MigrationFailed, null, FlywayMessages.clean(firstLines(flywayException)), e);
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

  private static String versionText(Version version) {
    return version == null ? null : version.toString();
  }

  private static List<String> versions(List<MigrationScript> scripts) {
    return scripts.stream()
        .filter(script -> script.version() != null)
        .map(script -> script.version().toString())
        .toList();
  }

  private static List<String> descriptions(List<MigrationScript> scripts) {
    return scripts.stream()
        .filter(script -> script.kind() == MigrationScript.Kind.REPEATABLE)
        .map(MigrationScript::description)
        .toList();
  }

  private static long millisSince(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1_000_000;
  }

  @FunctionalInterface
  private interface Body {
    void run(DatabaseSession session, Run run, FlywayFactory flyway);
  }

  /**
   * What {@code migrate} will do: stamp a baseline first (or not), then apply the scripts, or run
   * the undo scripts instead.
   */
  private record Decision(Version baseline, List<ScriptParser.Parsed> apply, List<Undo> undo) {}

  /** One undo step: the history entry it removes and the script that reverts it. */
  private record Undo(HistoryRow row, MigrationScript script, String sql) {}

  /** Builds Flyway for this run, configured once and reused. */
  private final class FlywayFactory {
    private final Run run;
    private final DatabaseSession session;
    private Flyway flyway;
    private Map<String, MigrationExecutor> executors;
    private Map<String, String> builtIns;

    FlywayFactory(Run run, DatabaseSession session) {
      this.run = run;
      this.session = session;
    }

    /** The values of Flyway's built-in placeholders for this run, read once. */
    Map<String, String> builtIns() {
      if (builtIns == null) {
        List<String> userAndDatabase = session.userAndDatabase();
        builtIns =
            Placeholders.builtIns(
                connection.schema(),
                userAndDatabase.get(0),
                userAndDatabase.get(1),
                configuration.historyTable,
                base().getCurrentEnvironmentName());
      }
      return builtIns;
    }

    /** The text that runs for a script the migrator runs itself: placeholders replaced if on. */
    String render(MigrationScript script) {
      return parser().render(script);
    }

    Flyway get() {
      if (flyway == null) {
        flyway = base().load();
      }
      return flyway;
    }

    /**
     * Flyway for the commands that fire the set's SQL callbacks, as Flyway's own commands do:
     * migrate and repair.
     */
    Flyway withCallbacks() {
      return withCallbacks(base()).load();
    }

    Flyway baselineAt(Version version) {
      return withCallbacks(base())
          .baselineVersion(version.toString())
          .baselineDescription("baseline")
          .load();
    }

    private FluentConfiguration withCallbacks(FluentConfiguration flywayConfiguration) {
      List<Callback> callbacks = new ArrayList<>(progressCallbacks());
      for (ScriptParser.Parsed parsed : parser().parseCallbacks(migrations.callbacks())) {
        callbacks.add(
            new SqlCallback(parsed, sessionDefaults, progress, file -> run.failingCallback = file));
      }
      return flywayConfiguration.callbacks(callbacks.toArray(Callback[]::new));
    }

    private List<Callback> progressCallbacks() {
      List<Callback> callbacks =
          new ArrayList<>(
              List.of(new ProgressCallback(run, true), new ProgressCallback(run, false)));
      callbacks.addAll(configuration.engineCallbacks);
      return callbacks;
    }

    Flyway forValidation() {
      return base().ignoreMigrationPatterns("*:future", "*:pending").load();
    }

    Flyway forUndoValidation() {
      return base().ignoreMigrationPatterns("*:future", "*:pending", "*:ignored").load();
    }

    ScriptParser parser() {
      return new ScriptParser(base(), builtIns());
    }

    /**
     * Whether Flyway runs a versioned script in a transaction: Flyway's own decision, from the
     * migration as Flyway resolved it for this server.
     */
    boolean inTransaction(MigrationScript script) {
      if (executors == null) {
        executors = new HashMap<>();
        for (MigrationInfo info : get().info().all()) {
          if (info instanceof MigrationInfoImpl resolved
              && resolved.getResolvedMigration() != null) {
            executors.put(
                resolved.getResolvedMigration().getScript(),
                resolved.getResolvedMigration().getExecutor());
          }
        }
      }
      MigrationExecutor executor = executors.get(script.fileName());
      return executor == null || executor.canExecuteInTransaction();
    }

    /**
     * The versioned and baseline migrations Flyway applies on the next migrate, as Flyway resolves
     * the set against the history, in its order: on a schema without history the baseline migration
     * it picks and the versions above it; else the versions above the current one (and, with out of
     * order, the ones below it never applied); never above the target.
     */
    List<MigrationScript> pendingVersioned() {
      return Arrays.stream(get().info().pending())
          .filter(info -> info.getVersion() != null)
          .map(info -> migrations.byFileName(info.getScript()))
          .flatMap(Optional::stream)
          .toList();
    }

    /**
     * The repeatable migrations Flyway applies on the next migrate, in its order: those never
     * applied and those whose checksum differs from their latest application.
     */
    List<MigrationScript> pendingRepeatables() {
      if (migrations.repeatable().isEmpty()) {
        return List.of();
      }
      return Arrays.stream(get().info().pending())
          .filter(info -> info.getVersion() == null)
          .map(info -> migrations.byFileName(info.getScript()))
          .flatMap(Optional::stream)
          .toList();
    }

    /**
     * The repeatable migrations whose latest application matches their file (or whose file is gone
     * from the set), in installation order.
     */
    List<AppliedMigration> appliedRepeatables() {
      return Arrays.stream(get().info().applied())
          .filter(info -> info.getVersion() == null)
          .filter(
              info ->
                  info.getState() == MigrationState.SUCCESS
                      || info.getState() == MigrationState.MISSING_SUCCESS)
          .map(
              info ->
                  new AppliedMigration(
                      null,
                      info.getDescription(),
                      info.getExecutionTime() == null ? 0 : info.getExecutionTime()))
          .toList();
    }

    private FluentConfiguration base() {
      FluentConfiguration flywayConfiguration = Flyway.configure(Migrator.class.getClassLoader());
      // Session-level advisory locks: a transactional one would keep a transaction open while a
      // CREATE INDEX CONCURRENTLY waits for every open transaction to end, and hang it.
      flywayConfiguration
          .getConfigurationExtension(PostgreSQLConfigurationExtension.class)
          .setTransactionalLock(false);
      MigrationNaming naming = migrations.naming();
      flywayConfiguration
          .getConfigurationExtension(BaselineMigrationConfigurationExtension.class)
          .setBaselineMigrationPrefix(naming.baselineMigrationPrefix());
      return flywayConfiguration
          .sqlMigrationPrefix(naming.sqlMigrationPrefix())
          .repeatableSqlMigrationPrefix(naming.repeatableSqlMigrationPrefix())
          .sqlMigrationSeparator(naming.sqlMigrationSeparator())
          .sqlMigrationSuffixes(naming.sqlMigrationSuffixes().toArray(String[]::new))
          .dataSource(
              DatabaseSession.dataSource(connection, configuration.connectTimeout, run.timeouts))
          .schemas(connection.schema())
          .defaultSchema(connection.schema())
          .createSchemas(true)
          .table(configuration.historyTable)
          .outOfOrder(configuration.outOfOrder)
          .target(LATEST.equals(target) || !Version.isValid(target) ? LATEST : target)
          .cleanDisabled(true)
          .validateMigrationNaming(true)
          // Off unless turned on: ${...} in a string, a comment or a function body is text.
          .placeholderReplacement(configuration.placeholders.replacement())
          .placeholders(configuration.placeholders.values())
          .placeholderPrefix(configuration.placeholders.prefix())
          .placeholderSuffix(configuration.placeholders.suffix())
          .resourceProvider(
              new MigrationResources(
                  migrations,
                  LATEST.equals(target) || !Version.isValid(target) ? null : Version.parse(target)))
          .lockRetryCount((int) Math.max(1, configuration.lockWaitTimeout.toSeconds()))
          .loggers("slf4j")
          // The set's SQL callbacks reach Flyway as SqlCallback objects, never as resources.
          .skipDefaultCallbacks(true)
          .callbacks(progressCallbacks().toArray(Callback[]::new));
    }
  }

  /**
   * Reports each migration as Flyway applies it, remembers the one that failed, and starts every
   * migration, and the history entry after it, with the {@link SessionDefaults}. One instance runs
   * first around each migration (before it: defaults, then the guard), one last (after it: the
   * guard checked, then the defaults), so that the set's own {@code beforeEachMigrate} and {@code
   * afterEachMigrate} callbacks run between them, inside the guarded transaction.
   */
  private final class ProgressCallback implements Callback {
    private final Run run;
    private final boolean first;

    ProgressCallback(Run run, boolean first) {
      this.run = run;
      this.first = first;
    }

    @Override
    public boolean supports(Event event, Context context) {
      return first
          ? event == Event.BEFORE_EACH_MIGRATE || event == Event.AFTER_EACH_MIGRATE_ERROR
          : event == Event.AFTER_EACH_MIGRATE;
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
        run.failingVersion = version;
        run.failingScript = info.getScript();
        guard(context, true);
        run.migrationStarted = System.nanoTime();
      } else if (event == Event.AFTER_EACH_MIGRATE) {
        guard(context, false);
        run.failingVersion = null;
        run.failingScript = null;
        AppliedMigration applied =
            new AppliedMigration(version, info.getDescription(), millisSince(run.migrationStarted));
        if (version == null) {
          run.appliedRepeatables.add(applied);
        } else {
          run.applied.add(applied);
        }
        progress.progress(
            (version == null
                    ? "applied repeatable migration "
                    : info.getType().isBaseline()
                        ? "applied baseline migration " + version + " "
                        : "applied version " + version + " ")
                + applied.description()
                + " ("
                + applied.durationMs()
                + " ms)");
      } else {
        run.failingVersion = version;
        run.failingScript = info.getScript();
      }
    }

    /**
     * Before a script: the session defaults, then the transaction guard when the script runs in a
     * transaction. After it: the guard checked and removed, then the defaults again for the history
     * entry Flyway writes next.
     */
    private void guard(Context context, boolean before) {
      try {
        java.sql.Connection connection = context.getConnection();
        boolean inTransaction = !connection.getAutoCommit();
        if (before) {
          sessionDefaults.restore(connection);
          if (inTransaction) {
            TransactionGuard.arm(connection);
          }
        } else {
          if (inTransaction) {
            TransactionGuard.disarm(connection);
          }
          sessionDefaults.restore(connection);
        }
      } catch (SQLException e) {
        throw new FlywayException(SqlFailures.firstLine(e), e);
      }
    }

    @Override
    public String getCallbackName() {
      return first ? SqlCallback.FIRST : SqlCallback.LAST;
    }
  }

  /** What a run has found and done so far. */
  private static final class Run {
    final String command;
    final String target;
    final long started = System.nanoTime();
    final List<AppliedMigration> applied = new ArrayList<>();
    final List<AppliedMigration> undone = new ArrayList<>();
    final List<AppliedMigration> appliedRepeatables = new ArrayList<>();
    List<String> pending = List.of();
    List<String> pendingRepeatables = List.of();
    List<String> currentRepeatables = List.of();
    List<String> failed = List.of();
    List<String> outOfOrder = List.of();
    Inspection found;
    List<String> invalidIndexesBefore;
    History history = new History(List.of());
    DatabaseState state;
    String versionBefore;
    String versionAfter;
    String baselineVersion;
    String failingVersion;
    String failingScript;
    String failingCallback;
    long migrationStarted;
    Outcome outcome;
    MigrationException failure;
    String owner;
    String previousTool;
    final Timeouts timeouts;
    String serverVersion;
    SchemaVerification verification;

    /**
     * The verified baseline's finding (the schema matched the replay at the version stamped): the
     * run's drift check when nothing is applied after the stamp, never part of a failed run's
     * result.
     */
    SchemaVerification verifiedBaseline;

    Run(String command, String target, Timeouts timeouts) {
      this.command = command;
      this.target = target;
      this.timeouts = timeouts;
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
          versionAfter,
          target,
          baselineVersion,
          applied,
          applied.size(),
          undone,
          pending,
          pending.size(),
          this.failed,
          outOfOrder,
          owner,
          failed,
          millisSince(started),
          false,
          appliedRepeatables,
          pendingRepeatables,
          currentRepeatables,
          serverVersion,
          verification,
          previousTool);
    }
  }
}
