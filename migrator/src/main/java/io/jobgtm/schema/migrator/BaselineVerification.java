package io.jobgtm.schema.migrator;

import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.SchemaVerification;
import io.jobgtm.schema.contract.Version;
import io.jobgtm.schema.migrator.model.SchemaModel;
import io.jobgtm.schema.migrator.model.SchemaOutline;
import io.jobgtm.schema.migrator.model.SchemaReader;
import java.sql.SQLException;
import java.util.List;

/**
 * Checks an unversioned schema against a replay of the migration set in the shadow database before
 * it is stamped, and with {@code --baseline-version auto} finds the version to stamp ({@link
 * BaselineMatch}). Against the migrated database it runs nothing but read-only catalog queries (its
 * identity, its schema model) on the run's own session; everything else happens in the shadow
 * ({@link ShadowReplay}).
 */
final class BaselineVerification {

  private final MigratorConfiguration configuration;
  private final ProgressListener progress;

  BaselineVerification(MigratorConfiguration configuration, ProgressListener progress) {
    this.configuration = configuration;
    this.progress = progress;
  }

  /**
   * The version to stamp: {@code requested} when the schema matches it, or, when {@code requested}
   * is null, the one found; as the finding that the schema matches the replay at that version
   * ({@link SchemaVerification#matches}, with the schema's fingerprint), which stands as the run's
   * drift check when nothing is applied after the stamp.
   *
   * @param target the version migrate goes to; a version found above it is refused
   * @param previousTool what {@link PreviousTool} found, named in a mismatch's message; may be null
   * @throws MigrationException {@link FailureReason#SchemaMismatch}, {@link
   *     FailureReason#ShadowReplayFailed}, or the shadow's connection failures
   */
  SchemaVerification verify(
      DatabaseSession session, Version requested, Version target, String previousTool) {
    String schema = configuration.connection.schema();
    DatabaseIdentity migrated;
    ServerVersion serverVersion;
    SchemaModel live;
    try {
      migrated = DatabaseIdentity.of(session.connection());
      serverVersion = ServerVersion.of(session.connection());
      live =
          SchemaReader.read(
              session.connection(), schema, configuration.historyTable, configuration.ignoreTables);
    } catch (SQLException e) {
      throw SqlFailures.sessionFailure(e, "reading the catalog of schema " + schema);
    }
    progress.progress("schema " + schema + ": " + live.size() + " objects, " + live.fingerprint());
    // First only the versions whose outline (tables and columns) is the schema's: a match is among
    // them. Without one, every version's model, to name the closest.
    List<BaselineMatch.Replayed> candidates =
        new ShadowReplay(configuration, progress, "the baseline")
            .onlyWhereOutlineIs(SchemaOutline.of(live))
            .replay(migrated, serverVersion);
    if (matches(live, candidates, requested, target)) {
      return SchemaVerification.matches(
          decide(live, candidates, requested, target, previousTool).toString(), live.fingerprint());
    }
    progress.progress(
        "shadow replay: no version has the schema's outline and model; replaying again to name the"
            + " closest version");
    List<BaselineMatch.Replayed> replayed =
        new ShadowReplay(configuration, progress, "the baseline").replay(migrated, serverVersion);
    return SchemaVerification.matches(
        decide(live, replayed, requested, target, previousTool).toString(), live.fingerprint());
  }

  /**
   * Whether {@code replayed} holds the version to stamp: {@code requested}, or one at or below the
   * target.
   */
  private static boolean matches(
      SchemaModel live, List<BaselineMatch.Replayed> replayed, Version requested, Version target) {
    return replayed.stream()
        .anyMatch(
            step ->
                step.model().equals(live)
                    && (requested == null
                        ? !step.version().isAbove(target)
                        : step.version().equals(requested)));
  }

  private Version decide(
      SchemaModel live,
      List<BaselineMatch.Replayed> replayed,
      Version requested,
      Version target,
      String previousTool) {
    String schema = configuration.connection.schema();
    for (BaselineMatch.Replayed step : replayed) {
      progress.progress(
          "shadow replay: version "
              + step.version()
              + ": "
              + step.model().size()
              + " objects, "
              + step.model().fingerprint());
    }
    try {
      if (requested == null) {
        Version found = BaselineMatch.find(live, replayed, target, schema);
        progress.progress("schema " + schema + " matches version " + found);
        List<String> alike =
            replayed.stream()
                .filter(step -> step.model().equals(live) && !step.version().isAbove(found))
                .map(step -> step.version().toString())
                .toList();
        if (alike.size() > 1) {
          // A migration that changes no object (one that only writes rows) leaves no trace in the
          // schema model: stamping the highest takes it as run, which the user must know.
          progress.progress(
              "versions "
                  + String.join(", ", alike)
                  + " have one schema model: stamping "
                  + found
                  + " takes the migrations above "
                  + alike.get(0)
                  + " up to it as run, although nothing shows they were (data they write is not"
                  + " in the model); give --baseline-version "
                  + alike.get(0)
                  + " to run them");
        }
        return found;
      }
      BaselineMatch.check(live, replayed, requested, schema);
      progress.progress("schema " + schema + " matches version " + requested);
      return requested;
    } catch (MigrationException e) {
      if (previousTool == null) {
        throw e;
      }
      // First in the message, which a result document may cut at its end.
      String named = "schema " + schema + " ";
      String message =
          e.getMessage().startsWith(named)
              ? named
                  + "(previous tool: "
                  + previousTool
                  + ") "
                  + e.getMessage().substring(named.length())
              : e.getMessage() + "; previous tool: " + previousTool;
      throw new MigrationException(e.reason(), e.version(), message, null);
    }
  }
}
