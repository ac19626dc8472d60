package io.jobgtm.schema.migrator;

import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.contract.Version;
import io.jobgtm.schema.migrator.model.SchemaDiff;
import io.jobgtm.schema.migrator.model.SchemaModel;
import io.jobgtm.schema.migrator.model.SchemaReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What {@code migrate} would meet, found by doing it in the shadow database: the prediction a
 * {@code plan} with a shadow adds to the SQL.
 *
 * <p>How ({@link Predictor}): in a schema of its own in the shadow ({@link ShadowReplay}), the set
 * is migrated with the engine to the version {@code migrate} starts from (the database's current
 * version, or the version an unversioned schema would be stamped with; nothing for a fresh one),
 * without the pending repeatable migrations (new, or changed since the database applied them: it
 * holds their former form, or none); the model of that schema is compared with the migrated
 * schema's, and where they differ the shadow is made like the migrated schema ({@link
 * DriftReproduction}). The differences are drift but for the objects the pending repeatable
 * migrations make ({@link RepeatableObjects}, found by a second replay, with them, when anything
 * differs). Then the engine applies the pending migrations there, the repeatable ones after the
 * versioned ones up to the target, and the first that fails is the predicted failure: its file, the
 * line its failing statement starts on, the SQLSTATE and the server's message (never the
 * statement's text). Against the migrated database only read-only catalog queries run (its identity
 * and its model), on the plan's own session; the replay's schema is dropped at the end whatever
 * happened.
 *
 * @param from the version the shadow was migrated to before the pending migrations, null for a
 *     fresh schema
 * @param drift how the migrated schema differs from {@code from}'s model, the objects of the
 *     pending repeatable migrations left out, at most {@value BaselineMatch#MAX_LINES} lines (the
 *     last counting the rest); empty when it does not
 * @param driftSummary the counts of those differences, such as {@code 1 extra}; null when none
 * @param notReproduced the differences the shadow could not be made to hold, in the same form: the
 *     prediction does not cover them
 * @param succeeded the pending scripts that succeeded in the shadow, by file name, in order
 * @param failure the predicted failure, {@code V3__add_index.sql line 2: 42P07 relation "x" already
 *     exists}, or null when every pending script succeeded
 * @param notReached the pending scripts after the failing one, by file name, in order
 */
