package io.jobgtm.schema.migrator;

import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.contract.Version;
import io.jobgtm.schema.migrator.model.SchemaModel;
import io.jobgtm.schema.migrator.model.SchemaOutline;
import io.jobgtm.schema.migrator.model.SchemaReader;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;

/**
 * Replays a migration set in a {@link ShadowDatabase}, version by version, and takes the schema
 * model after each: what a schema migrated by the set looks like at every version.
 *
 * <p>Where: in a database of the replay's own ({@code schema_operator_replay_} and 8 random
 * hexadecimal digits, created from {@code template0}, dropped at the end whatever happened), in the
 * schema named like the migrated one, so a script that qualifies names with that schema's name
 * replays as it ran; when the shadow is a database of the migrated server (no database is created
 * there) or its user may not create databases, in a schema of that name in the shadow's database
 * (dropped with {@code CASCADE}), where such a script leaves strays (below).
 *
 * <p>How: the engine itself migrates that schema, once per version of the set, lowest first, with
 * that version as the target: Flyway's own semantics, the set's placeholders, naming, history table
 * and SQL callbacks included. A version is recorded when the shadow's history reaches it; one that
 * a baseline migration stands for while lower versions came first is not reached and has no model.
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
      "SELECT 'pg_class ' || c.oid, pg_catalog.quote_ident(c.relname), c.xmin::text"
          + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
          + " WHERE n.nspname = ? AND c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S')"
          + " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.objid = c.oid"
          + " AND d.classid = 'pg_catalog.pg_class'::regclass AND d.deptype = 'e')"
          + " UNION ALL SELECT 'pg_proc ' || p.oid, pg_catalog.quote_ident(p.proname) || '('"
          + " || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')', p.xmin::text"
          + " FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
          + " WHERE n.nspname = ?"
          + " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.objid = p.oid"
          + " AND d.classid = 'pg_catalog.pg_proc'::regclass AND d.deptype = 'e')"
          + " UNION ALL SELECT 'pg_type ' || t.oid, pg_catalog.quote_ident(t.typname), t.xmin::text"
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
  private Set<Version> notApplied = Set.of();
  private List<MigrationScript> notHeld = List.of();
  private SchemaOutline outlineWanted;

  /** The database the replay created for itself in the shadow while it runs there, else null. */
  private ShadowDatabase replayDatabase;

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
   * Leaves {@code versions} out of the replay to a version ({@link #replay}, {@link
   * #migrateAsApplied}): the versions below the migrated database's current one that its history
   * does not record as applied (merged after a higher one was released: {@link
   * History#outOfOrder}), so the replay makes what the database's history made. {@link #migrate}
   * keeps them, as a real {@code migrate} with out-of-order applies them.
   *
   * @return this replay
   */
  ShadowReplay leavingOut(Collection<Version> versions) {
    this.notApplied = Set.copyOf(versions);
    if (!notApplied.isEmpty()) {
      progress.progress(
          "shadow replay: without version(s) "
              + String.join(", ", notApplied.stream().sorted().map(Version::toString).toList())
              + ", which the database's history does not record as applied");
    }
    return this;
  }

  /**
   * Reads the whole model only at the versions whose {@link SchemaOutline} (tables and columns, one
   * light query) equals {@code outline}, as a version whose outline differs cannot have the model
   * of a schema of that outline: the verified baseline asks only for the versions that may match.
   */
  ShadowReplay onlyWhereOutlineIs(SchemaOutline outline) {
    this.outlineWanted = outline;
    return this;
  }

  /**
   * The model of the replay's schema now, or null when its outline rules it out.
   *
   * @param outlines the reader of the replay schema's outline; null without {@link
   *     #onlyWhereOutlineIs}
   */
  private SchemaModel modelNow(Connection connection, String schema, SchemaOutline.Reader outlines)
      throws SQLException {
    if (outlines != null && !outlines.read().equals(outlineWanted)) {
      return null;
    }
    return readModel(connection, schema, production.ignoreTables);
  }

  /**
   * The model of the replay's schema. In a schema of its own in the shadow's database, the shadow's
   * schema named like the migrated one is searched after it ({@link #searchedAfter}): a type of an
   * extension installed there reads {@code citext}, as the migrated schema's model reads it, not
   * {@code public.citext}.
   */
  SchemaModel readModel(Connection connection, String schema, Collection<String> ignoreTables)
      throws SQLException {
    return SchemaReader.read(
        connection, schema, production.historyTable, ignoreTables, searchedAfter());
  }

  /**
   * The schema searched after the replay's: the migrated schema's name when the replay runs in a
   * schema of its own in the shadow's database, where that name is another schema; null in a
   * database of its own, where the replay's schema has that name.
   */
  String searchedAfter() {
    return replayDatabase == null ? production.connection.schema() : null;
  }

  /** A reader of the replay schema's outline when {@link #onlyWhereOutlineIs} asks for one. */
  private SchemaOutline.Reader outlines(Connection connection, String schema) throws SQLException {
    return outlineWanted == null
        ? null
        : SchemaOutline.reader(
            connection, schema, production.historyTable, production.ignoreTables);
  }

  /**
   * Leaves these repeatable migrations out of the replay: changed or new ones the migrated database
   * does not hold in their current form yet.
   */
  ShadowReplay withoutRepeatables(Collection<MigrationScript> scripts) {
    this.notHeld = List.copyOf(scripts);
    return this;
  }

  /**
   * The set as the migrated database's history applied it: without {@link #notApplied} and the
   * repeatable migrations of {@link #withoutRepeatables}.
   */
  private MigrationSet asApplied() {
    MigrationSet set =
        notApplied.isEmpty() ? production.migrations : production.migrations.without(notApplied);
    return notHeld.isEmpty() ? set : set.withoutRepeatables(notHeld);
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
    progress.progress("shadow replay: " + stops.size() + " version(s) in the " + shadow.describe());
    return inReplaySchema(
        migrated,
        migratedVersion,
        "cannot verify " + purpose,
        (connection, schema, roles) -> replay(connection, schema, roles, stops));
  }

  /** Work in the replay's own schema of the shadow, before the schema and roles are dropped. */
  @FunctionalInterface
  interface InReplaySchema<T> {
    /**
     * @param connection a connection to the shadow, auto-commit on
     * @param schema the replay's schema, empty at first
     * @param roles the roles created for the replay so far; add those the work creates
     */
    T run(Connection connection, String schema, List<String> roles) throws SQLException;
  }

  /**
   * Runs {@code work} in a schema of the replay's own in the shadow, after checking that the shadow
   * is not the migrated database, and drops that schema and the roles created for it afterwards,
   * whatever happened.
   *
   * @param migrated the identity of the migrated database
   * @param migratedVersion the migrated database's server version, whose major the shadow must run
   * @param what what a failure keeps from being done, first in its message, such as {@code cannot
   *     verify the baseline}
   */
  <T> T inReplaySchema(
      DatabaseIdentity migrated,
      ServerVersion migratedVersion,
      String what,
      InReplaySchema<T> work) {
    Connection connection = shadow.connect(production.connectTimeout, TIMEOUTS, progress);
    try (connection) {
      DatabaseIdentity shadowIdentity = DatabaseIdentity.of(connection);
      if (shadowIdentity.sameDatabaseAs(migrated)) {
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
            what
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
      String name = "schema_operator_replay_" + HexFormat.of().formatHex(randomBytes());
      List<String> roles = new ArrayList<>();
      Set<String> rolesBefore = roleNames(connection);
      if (!shadowIdentity.sameServerAs(migrated) && createDatabase(connection, name)) {
        Connection inOwn = connectToOwn(connection, name, shadowVersion);
        if (inOwn != null) {
          try (inOwn) {
            return inOwnDatabase(inOwn, name, work, roles);
          } finally {
            dropDatabase(connection, name, shadowVersion);
            dropRolesCreated(connection, rolesBefore);
            replayDatabase = null;
          }
        }
      }
      execute(connection, "CREATE SCHEMA " + quote(name));
      try {
        progress.progress("shadow replay: schema " + name + " of the " + shadow.describe());
        return work.run(connection, name, roles);
      } finally {
        cleanUp(connection, name);
        dropRolesCreated(connection, rolesBefore);
      }
    } catch (SQLException e) {
      MigrationException failure = SqlFailures.sessionFailure(e, "the shadow replay");
      throw new MigrationException(
          failure.reason() == FailureReason.InternalError
              ? FailureReason.ShadowReplayFailed
              : failure.reason(),
          null,
          redactor.clean(what + ": " + failure.getMessage()),
          null);
    }
  }

  private List<BaselineMatch.Replayed> replay(
      Connection connection, String schema, List<String> roles, List<Version> stops)
      throws SQLException {
    try (SchemaOutline.Reader outlines = outlines(connection, schema)) {
      return replay(connection, schema, roles, stops, outlines);
    }
  }

  private List<BaselineMatch.Replayed> replay(
      Connection connection,
      String schema,
      List<String> roles,
      List<Version> stops,
      SchemaOutline.Reader outlines)
      throws SQLException {
    MigrationSet set = asApplied();
    if (set.repeatable().isEmpty() && set.callbacks().isEmpty() && set.baseline().isEmpty()) {
      return replayInOneRun(connection, schema, roles, stops, outlines);
    }
    List<BaselineMatch.Replayed> models = new ArrayList<>();
    Present presentBefore = objectsInMigratedSchema(connection);
    for (Version version : stops) {
      MigrationResult result =
          migrate(connection, schema, version, roles, null, asApplied()).result();
      if (result.failure() != null) {
        throw replayFailed(version.toString(), result);
      }
      refuseStrays(
          connection, presentBefore, version, "cannot verify " + purpose + ": version " + version);
      if (version.toString().equals(result.versionAfter())) {
        SchemaModel model = modelNow(connection, schema, outlines);
        if (model != null) {
          models.add(new BaselineMatch.Replayed(version, model));
        }
      }
    }
    return models;
  }

  /**
   * The replay of a set of versioned migrations alone in one engine run to the highest stop, where
   * the version-by-version runs of {@link #replay(Connection, String, List, List)} would apply the
   * same scripts in the same order, each in a run of its own: no repeatable migration (applied at
   * the end of every run), no SQL callback (fired in every run) and no baseline migration (which a
   * run picks by its target). Each version's model is read on the replay's own connection once its
   * transaction is committed: when the next migration begins, and after the last; only at the
   * stops. What scripts leave in the shadow's schema named like the migrated one is looked for
   * once, after the run ({@link #refuseStraysOfRun}), rather than after each version: a query per
   * version less; an object a later version dropped again goes unnoticed, which cannot change a
   * model of the replay's schema.
   */
  private List<BaselineMatch.Replayed> replayInOneRun(
      Connection connection,
      String schema,
      List<String> roles,
      List<Version> stops,
      SchemaOutline.Reader outlines)
      throws SQLException {
    Present presentBefore = objectsInMigratedSchema(connection);
    ModelAfterEachVersion capture = new ModelAfterEachVersion(connection, schema, stops, outlines);
    Version latest = stops.stream().max(Version::compareTo).orElseThrow();
    MigrationResult result =
        migrate(connection, schema, latest, roles, capture, asApplied()).result();
    refuseStraysOfRun(connection, schema, presentBefore, result.versionAfter());
    if (result.failure() != null) {
      throw replayFailed(result.failure().version(), result);
    }
    return capture.models;
  }

  /**
   * {@link FailureReason#ShadowReplayFailed} for a replay run that failed at {@code version}, its
   * failure described.
   */
  private MigrationException replayFailed(String version, MigrationResult result) {
    return new MigrationException(
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

  /** Takes the model after each version of a one-run replay, on the replay's own connection. */
  private final class ModelAfterEachVersion implements Callback {
    private final Connection connection;
    private final String schema;
    private final List<Version> stops;
    private final SchemaOutline.Reader outlines;
    final List<BaselineMatch.Replayed> models = new ArrayList<>();
    private Version applied;

    ModelAfterEachVersion(
        Connection connection, String schema, List<Version> stops, SchemaOutline.Reader outlines) {
      this.connection = connection;
      this.schema = schema;
      this.stops = stops;
      this.outlines = outlines;
    }

    @Override
    public boolean supports(Event event, Context context) {
      return event == Event.AFTER_EACH_MIGRATE
          || event == Event.BEFORE_EACH_MIGRATE
          || event == Event.AFTER_MIGRATE;
    }

    @Override
    public boolean canHandleInTransaction(Event event, Context context) {
      return true;
    }

    @Override
    public void handle(Event event, Context context) {
      if (event == Event.AFTER_EACH_MIGRATE) {
        // Committed with its history entry only when the next migration begins, or the run ends.
        applied = Version.parse(context.getMigrationInfo().getVersion().getVersion());
        return;
      }
      if (applied == null) {
        return;
      }
      Version version = applied;
      applied = null;
      try {
        if (stops.contains(version)) {
          SchemaModel model = modelNow(connection, schema, outlines);
          if (model != null) {
            models.add(new BaselineMatch.Replayed(version, model));
          }
        }
      } catch (SQLException e) {
        throw new FlywayException(
            "reading the shadow's schema after version " + version + ": " + e.getMessage());
      }
    }

    @Override
    public String getCallbackName() {
      return "shadow-replay-models";
    }
  }

  /**
   * The tables, views, sequences, routines and types in the shadow's schema named like the migrated
   * one ({@link #objectsIn}), to tell later which a script created there.
   */
  Present objectsInMigratedSchema(Connection connection) throws SQLException {
    return replayDatabase != null
        ? new Present(Map.of())
        : new Present(objectsIn(connection, production.connection.schema()));
  }

  /** What {@link #objectsInMigratedSchema} found, to compare with later. */
  static final class Present {
    private final Map<String, CatalogObject> objects;

    private Present(Map<String, CatalogObject> objects) {
      this.objects = objects;
    }
  }

  /**
   * An object of the shadow's catalog: its name, and the transaction that last wrote its catalog
   * row ({@code xmin}, as text).
   */
  private record CatalogObject(String name, String xmin) {}

  /**
   * Refuses, with {@link FailureReason#ShadowReplayFailed}, objects that scripts created in the
   * shadow's schema named like the migrated one since {@code presentBefore} was taken.
   *
   * @param version the version the failure names, or null
   * @param what what ran, first in the message, such as {@code cannot verify the baseline: version
   *     2}
   */
  void refuseStrays(Connection connection, Present presentBefore, Version version, String what)
      throws SQLException {
    List<String> strays =
        strays(connection, presentBefore).stream().map(CatalogObject::name).toList();
    if (!strays.isEmpty()) {
      throw strayFailure(version, what + " created", strays);
    }
  }

  /** The objects in the shadow's schema named like the migrated one that were not there before. */
  private List<CatalogObject> strays(Connection connection, Present presentBefore)
      throws SQLException {
    List<CatalogObject> strays = new ArrayList<>();
    if (replayDatabase != null) {
      // The replay's own database: the schema named like the migrated one is the replay's.
      return strays;
    }
    objectsIn(connection, production.connection.schema())
        .forEach(
            (key, object) -> {
              if (!presentBefore.objects.containsKey(key)) {
                strays.add(object);
              }
            });
    return strays;
  }

  /**
   * After a one-run replay: refuses strays as {@link #refuseStrays} does, once for the whole run,
   * naming the version that created or last changed them. A transactional script writes its history
   * row in the transaction that runs it, so a stray whose catalog row that transaction wrote last
   * is that version's; the lowest such version is named with its strays ({@code version 2 created
   * or changed stray}). Strays no history row accounts for (a script run outside a transaction) are
   * named with the migrations up to {@code reached}.
   *
   * @param schema the replay's schema, which holds the run's history table
   * @param reached the version the run reached, for messages; may be null
   */
  private void refuseStraysOfRun(
      Connection connection, String schema, Present presentBefore, String reached)
      throws SQLException {
    List<CatalogObject> strays = strays(connection, presentBefore);
    if (strays.isEmpty()) {
      return;
    }
    java.util.TreeMap<Version, List<String>> byVersion = new java.util.TreeMap<>();
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT version FROM "
                + quote(schema)
                + "."
                + quote(production.historyTable)
                + " WHERE xmin = ?::xid AND version IS NOT NULL ORDER BY installed_rank LIMIT 1")) {
      for (CatalogObject stray : strays) {
        statement.setString(1, stray.xmin());
        try (ResultSet row = statement.executeQuery()) {
          if (row.next()) {
            byVersion
                .computeIfAbsent(Version.parse(row.getString(1)), v -> new ArrayList<>())
                .add(stray.name());
          }
        }
      }
    }
    if (!byVersion.isEmpty()) {
      Version first = byVersion.firstKey();
      throw strayFailure(
          first,
          "cannot verify " + purpose + ": version " + first + " created or changed",
          byVersion.get(first));
    }
    throw strayFailure(
        null,
        "cannot verify "
            + purpose
            + ": the migrations"
            + (reached == null ? "" : " up to version " + reached)
            + " created",
        strays.stream().map(CatalogObject::name).toList());
  }

  /**
   * @param what what ran and did it, first in the message, such as {@code cannot verify the
   *     baseline: version 2 created}
   */
  private MigrationException strayFailure(Version version, String what, List<String> strays) {
    String migratedSchema = production.connection.schema();
    return new MigrationException(
        FailureReason.ShadowReplayFailed,
        version == null ? null : version.toString(),
        redactor.clean(
            what
                + " "
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

  /**
   * Migrates the replay's schema to {@code version} with the engine itself, in one run: Flyway's
   * own semantics, the set's placeholders, naming, history table and SQL callbacks. A script that
   * fails because a role it names does not exist has the role created ({@code NOLOGIN}, added to
   * {@code roles}) and the run is made again.
   *
   * @return the run's result, failed when a script failed for another reason
   */
  Migrator.Attempt migrate(
      Connection connection, String schema, Version version, List<String> roles)
      throws SQLException {
    return migrate(connection, schema, version, roles, null, production.migrations);
  }

  /**
   * As {@link #migrate}, the versions of {@link #leavingOut} left out: the replay to the version
   * the migrated database is at.
   */
  Migrator.Attempt migrateAsApplied(
      Connection connection, String schema, Version version, List<String> roles)
      throws SQLException {
    return migrate(connection, schema, version, roles, null, asApplied());
  }

  private Migrator.Attempt migrate(
      Connection connection,
      String schema,
      Version version,
      List<String> roles,
      Callback capture,
      MigrationSet set)
      throws SQLException {
    Migrator.Attempt attempt = engine(schema, version, capture, set).attempt();
    while (attempt.result().failure() != null) {
      String role = missingRole(attempt.result()).orElse(null);
      if (role == null || roles.contains(role) || roles.size() >= MAX_ROLES) {
        return attempt;
      }
      execute(connection, "CREATE ROLE " + quote(role) + " NOLOGIN");
      roles.add(role);
      progress.progress(
          "shadow replay: created role "
              + role
              + " (NOLOGIN), which "
              + (attempt.result().failure().version() == null
                  ? "a repeatable migration"
                  : "version " + attempt.result().failure().version())
              + " names");
      attempt = engine(schema, version, capture, set).attempt();
    }
    return attempt;
  }

  private Migrator engine(String schema, Version version, Callback capture, MigrationSet set) {
    MigratorConfiguration replay =
        Migrator.configure()
            .connection((replayDatabase == null ? shadow : replayDatabase).settings(schema))
            .migrations(set)
            .historyTable(production.historyTable)
            .outOfOrder(production.outOfOrder)
            .connectTimeout(production.connectTimeout)
            .lockTimeout(production.lockTimeout)
            .statementTimeout(production.statementTimeout)
            .target(version.toString());
    replay.placeholders = production.placeholders;
    if (capture != null) {
      replay.engineCallbacks = List.of(capture);
    }
    return replay.load();
  }

  /** The shadow's description, safe to print. */
  String describe() {
    return shadow.describe();
  }

  /** A message with the shadow's password taken out. */
  String clean(String message) {
    return redactor.clean(message);
  }

  /**
   * The tables, views, sequences, routines and types in {@code schema} of the shadow, keyed by
   * catalog and OID, each with its name; none when the shadow has no such schema.
   */
  private static Map<String, CatalogObject> objectsIn(Connection connection, String schema)
      throws SQLException {
    Map<String, CatalogObject> objects = new HashMap<>();
    try (PreparedStatement statement = connection.prepareStatement(OBJECTS_IN_SCHEMA)) {
      for (int parameter = 1; parameter <= 3; parameter++) {
        statement.setString(parameter, schema);
      }
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          objects.put(rows.getString(1), new CatalogObject(rows.getString(2), rows.getString(3)));
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

  /**
   * Runs {@code work} in the database {@code name} the replay created in the shadow, in the schema
   * named like the migrated one ({@code public} is there already): names a script qualifies with
   * the migrated schema's name resolve there, as they do in the migrated database.
   */
  private <T> T inOwnDatabase(
      Connection connection, String name, InReplaySchema<T> work, List<String> roles)
      throws SQLException {
    String schema = production.connection.schema();
    execute(connection, "CREATE SCHEMA IF NOT EXISTS " + quote(schema));
    progress.progress(
        "shadow replay: schema " + schema + " of database " + name + " of the " + describe());
    return work.run(connection, schema, roles);
  }

  /**
   * A connection to the database {@code name} the replay created, which the replay then runs in;
   * null, the database dropped again and the progress saying why, when the shadow refuses it (a
   * {@code pg_hba.conf} that lets the user reach its own database alone): the replay then runs in a
   * schema of its own, as without {@code CREATEDB}.
   */
  private Connection connectToOwn(Connection connection, String name, ServerVersion version) {
    ShadowDatabase own = shadow.otherDatabase(name);
    try {
      Connection inOwn = own.connect(production.connectTimeout, TIMEOUTS, progress);
      replayDatabase = own;
      return inOwn;
    } catch (MigrationException e) {
      progress.progress(
          redactor.clean(
              "shadow replay: the database "
                  + name
                  + " it created cannot be reached ("
                  + e.getMessage()
                  + "): replaying in a schema of its own, where a script that qualifies names with"
                  + " the migrated schema's name cannot be replayed"));
      dropDatabase(connection, name, version);
      return null;
    }
  }

  /** The names of the shadow server's roles. */
  private static Set<String> roleNames(Connection connection) throws SQLException {
    Set<String> names = new java.util.HashSet<>();
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT rolname FROM pg_catalog.pg_roles")) {
      while (rows.next()) {
        names.add(rows.getString(1));
      }
    }
    return names;
  }

  /**
   * Creates the database {@code name} in the shadow from {@code template0} (nothing a shadow
   * image's {@code template1} holds comes in): false when the shadow's user may not
   * (insufficient_privilege, no {@code CREATEDB}), which the progress says.
   */
  private boolean createDatabase(Connection connection, String name) throws SQLException {
    try {
      execute(connection, "CREATE DATABASE " + quote(name) + " TEMPLATE template0");
      return true;
    } catch (SQLException e) {
      if (!"42501".equals(e.getSQLState())) {
        throw e;
      }
      progress.progress(
          "shadow replay: the "
              + shadow.describe()
              + " does not let its user create a database (CREATEDB): replaying in a schema of its"
              + " own, where a script that qualifies names with the migrated schema's name cannot"
              + " be replayed");
      return false;
    }
  }

  /** Drops the replay's database, its sessions ended first; says so when it cannot. */
  private void dropDatabase(Connection connection, String name, ServerVersion version) {
    try {
      // WITH (FORCE) from PostgreSQL 13: a session the engine left open cannot keep it.
      execute(
          connection,
          "DROP DATABASE IF EXISTS "
              + quote(name)
              + (version.major() >= 13 ? " WITH (FORCE)" : ""));
    } catch (SQLException e) {
      progress.progress(
          "shadow replay: could not drop database "
              + name
              + " of the "
              + shadow.describe()
              + ": "
              + SqlFailures.firstLine(e));
    }
  }

  /** Drops the replay's schema; says so when it cannot. */
  private void cleanUp(Connection connection, String schema) {
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
  }

  /**
   * Drops the roles that appeared in the shadow server while the replay ran: those it created for
   * scripts that name them, and those scripts created ({@code CREATE ROLE}), each after {@code DROP
   * OWNED BY} in the shadow's database where the user may (what it owns there, the privileges
   * granted to it); says so when it cannot. Left behind, a role a script creates would make the
   * next replay's {@code CREATE ROLE} fail.
   */
  private void dropRolesCreated(Connection connection, Set<String> rolesBefore) {
    List<String> created;
    try {
      created =
          roleNames(connection).stream()
              .filter(role -> !rolesBefore.contains(role))
              .sorted()
              .toList();
    } catch (SQLException e) {
      progress.progress(
          "shadow replay: could not list the roles of the "
              + shadow.describe()
              + ": "
              + SqlFailures.firstLine(e));
      return;
    }
    for (String role : created) {
      try {
        try {
          execute(connection, "DROP OWNED BY " + quote(role));
        } catch (SQLException e) {
          // A user with CREATEROLE alone may not (PostgreSQL 16): the role often owns nothing.
        }
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
