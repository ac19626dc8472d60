package io.jobgtm.schema.migrator;

import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.contract.Version;
import io.jobgtm.schema.migrator.model.SchemaReader;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replays a migration set in a {@link ShadowDatabase}, version by version, and takes the schema
 * model after each: what a schema migrated by the set looks like at every version.
 *
 * <p>How: the engine itself migrates a schema of the replay's own in the shadow ({@code
 * schema_operator_replay_} and 8 random hexadecimal digits, created first, dropped with {@code
 * CASCADE} at the end whatever happened), once per version of the set, lowest first, with that
 * version as the target: Flyway's own semantics, the set's placeholders, naming, history table and
 * SQL callbacks included. A version is recorded when the shadow's history reaches it; one that a
 * baseline migration stands for while lower versions came first is not reached and has no model.
 *
 * <p>Before anything is created, the shadow's {@link DatabaseIdentity} is compared with the
 * migrated database's: a shadow that is the migrated database is refused ({@link
 * FailureReason#InvalidConfiguration}). Then their major versions ({@link ServerVersion}): a shadow
 * of another major version than the migrated database's is refused with {@link VersionMismatch}
 * ({@link FailureReason#ShadowReplayFailed}), as its catalog would describe the same DDL otherwise;
 * the caller decides whether that refuses the run or only leaves the verification unknown
 * (docs/migrator.md, "The shadow's version"). Nothing else in the shadow is touched, but what a
 * script itself does outside the replay's schema (a table it qualifies with another schema). A
 * script that qualifies names with the migrated schema's own name ({@code public.parcels}) creates
 * them outside the replay's schema, where its model does not see them: a version that leaves a
 * table, view, sequence, routine or type in the shadow's schema of that name is {@link
 * FailureReason#ShadowReplayFailed} naming them (not a mismatch the replay caused).
 *
 * <p>Failures: a script that fails because a role it names does not exist in the shadow ({@code
 * GRANT … TO}, {@code OWNER TO}) has the role created ({@code NOLOGIN}, dropped again at the end)
 * and its version replayed again; any other failure is {@link FailureReason#ShadowReplayFailed}
 * naming the version and the file. A shadow that cannot be reached is refused with the connection
 * reasons of the other commands, the message naming the shadow.
 */
final class ShadowReplay {

  // Extension members are left out, as the schema model leaves them out: CREATE EXTENSION …
  // SCHEMA public in a script is no stray.
  private static final String OBJECTS_IN_SCHEMA =
      "SELECT 'pg_class ' || c.oid, pg_catalog.quote_ident(c.relname)"
          + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
          + " WHERE n.nspname = ? AND c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S')"
          + " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.objid = c.oid"
          + " AND d.classid = 'pg_catalog.pg_class'::regclass AND d.deptype = 'e')"
          + " UNION ALL SELECT 'pg_proc ' || p.oid, pg_catalog.quote_ident(p.proname) || '('"
          + " || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')'"
          + " FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
          + " WHERE n.nspname = ?"
          + " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.objid = p.oid"
          + " AND d.classid = 'pg_catalog.pg_proc'::regclass AND d.deptype = 'e')"
          + " UNION ALL SELECT 'pg_type ' || t.oid, pg_catalog.quote_ident(t.typname)"
          + " FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
          + " WHERE n.nspname = ? AND t.typtype IN ('e', 'd', 'r')"
          + " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.objid = t.oid"
          + " AND d.classid = 'pg_catalog.pg_type'::regclass AND d.deptype = 'e')";

  private static final Pattern MISSING_ROLE = Pattern.compile("role \"([^\"]+)\" does not exist");

  /** Roles created for one replay at most; a set naming more is not replayed. */
  private static final int MAX_ROLES = 50;

  private static final Timeouts TIMEOUTS =
      new Timeouts(Duration.ofSeconds(10), Duration.ofMinutes(10));

  private final MigratorConfiguration production;
  private final ShadowDatabase shadow;
  private final ProgressListener progress;
  private final Redactor redactor;
  private final String purpose;

  /**
   * @param purpose what the replay verifies, for messages: {@code the baseline}, {@code the schema}
   */
  ShadowReplay(MigratorConfiguration production, ProgressListener progress, String purpose) {
    this.production = production;
    this.shadow = production.shadow;
    this.redactor = new Redactor(shadow.password());
    this.progress = line -> progress.progress(redactor.clean(line));
    this.purpose = purpose;
  }

  /**
   * A shadow of another major version than the migrated database's: {@link
   * FailureReason#ShadowReplayFailed} naming both and how to choose the shadow's.
   */
  static final class VersionMismatch extends MigrationException {
    VersionMismatch(String message) {
      super(FailureReason.ShadowReplayFailed, message);
    }
  }

  /**
   * Replays the whole set after checking that the shadow is not the migrated database and runs its
   * major version.
   *
   * @param migrated the identity of the migrated database
   * @param migratedVersion the migrated database's server version
   * @return the models, lowest version first
   */
  List<BaselineMatch.Replayed> replay(DatabaseIdentity migrated, ServerVersion migratedVersion) {
    return replay(migrated, migratedVersion, production.migrations.versions());
  }

  /**
   * Replays the set up to each of {@code stops} in turn, lowest first, and takes the model at each
   * one the shadow's history reaches: the whole set's versions for a baseline, the schema's current
   * version alone for a drift check.
   */
  List<BaselineMatch.Replayed> replay(
      DatabaseIdentity migrated, ServerVersion migratedVersion, List<Version> stops) {
    Connection connection = shadow.connect(production.connectTimeout, TIMEOUTS, progress);
    try (connection) {
      if (DatabaseIdentity.of(connection).sameDatabaseAs(migrated)) {
        throw new MigrationException(
            FailureReason.InvalidConfiguration,
            "the "
                + shadow.source()
                + " reaches the migrated database itself"
                + " (same server, same database): the shadow must be an empty database that is"
                + " not production; nothing was created in it");
      }
      ServerVersion shadowVersion = ServerVersion.of(connection);
      if (shadowVersion.major() != migratedVersion.major()) {
        throw new VersionMismatch(
            "cannot verify "
                + purpose
                + ": the shadow runs PostgreSQL "
                + shadowVersion.major()
                + ", the database "
                + migratedVersion.major()
                + "; set spec.shadow.image to a PostgreSQL "
                + migratedVersion.major()
                + " image (without the operator: a PostgreSQL "
                + migratedVersion.major()
                + " server at the "
                + shadow.source()
                + "); nothing was created in the shadow");
      }
      String schema = "schema_operator_replay_" + HexFormat.of().formatHex(randomBytes());
      execute(connection, "CREATE SCHEMA " + quote(schema));
      List<String> roles = new ArrayList<>();
      try {
        progress.progress(
            "shadow replay: "
                + production.migrations.versions().size()
                + " version(s) in schema "
                + schema
                + " of the "
                + shadow.describe());
        return replay(connection, schema, roles, stops);
      } finally {
        cleanUp(connection, schema, roles);
      }
    } catch (SQLException e) {
      MigrationException failure = SqlFailures.sessionFailure(e, "the shadow replay");
      throw new MigrationException(
          failure.reason() == FailureReason.InternalError
              ? FailureReason.ShadowReplayFailed
              : failure.reason(),
          null,
          redactor.clean("cannot verify " + purpose + ": " + failure.getMessage()),
          null);
    }
  }

  private List<BaselineMatch.Replayed> replay(
      Connection connection, String schema, List<String> roles, List<Version> stops)
      throws SQLException {
    List<BaselineMatch.Replayed> models = new ArrayList<>();
    String migratedSchema = production.connection.schema();
    Map<String, String> presentBefore = objectsIn(connection, migratedSchema);
    for (Version version : stops) {
      MigrationResult result = migrate(schema, version);
      while (result.failure() != null) {
        String role = missingRole(result).orElse(null);
        if (role == null || roles.contains(role) || roles.size() >= MAX_ROLES) {
          throw new MigrationException(
              FailureReason.ShadowReplayFailed,
              result.failure().version(),
              redactor.clean(
                  "cannot verify "
                      + purpose
                      + ": the migration set cannot be replayed in the "
                      + shadow.describe()
                      + ", version "
                      + version
                      + ": "
                      + result.failure().describe()),
              null);
        }
        execute(connection, "CREATE ROLE " + quote(role) + " NOLOGIN");
        roles.add(role);
        progress.progress(
            "shadow replay: created role "
                + role
                + " (NOLOGIN), which version "
                + version
                + " names");
        result = migrate(schema, version);
      }
      List<String> strays = new ArrayList<>();
      objectsIn(connection, migratedSchema)
          .forEach(
              (key, name) -> {
                if (!presentBefore.containsKey(key)) {
                  strays.add(name);
                }
              });
      if (!strays.isEmpty()) {
        throw new MigrationException(
            FailureReason.ShadowReplayFailed,
            version.toString(),
            redactor.clean(
                "cannot verify "
                    + purpose
                    + ": version "
                    + version
                    + " created "
                    + String.join(", ", strays.stream().sorted().limit(10).toList())
                    + (strays.size() > 10 ? " and " + (strays.size() - 10) + " more" : "")
                    + " in schema "
                    + migratedSchema
                    + " of the "
                    + shadow.describe()
                    + ", not in the replay's schema: a script that qualifies names with the"
                    + " migrated schema's name cannot be replayed; leave them unqualified or"
                    + " write ${flyway:defaultSchema}. Those objects stay in the shadow: drop"
                    + " them there"),
            null);
      }
      if (version.toString().equals(result.versionAfter())) {
        models.add(
            new BaselineMatch.Replayed(
                version,
                SchemaReader.read(
                    connection, schema, production.historyTable, production.ignoreTables)));
      }
    }
    return models;
  }

  private MigrationResult migrate(String schema, Version version) {
    MigratorConfiguration replay =
        Migrator.configure()
            .connection(shadow.settings(schema))
            .migrations(production.migrations)
            .historyTable(production.historyTable)
            .connectTimeout(production.connectTimeout)
            .lockTimeout(production.lockTimeout)
            .statementTimeout(production.statementTimeout)
            .target(version.toString());
    replay.placeholders = production.placeholders;
    return replay.load().migrate();
  }

  /**
   * The tables, views, sequences, routines and types in {@code schema} of the shadow, keyed by
   * catalog and OID, each with its name; none when the shadow has no such schema.
   */
  private static Map<String, String> objectsIn(Connection connection, String schema)
      throws SQLException {
    Map<String, String> objects = new HashMap<>();
    try (PreparedStatement statement = connection.prepareStatement(OBJECTS_IN_SCHEMA)) {
      for (int parameter = 1; parameter <= 3; parameter++) {
        statement.setString(parameter, schema);
      }
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          objects.put(rows.getString(1), rows.getString(2));
        }
      }
    }
    return objects;
  }

  private static java.util.Optional<String> missingRole(MigrationResult result) {
    if (result.failure().reason() != FailureReason.MigrationFailed) {
      return java.util.Optional.empty();
    }
    Matcher matcher = MISSING_ROLE.matcher(result.failure().message());
    return matcher.find() ? java.util.Optional.of(matcher.group(1)) : java.util.Optional.empty();
  }

  /** Drops the replay's schema, then the roles it created; says so when it cannot. */
  private void cleanUp(Connection connection, String schema, List<String> roles) {
    try {
      execute(connection, "DROP SCHEMA IF EXISTS " + quote(schema) + " CASCADE");
    } catch (SQLException e) {
      progress.progress(
          "shadow replay: could not drop schema "
              + schema
              + " of the "
              + shadow.describe()
              + ": "
              + SqlFailures.firstLine(e));
    }
    for (String role : roles) {
      try {
        execute(connection, "DROP ROLE IF EXISTS " + quote(role));
      } catch (SQLException e) {
        progress.progress(
            "shadow replay: could not drop role "
                + role
                + " it created in the "
                + shadow.describe()
                + ": "
                + SqlFailures.firstLine(e));
      }
    }
  }

  private static void execute(Connection connection, String sql) throws SQLException {
    if (!connection.getAutoCommit()) {
      connection.setAutoCommit(true);
    }
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  static String quote(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  private static byte[] randomBytes() {
    byte[] bytes = new byte[4];
    new SecureRandom().nextBytes(bytes);
    return bytes;
  }
}