public record PlanPrediction(
    String from,
    List<String> drift,
    String driftSummary,
    List<String> notReproduced,
    List<String> succeeded,
    String failure,
    List<String> notReached) {

  public PlanPrediction {
    drift = List.copyOf(drift);
    notReproduced = List.copyOf(notReproduced);
    succeeded = List.copyOf(succeeded);
    notReached = List.copyOf(notReached);
  }

  /** Whether {@code migrate} is predicted to succeed. */
  public boolean succeeds() {
    return failure == null;
  }

  /** The prediction as lines for people, in the order things would happen. */
  public List<String> lines() {
    List<String> lines = new ArrayList<>();
    lines.add(
        "prediction: the shadow at "
            + (from == null ? "an empty schema" : "version " + from)
            + (drift.isEmpty() ? ", like the database" : ""));
    if (!drift.isEmpty()) {
      lines.add(
          "predicted trouble: the database's schema differs from version "
              + (from == null ? "none" : from)
              + " of the migration set ("
              + driftSummary
              + "), drift the pending migrations may trip on; the shadow was made like it:");
      drift.forEach(line -> lines.add("  drift: " + line));
    }
    notReproduced.forEach(
        line -> lines.add("  not reproduced in the shadow, not part of the prediction: " + line));
    succeeded.forEach(script -> lines.add("predicted: " + script + " succeeds"));
    if (failure != null) {
      lines.add("predicted failure: " + failure);
    }
    notReached.forEach(script -> lines.add("predicted not reached: " + script));
    lines.add(failure == null ? "prediction: migrate succeeds" : "prediction: migrate fails");
    return lines;
  }

  /** Makes a prediction; one instance per plan. */
  static final class Predictor {
    private final MigratorConfiguration configuration;
    private final ProgressListener progress;

    Predictor(MigratorConfiguration configuration, ProgressListener progress) {
      this.configuration = configuration;
      this.progress = progress;
    }

    /**
     * Predicts a {@code migrate} that starts at {@code from}, goes to {@code target} and applies
     * {@code pending}.
     *
     * @param session the plan's session to the migrated database, read only here
     * @throws MigrationException {@link FailureReason#ShadowReplayFailed} when the set cannot be
     *     replayed to {@code from} in the shadow, or the shadow's connection failures
     */
    PlanPrediction predict(
        DatabaseSession session, Version from, Version target, List<MigrationScript> pending) {
      String schema = configuration.connection.schema();
      DatabaseIdentity migrated;
      ServerVersion migratedVersion;
      SchemaModel live;
      try {
        migrated = DatabaseIdentity.of(session.connection());
        migratedVersion = ServerVersion.of(session.connection());
        live =
            // The whole schema, ignored tables too: a pending script may use them.
            SchemaReader.read(session.connection(), schema, configuration.historyTable, List.of());
      } catch (SQLException e) {
        throw SqlFailures.sessionFailure(e, "reading the catalog of schema " + schema);
      }
      List<Version> notApplied = DriftCheck.notApplied(session, configuration.migrations);
      List<MigrationScript> repeatables =
          pending.stream()
              .filter(script -> script.kind() == MigrationScript.Kind.REPEATABLE)
              .toList();
      // The database holds the pending repeatable migrations' former form, or none, until migrate
      // applies them after the versioned ones.
      ShadowReplay replay =
          new ShadowReplay(configuration, progress, "the plan")
              .leavingOut(notApplied)
              .withoutRepeatables(repeatables);
      Supplier<SchemaModel> withRepeatables =
          () -> modelWithRepeatables(migrated, migratedVersion, notApplied, from);
      return replay.inReplaySchema(
          migrated,
          migratedVersion,
          "cannot predict",
          (connection, replaySchema, roles) ->
              predict(
                  replay,
                  connection,
                  replaySchema,
                  roles,
                  live,
                  from,
                  target,
                  pending,
                  repeatables.isEmpty() ? null : withRepeatables));
    }

    /**
     * The model of a replay of the set to {@code from} with the pending repeatable migrations, in a
     * schema of its own: what {@link RepeatableObjects} compares the prediction's replay with. Null
     * when that replay fails or never stops at {@code from} (the progress says why): then their
     * objects are not told from drift, and the prediction's own run meets such a failure.
     */
    private SchemaModel modelWithRepeatables(
        DatabaseIdentity migrated,
        ServerVersion migratedVersion,
        List<Version> notApplied,
        Version from) {
      try {
        List<BaselineMatch.Replayed> replayed =
            new ShadowReplay(configuration, progress, "the pending repeatable migrations")
                .leavingOut(notApplied)
                .replay(migrated, migratedVersion, List.of(from));
        if (!replayed.isEmpty()) {
          return replayed.get(0).model();
        }
        progress.progress(
            "the pending repeatable migrations' objects are not told from drift: the replay with"
                + " them never stops at version "
                + from);
      } catch (MigrationException e) {
        if (e.reason() != FailureReason.ShadowReplayFailed) {
          throw e;
        }
        progress.progress(
            "the pending repeatable migrations' objects are not told from drift: "
                + e.getMessage());
      }
      return null;
    }

    private PlanPrediction predict(
        ShadowReplay replay,
        Connection connection,
        String replaySchema,
        List<String> roles,
        SchemaModel live,
        Version from,
        Version target,
        List<MigrationScript> pending,
        Supplier<SchemaModel> withRepeatables)
        throws SQLException {
      ShadowReplay.Present presentBefore = replay.objectsInMigratedSchema(connection);
      if (from != null) {
        MigrationResult replayed =
            replay.migrateAsApplied(connection, replaySchema, from, roles).result();
        if (replayed.failure() != null) {
          throw new MigrationException(
              FailureReason.ShadowReplayFailed,
              replayed.failure().version(),
              replay.clean(
                  "cannot predict: the migration set cannot be replayed to version "
                      + from
                      + " in the "
                      + replay.describe()
                      + ": "
                      + replayed.failure().describe()),
              null);
        }
        progress.progress("shadow replay: at version " + from);
      }
      SchemaModel replayed = replay.readModel(connection, replaySchema, List.of());
      SchemaDiff raw = SchemaDiff.between(replayed, live);
      Set<String> theirs = Set.of();
      if (!raw.isEmpty() && from != null && withRepeatables != null) {
        SchemaModel with = withRepeatables.get();
        if (with != null) {
          // Read as the replay with them was: without the ignored tables.
          theirs =
              RepeatableObjects.between(
                  with, replay.readModel(connection, replaySchema, configuration.ignoreTables));
        }
      }
      SchemaDiff drift = raw;
      if (!theirs.isEmpty()) {
        progress.progress(
            "left out of the drift, as migrate applies the repeatable migrations that make them"
                + " (the shadow still holds the database's form of them): "
                + RepeatableObjects.describe(theirs));
        drift =
            SchemaDiff.between(
                RepeatableObjects.leftOut(replayed, theirs),
                RepeatableObjects.leftOut(live, theirs));
      }
      SchemaDiff left = raw;
      if (!raw.isEmpty()) {
        progress.progress(
            "schema "
                + configuration.connection.schema()
                + " differs from version "
                + (from == null ? "none" : from)
                + " of the migration set ("
                + raw.summary()
                + "); making the shadow like it");
        left =
            DriftReproduction.reproduce(
                connection, replaySchema, replay.searchedAfter(), configuration.historyTable, live);
      }
      List<String> files = pending.stream().map(MigrationScript::fileName).toList();
      String failure = null;
      List<String> succeeded = files;
      List<String> notReached = List.of();
      // Nothing to run when nothing is pending and no callback fires: the drift is the answer.
      Migrator.Attempt attempt =
          pending.isEmpty() && configuration.migrations.callbacks().isEmpty()
              ? null
              : replay.migrate(connection, replaySchema, target, roles);
      replay.refuseStrays(
          connection, presentBefore, null, "cannot predict: the pending migrations");
      if (attempt != null && attempt.result().failure() != null) {
        failure = describe(attempt, replaySchema);
        String failed = attempt.scriptError() == null ? null : attempt.scriptError().script();
        int at = failed == null ? -1 : files.indexOf(failed);
        if (at >= 0) {
          succeeded = files.subList(0, at);
          notReached = files.subList(at + 1, files.size());
        } else {
          // A callback or a script outside the plan's list failed: the pending scripts applied
          // are the ones the shadow's history records.
          List<String> applied = attempt.result().applied().stream().map(m -> m.version()).toList();
          succeeded =
              pending.stream()
                  .filter(s -> s.version() != null && applied.contains(s.version().toString()))
                  .map(MigrationScript::fileName)
                  .toList();
          List<String> done = succeeded;
          notReached = files.stream().filter(file -> !done.contains(file)).toList();
        }
      }
      return new PlanPrediction(
          from == null ? null : from.toString(),
          drift.isEmpty() ? List.of() : drift.lines(BaselineMatch.MAX_LINES),
          drift.isEmpty() ? null : drift.summary(),
          left.isEmpty() ? List.of() : left.lines(BaselineMatch.MAX_LINES),
          succeeded,
          failure,
          notReached);
    }

    /**
     * {@code V3__add_index.sql line 2: 42P07 relation "x" already exists}; the replay's schema
     * named as the migrated one, as the real run would name it.
     */
    private String describe(Migrator.Attempt attempt, String replaySchema) {
      Migrator.ScriptError error = attempt.scriptError();
      String text;
      if (error == null) {
        text = attempt.result().failure().message();
      } else {
        text =
            error.script()
                + (error.line() > 0 ? " line " + error.line() : "")
                + ": "
                + (error.sqlState() == null ? "" : error.sqlState() + " ")
                + error.message();
      }
      return text.replace(replaySchema, configuration.connection.schema());
    }
  }
}
