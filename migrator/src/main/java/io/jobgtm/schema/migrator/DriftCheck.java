package io.jobgtm.schema.migrator;

import io.jobgtm.schema.contract.Drift;
import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.SchemaVerification;
import io.jobgtm.schema.contract.Version;
import io.jobgtm.schema.migrator.model.SchemaDiff;
import io.jobgtm.schema.migrator.model.SchemaModel;
import io.jobgtm.schema.migrator.model.SchemaReader;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;

/**
 * Drift: the live schema compared with a replay of the migration set at the schema's version in the
 * shadow database ({@link ShadowReplay}, the engine that verifies baselines), the ignored tables
 * ({@link MigratorConfiguration#ignoreTables}) left out of both sides. Against the migrated
 * database it runs read-only catalog queries only, on the run's own session.
 *
 * <ul>
 *   <li>{@link #check}: the finding as a {@link SchemaVerification}: {@code None}, {@code Drifted}
 *       with the differences as {@link SchemaDiff} lines, or {@code Unknown} with the reason when
 *       no comparison could be made (the shadow unreachable or of another major version, the replay
 *       failing, a version the replay never stops at). For the check after {@code migrate} and for
 *       {@code verify}.
 *   <li>{@link #requireNoDrift}: {@code ON_DRIFT=Block} before {@code migrate} writes anything.
 * </ul>
 */
final class DriftCheck {

  private final MigratorConfiguration configuration;
  private final ProgressListener progress;

  DriftCheck(MigratorConfiguration configuration, ProgressListener progress) {
    this.configuration = configuration;
    this.progress = progress;
  }

  /**
   * Compares the schema with the replay at {@code version}.
   *
   * <p>A repeatable migration that is new or changed since its latest application ({@code
   * changedRepeatables}) is not drift: the database holds its former form (or none) until the next
   * {@code migrate}. The objects it makes, those that differ between the replay with it and a
   * replay without it ({@link RepeatableObjects}), are left out of the comparison, and the progress
   * names them.
   *
   * @param version the schema's current version; null when it has none ({@code Unknown})
   * @param changedRepeatables the repeatable migrations the next migrate would apply
   * @throws MigrationException when the live schema cannot be read (the session's failure), and
   *     {@link ShadowReplay.VersionMismatch} when {@code required}; any other problem of the shadow
   *     is an {@code Unknown} finding
   */
  SchemaVerification check(
      DatabaseSession session,
      Version version,
      boolean required,
      List<MigrationScript> changedRepeatables) {
    String schema = configuration.connection.schema();
    SchemaModel live;
    DatabaseIdentity migrated;
    ServerVersion serverVersion;
    try {
      live =
          SchemaReader.read(
              session.connection(), schema, configuration.historyTable, configuration.ignoreTables);
      migrated = DatabaseIdentity.of(session.connection());
      serverVersion = ServerVersion.of(session.connection());
    } catch (SQLException e) {
      throw SqlFailures.sessionFailure(e, "reading the catalog of schema " + schema);
    }
    String fingerprint = live.fingerprint();
    if (version == null) {
      return SchemaVerification.unknown(
          null, fingerprint, "schema " + schema + " has no version to compare the replay at");
    }
    List<BaselineMatch.Replayed> replayed;
    try {
      replayed =
          new ShadowReplay(configuration, progress, "the schema")
              .leavingOut(notApplied(session))
              .replay(migrated, serverVersion, List.of(version));
    } catch (ShadowReplay.VersionMismatch e) {
      if (required) {
        throw e;
      }
      return unknown(version, fingerprint, e.getMessage());
    } catch (MigrationException e) {
      return unknown(version, fingerprint, e.getMessage());
    }
    if (replayed.isEmpty()) {
      return unknown(
          version,
          fingerprint,
          "the replay of the set never stops at version "
              + version
              + " (a baseline migration stands for it and the versions below it come first)");
    }
    SchemaModel expected = replayed.get(0).model();
    SchemaModel compared = live;
    if (!changedRepeatables.isEmpty()) {
      Set<String> pending;
      try {
        List<BaselineMatch.Replayed> withoutThem =
            new ShadowReplay(configuration, progress, "the schema")
                .leavingOut(notApplied(session))
                .withoutRepeatables(changedRepeatables)
                .replay(migrated, serverVersion, List.of(version));
        pending =
            RepeatableObjects.between(
                expected,
                withoutThem.isEmpty() ? SchemaModel.of(List.of()) : withoutThem.get(0).model());
      } catch (MigrationException e) {
        return unknown(version, fingerprint, e.getMessage());
      }
      if (!pending.isEmpty()) {
        progress.progress(
            "left out of the comparison, as the next migrate applies the repeatable migrations"
                + " that make them: "
                + RepeatableObjects.describe(pending));
      }
      expected = RepeatableObjects.leftOut(expected, pending);
      compared = RepeatableObjects.leftOut(live, pending);
    }
    SchemaDiff diff = SchemaDiff.between(expected, compared);
    if (diff.isEmpty()) {
      progress.progress(
          "schema " + schema + " matches version " + version + " of the set: " + fingerprint);
      return SchemaVerification.matches(version.toString(), fingerprint);
    }
    progress.progress(
        "schema "
            + schema
            + " has drifted from version "
            + version
            + " of the set ("
            + diff.summary()
            + "): "
            + fingerprint);
    return SchemaVerification.drifted(
        version.toString(), fingerprint, expected.fingerprint(), diff.lines());
  }

