package io.jobgtm.schema.contract;

import java.util.List;

/**
 * The environment variables through which the operator configures the migrator in a migration Job's
 * container, and which the migrator's command line reads (each is also a flag). One list, so the
 * two sides cannot name a setting differently. docs/migrator.md gives each one's meaning and
 * default.
 */
public final class JobEnvironment {

  /**
   * Database host: a host name, an IPv4 or an IPv6 address, by the grammar of {@link DatabaseHost}.
   */
  public static final String DB_HOST = "DB_HOST";

  /** Database port, a number. */
  public static final String DB_PORT = "DB_PORT";

  /** Database name. */
  public static final String DB_NAME = "DB_NAME";

  /** The schema to migrate. */
  public static final String DB_SCHEMA = "DB_SCHEMA";

  /** libpq's sslmode: one of {@link #SSL_MODES}. */
  public static final String DB_SSLMODE = "DB_SSLMODE";

  /**
   * The values of {@link #DB_SSLMODE}, as libpq and the PostgreSQL JDBC driver spell them, from
   * least to most protection.
   */
  public static final List<String> SSL_MODES =
      List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

  /**
   * A file of PEM-encoded CA certificates the server's certificate must chain to: libpq's and the
   * JDBC driver's {@code sslrootcert}. Required with sslmode {@code verify-ca} and {@code
   * verify-full}, refused with the other modes (which would ignore it); the migrator never falls
   * back to {@code ~/.postgresql/root.crt}. In a Job, a key of the Secret or ConfigMap named by
   * {@code spec.database.sslRootCert}, mounted read-only.
   */
  public static final String DB_SSLROOTCERT = "DB_SSLROOTCERT";

  /** The sslmodes that verify the server's certificate, and so need {@link #DB_SSLROOTCERT}. */
  public static final List<String> VERIFYING_SSL_MODES = List.of("verify-ca", "verify-full");

  /** Database user; in a Job, from the credentials Secret. */
  public static final String DB_USER = "DB_USER";

  /** Database password; in a Job, from the credentials Secret, never a literal. */
  public static final String DB_PASSWORD = "DB_PASSWORD";

  /** A file holding the password, instead of {@link #DB_PASSWORD}. */
  public static final String DB_PASSWORD_FILE = "DB_PASSWORD_FILE";

  /**
   * Directory of the migration set, or several separated by commas ({@link #LOCATION_SEPARATOR}),
   * read as one set in the order given (Flyway's {@code locations}); unset means the set bundled in
   * the image.
   */
  public static final String MIGRATIONS_DIR = "MIGRATIONS_DIR";

  /** Separates the directories of {@link #MIGRATIONS_DIR}, as Flyway's {@code locations}. */
  public static final String LOCATION_SEPARATOR = ",";

  /**
   * {@code true} to replace placeholders ({@code ${name}}) in every script, Flyway's {@code
   * placeholderReplacement}; unset or {@code false} (the default, unlike Flyway's): SQL runs as
   * written, except in a script whose own settings turn replacement on.
   */
  public static final String PLACEHOLDER_REPLACEMENT = "PLACEHOLDER_REPLACEMENT";

  /**
   * The placeholders' values, a JSON object of strings ({@code {"owner":"app"}}); names are matched
   * without regard to case, as Flyway matches them. Never secrets: the value is visible in the
   * Job's spec.
   */
  public static final String PLACEHOLDERS = "PLACEHOLDERS";

  /** What starts a placeholder, Flyway's {@code placeholderPrefix}; default {@code ${}. */
  public static final String PLACEHOLDER_PREFIX = "PLACEHOLDER_PREFIX";

  /** What ends a placeholder, Flyway's {@code placeholderSuffix}; default {@code }}. */
  public static final String PLACEHOLDER_SUFFIX = "PLACEHOLDER_SUFFIX";

  /** The prefix of versioned migrations, Flyway's {@code sqlMigrationPrefix}; default {@code V}. */
  public static final String SQL_MIGRATION_PREFIX = "SQL_MIGRATION_PREFIX";

  /** The prefix of undo scripts, Flyway's {@code undoSqlMigrationPrefix}; default {@code U}. */
  public static final String UNDO_SQL_MIGRATION_PREFIX = "UNDO_SQL_MIGRATION_PREFIX";

  /**
   * The prefix of repeatable migrations, Flyway's {@code repeatableSqlMigrationPrefix}; default
   * {@code R}.
   */
  public static final String REPEATABLE_SQL_MIGRATION_PREFIX = "REPEATABLE_SQL_MIGRATION_PREFIX";

  /**
   * The prefix of baseline migrations, Flyway's {@code baselineMigrationPrefix}; default {@code B}.
   */
  public static final String BASELINE_MIGRATION_PREFIX = "BASELINE_MIGRATION_PREFIX";

  /**
   * Between a migration's version and its description, Flyway's {@code sqlMigrationSeparator};
   * default {@code __}.
   */
  public static final String SQL_MIGRATION_SEPARATOR = "SQL_MIGRATION_SEPARATOR";

  /**
   * The suffixes of SQL scripts, separated by commas, Flyway's {@code sqlMigrationSuffixes};
   * default {@code .sql}.
   */
  public static final String SQL_MIGRATION_SUFFIXES = "SQL_MIGRATION_SUFFIXES";

  /** {@code latest} or a version (see {@link Version}). */
  public static final String TARGET_VERSION = "TARGET_VERSION";

  /** {@code Fail} or {@code Baseline}: what to do with objects that have no history. */
  public static final String ON_UNVERSIONED = "ON_UNVERSIONED";

  /** The version to stamp an unversioned schema with, when {@link #ON_UNVERSIONED} is Baseline. */
  public static final String BASELINE_VERSION = "BASELINE_VERSION";

  /**
   * The JDBC URL of a shadow database, {@code jdbc:postgresql://host:port/database}: an empty
   * PostgreSQL that is not the migrated one, where the migration set is replayed to verify a
   * baseline.
   */
  public static final String SHADOW_URL = "SHADOW_URL";

  /**
   * A directory holding the shadow database's Unix-domain socket ({@code .s.PGSQL.5432}), instead
   * of {@link #SHADOW_URL}: in a migration Job, the shared {@code emptyDir} of the shadow sidecar.
   * The database is {@code postgres}; the user {@link #SHADOW_DB_USER}, default {@code postgres}.
   * The migrator waits for the socket up to {@link #CONNECT_TIMEOUT}.
   */
  public static final String SHADOW_SOCKET_DIR = "SHADOW_SOCKET_DIR";

  /** The user of the shadow database. */
  public static final String SHADOW_DB_USER = "SHADOW_DB_USER";

  /** The password of the shadow database's user. */
  public static final String SHADOW_DB_PASSWORD = "SHADOW_DB_PASSWORD";

  /** A file holding the shadow password, instead of {@link #SHADOW_DB_PASSWORD}. */
  public static final String SHADOW_DB_PASSWORD_FILE = "SHADOW_DB_PASSWORD_FILE";

  /**
   * {@code false} to stamp the baseline version without checking it against the shadow replay
   * (default {@code true}).
   */
  public static final String VERIFY_BASELINE = "VERIFY_BASELINE";

  /**
   * What drift does to {@code migrate}: {@code Report} (the default) applies and reports it; {@code
   * Block} refuses to migrate a schema that differs from the replay at its version ({@code
   * SchemaDrifted}), and refuses too when it cannot be compared.
   */
  public static final String ON_DRIFT = "ON_DRIFT";

  /** The values of {@link #ON_DRIFT}. */
  public static final List<String> DRIFT_ACTIONS = List.of("Report", "Block");