  /**
   * The versions below the schema's current one that its history does not record as applied (out of
   * order, never applied), which the replay leaves out: the schema was never given them.
   */
  static List<Version> notApplied(DatabaseSession session, MigrationSet migrations) {
    return session.history().outOfOrder(migrations).stream().map(MigrationScript::version).toList();
  }

  private List<Version> notApplied(DatabaseSession session) {
    return notApplied(session, configuration.migrations);
  }

  /**
   * The check after a successful {@code migrate} or {@code baseline}, at the version reached
   * ({@code versionAfter}, null for none). It never fails the run: any problem, reading the live
   * schema included, is an {@code Unknown} finding.
   */
  SchemaVerification after(DatabaseSession session, String versionAfter) {
    try {
      return check(
          session, versionAfter == null ? null : Version.parse(versionAfter), false, List.of());
    } catch (RuntimeException e) {
      MigrationException failure =
          e instanceof MigrationException known ? known : MigrationException.unexpected(e);
      return SchemaVerification.unknown(versionAfter, null, bounded(failure.getMessage()));
    }
  }

  /**
   * Asks the session itself whether it is read-only, and says so: {@code verify} writes nothing,
   * and a session that could write is refused before anything is read.
   *
   * @throws MigrationException {@link FailureReason#InternalError} when it is not
   */
  static void requireReadOnly(DatabaseSession session, ProgressListener progress) {
    try (Statement statement = session.connection().createStatement();
        ResultSet row = statement.executeQuery("SHOW default_transaction_read_only")) {
      row.next();
      String readOnly = row.getString(1);
      if (!"on".equals(readOnly)) {
        throw new MigrationException(
            FailureReason.InternalError,
            "the verify session is not read-only (default_transaction_read_only=" + readOnly + ")");
      }
      progress.progress("read-only session: default_transaction_read_only=on");
    } catch (SQLException e) {
      throw SqlFailures.sessionFailure(e, "reading default_transaction_read_only");
    }
  }

  /**
   * {@code ON_DRIFT=Block}: passes a finding of {@link #check} (made with {@code required}) when
   * the schema matches the replay, or has drifted to exactly the accepted fingerprint.
   *
   * @throws MigrationException {@link FailureReason#SchemaDrifted} when it has drifted otherwise or
   *     could not be compared
   */
  void requireNoDrift(SchemaVerification found) {
    String schema = configuration.connection.schema();
    String version = found.version();
    if (found.drift() == Drift.None) {
      return;
    }
    if (found.drift() == Drift.Drifted
        && found.fingerprint().equals(configuration.acceptedFingerprint)) {
      progress.progress(
          "schema "
              + schema
              + " has drifted to the accepted fingerprint "
              + found.fingerprint()
              + ": migrating");
      return;
    }
    if (found.drift() == Drift.Unknown) {
      throw new MigrationException(
          FailureReason.SchemaDrifted,
          version,
          "schema "
              + schema
              + " cannot be compared with version "
              + version
              + " of the set, and ON_DRIFT is Block: nothing was written; "
              + found.reason(),
          null);
    }
    throw new MigrationException(
        FailureReason.SchemaDrifted,
        version,
        "schema "
            + schema
            + " has drifted from version "
            + version
            + " of the set (fingerprint "
            + found.fingerprint()
            + "), and ON_DRIFT is Block: nothing was written; fix the drift, or accept it with"
            + " this fingerprint (ACCEPTED_FINGERPRINT, --accepted-fingerprint). "
            + found.differenceCount()
            + " difference"
            + (found.differenceCount() == 1 ? "" : "s")
            + ": "
            + String.join("; ", found.differences()),
        null);
  }

  private static SchemaVerification unknown(Version version, String fingerprint, String reason) {
    return SchemaVerification.unknown(versionText(version), fingerprint, bounded(reason));
  }

  /** At most this many bytes of a reason as the result document writes it (UTF-8, JSON-escaped). */
  static final int MAX_REASON_BYTES = 1024;

  /**
   * The reason cut to {@link #MAX_REASON_BYTES} as the result document writes it, with {@code …} at
   * the cut. The result document cuts difference lines to fit its 4096 bytes but keeps a reason
   * whole, and a reason can hold a server's message of any length (a script that raises an
   * exception with a long text in the shadow only).
   */
  static String bounded(String reason) {
    if (reason == null) {
      return null;
    }
    if (reason.codePoints().map(DriftCheck::jsonBytes).sum() <= MAX_REASON_BYTES) {
      return reason;
    }
    int bytes = 0;
    int at = 0;
    while (true) {
      int codePoint = reason.codePointAt(at);
      bytes += jsonBytes(codePoint);
      if (bytes > MAX_REASON_BYTES - "…".getBytes(StandardCharsets.UTF_8).length) {
        return reason.substring(0, at) + "…";
      }
      at += Character.charCount(codePoint);
    }
  }

  private static int jsonBytes(int codePoint) {
    if (codePoint < 0x20) {
      return 6;
    }
    if (codePoint == '"' || codePoint == '\\') {
      return 2;
    }
    return new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8).length;
  }

  private static String versionText(Version version) {
    return version == null ? null : version.toString();
  }
}