  /**
   * A live schema's fingerprint ({@code sha256:<64 hex>}) accepted as drift: with {@link #ON_DRIFT}
   * {@code Block}, a schema of exactly this fingerprint is migrated despite its differences.
   */
  public static final String ACCEPTED_FINGERPRINT = "ACCEPTED_FINGERPRINT";

  /**
   * Tables of the migrated schema left out of every comparison with the replay, separated by commas
   * (names as in the catalog, without schema); with their columns, constraints, indexes and
   * triggers.
   */
  public static final String VERIFY_IGNORE_TABLES = "VERIFY_IGNORE_TABLES";

  /** {@code true} to run undo scripts when the target is below the current version. */
  public static final String ALLOW_DOWNGRADE = "ALLOW_DOWNGRADE";

  /**
   * The name of the table, in the migrated schema, that holds the migration history: Flyway's
   * {@code table} setting. Default {@link #DEFAULT_HISTORY_TABLE}; a schema migrated before by
   * Flyway under another name needs that name here to be found Versioned.
   */
  public static final String HISTORY_TABLE = "HISTORY_TABLE";

  /**
   * {@code true} to apply a version below the current one that was never applied (Flyway's {@code
   * outOfOrder}); unset or {@code false}: such a version is refused ({@code ValidationFailed}).
   */
  public static final String OUT_OF_ORDER = "OUT_OF_ORDER";

  /**
   * Who migrates the schema, {@code namespace/name} of the SchemaVersion: recorded in the database,
   * and a schema recorded as another's is refused ({@code SchemaOwnedByAnother}). Unset: no check.
   */
  public static final String SCHEMA_OWNER = "SCHEMA_OWNER";

  /** The owner's UID, recorded beside it for people; never compared (it changes on re-create). */
  public static final String SCHEMA_OWNER_UID = "SCHEMA_OWNER_UID";

  /** The {@code namespace/name} of an owner whose schema {@link #SCHEMA_OWNER} may take over. */
  public static final String TAKE_OVER_FROM = "TAKE_OVER_FROM";

  /** How long to wait for the database to accept connections, a duration such as 60s. */
  public static final String CONNECT_TIMEOUT = "CONNECT_TIMEOUT";

  /** How long to wait for another migrator on the same schema, a duration. */
  public static final String LOCK_WAIT_TIMEOUT = "LOCK_WAIT_TIMEOUT";

  /** PostgreSQL lock_timeout for migration statements, a duration. */
  public static final String LOCK_TIMEOUT = "LOCK_TIMEOUT";

  /** PostgreSQL statement_timeout for migration statements, a duration; 0 for none. */
  public static final String STATEMENT_TIMEOUT = "STATEMENT_TIMEOUT";

  /** Where to write the result document; a Job uses its termination-message path. */
  public static final String RESULT_FILE = "RESULT_FILE";

  /** The migrator's default for {@link #HISTORY_TABLE}, Flyway's own default. */
  public static final String DEFAULT_HISTORY_TABLE = "flyway_schema_history";

  /** The migrator's default for {@link #CONNECT_TIMEOUT}. */
  public static final String DEFAULT_CONNECT_TIMEOUT = "60s";

  /** The migrator's default for {@link #LOCK_WAIT_TIMEOUT}. */
  public static final String DEFAULT_LOCK_WAIT_TIMEOUT = "5m";

  /** The migrator's default for {@link #LOCK_TIMEOUT}. */
  public static final String DEFAULT_LOCK_TIMEOUT = "10s";

  /**
   * The migrator's default for {@link #STATEMENT_TIMEOUT}: shorter than a migration Job's default
   * deadline (15 minutes), so that PostgreSQL ends a long statement, and reports it, before
   * Kubernetes kills the pod mid-statement (which would leave a concurrent index build INVALID).
   */
  public static final String DEFAULT_STATEMENT_TIMEOUT = "10m";

  private JobEnvironment() {}
}
