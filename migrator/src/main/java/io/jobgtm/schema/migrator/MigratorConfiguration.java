package io.jobgtm.schema.migrator;

import io.jobgtm.schema.contract.Durations;
import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.JobEnvironment;
import io.jobgtm.schema.contract.Version;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a {@link Migrator} needs, with the defaults a migration Job uses. Obtain one with
 * {@link Migrator#configure()}, set what differs, then {@link #load()}.
 */
public final class MigratorConfiguration {

  /** How long to wait for the database to accept connections. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT =
      Durations.parse(JobEnvironment.DEFAULT_CONNECT_TIMEOUT);

  /** How long to wait for another migrator working on the same schema. */
  public static final Duration DEFAULT_LOCK_WAIT_TIMEOUT =
      Durations.parse(JobEnvironment.DEFAULT_LOCK_WAIT_TIMEOUT);

  /** PostgreSQL lock_timeout for migration statements. */
  public static final Duration DEFAULT_LOCK_TIMEOUT =
      Durations.parse(JobEnvironment.DEFAULT_LOCK_TIMEOUT);

  /** PostgreSQL statement_timeout for migration statements; zero is no limit. */
  public static final Duration DEFAULT_STATEMENT_TIMEOUT =
      Durations.parse(JobEnvironment.DEFAULT_STATEMENT_TIMEOUT);

  /** The table Flyway keeps its history in, unless told otherwise: Flyway's own default. */
  public static final String DEFAULT_HISTORY_TABLE = JobEnvironment.DEFAULT_HISTORY_TABLE;

  ConnectionSettings connection;
  String historyTable = DEFAULT_HISTORY_TABLE;
  MigrationSet migrations;
  String target = Migrator.LATEST;
  BaselinePolicy baselinePolicy = BaselinePolicy.fail();
  boolean allowDowngrade;
  boolean outOfOrder;
  Placeholders placeholders = new Placeholders(false, Map.of(), null, null);
  Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
  SchemaOwner.Claim owner;
  Duration lockWaitTimeout = DEFAULT_LOCK_WAIT_TIMEOUT;
  Duration lockTimeout = DEFAULT_LOCK_TIMEOUT;
  Duration statementTimeout = DEFAULT_STATEMENT_TIMEOUT;
  ProgressListener progress = ProgressListener.NONE;
  ShadowDatabase shadow;
  boolean verifyBaseline = true;
  List<String> ignoreTables = List.of();
  DriftAction onDrift = DriftAction.Report;
  String acceptedFingerprint;

  /** Flyway callbacks run beside the engine's own around each migration: the shadow replay's. */
  List<org.flywaydb.core.api.callback.Callback> engineCallbacks = List.of();

  MigratorConfiguration() {}

  /** Where to connect; required. */
  public MigratorConfiguration connection(ConnectionSettings connection) {
    this.connection = Objects.requireNonNull(connection, "connection");
    return this;
  }

  /** The migration set configured so far, the bundled one when none was set. */
  public MigrationSet migrationSet() {
    return migrations == null ? MigrationSet.bundled() : migrations;
  }

  /** The migration set; defaults to the reference migrations bundled with the migrator. */
  public MigratorConfiguration migrations(MigrationSet migrations) {
    this.migrations = Objects.requireNonNull(migrations, "migrations");
    return this;
  }

  /** The version {@code migrate} reaches: {@code latest} (default) or a version of the set. */
  public MigratorConfiguration target(String target) {
    this.target = target == null || target.isBlank() ? Migrator.LATEST : target.trim();
    return this;
  }

  /** What {@code migrate} does with an unversioned database; refuses by default. */
  public MigratorConfiguration baselinePolicy(BaselinePolicy baselinePolicy) {
    this.baselinePolicy = Objects.requireNonNull(baselinePolicy, "baselinePolicy");
    return this;
  }

  /**
   * The name of the history table in the migrated schema, Flyway's {@code table} setting (default
   * {@value #DEFAULT_HISTORY_TABLE}): a schema that Flyway migrated under another name, such as
   * {@code schema_version}, is Versioned only under that name. Every command reads, writes and
   * records the owner on this table, and state detection leaves it out of the schema's objects.
   *
   * @throws MigrationException {@link FailureReason#InvalidConfiguration} for a blank name, one
   *     longer than PostgreSQL's 63 bytes in UTF-8 (PostgreSQL would cut it), or one holding a NUL
   */
  public MigratorConfiguration historyTable(String historyTable) {
    if (historyTable == null || historyTable.isBlank()) {
      throw new MigrationException(
          FailureReason.InvalidConfiguration, "the history table name must not be blank");
    }
    if (historyTable.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 63
        || historyTable.indexOf('\0') >= 0) {
      throw new MigrationException(
          FailureReason.InvalidConfiguration,
          "the history table name must be at most 63 bytes in UTF-8 without NUL, PostgreSQL's"
              + " limit on names");
    }
    this.historyTable = historyTable;
    return this;
  }

  /**
   * Whether {@code migrate} applies a version below the current one that was never applied (such as
   * one merged after a higher one was released), as Flyway's {@code outOfOrder} does: in version
   * order together with the versions above the current one. Off (the default), such a version is
   * refused with {@link FailureReason#ValidationFailed} and reported as out of order.
   */
  public MigratorConfiguration outOfOrder(boolean outOfOrder) {
    this.outOfOrder = outOfOrder;
    return this;
  }

  /**
   * Placeholder replacement, Flyway's {@code placeholderReplacement}, {@code placeholders}, {@code
   * placeholderPrefix} and {@code placeholderSuffix}. Off by default, unlike Flyway: SQL runs as
   * written, {@code ${...}} in strings, comments and function bodies included, except in a script
   * whose own {@code placeholderReplacement} setting turns it on. Where it is on, every placeholder
   * is replaced by its value or one of Flyway's built-ins ({@code ${flyway:defaultSchema}}, {@code
   * ${flyway:user}}, ...), names matched without regard to case; a placeholder without a value is
   * refused before anything runs, naming the file and line ({@link
   * FailureReason#InvalidConfiguration}).
   *
   * @param replacement whether replacement is on for every script that does not say otherwise
   * @param values the values by name; never secrets (they appear in {@code plan}'s output)
   * @param prefix what starts a placeholder, {@code ${} when null or empty
   * @param suffix what ends one, {@code }} when null or empty
   * @throws MigrationException {@link FailureReason#InvalidConfiguration} for a name that is blank
   *     or holds the suffix, two names that differ only in case, or a null value
   */
  public MigratorConfiguration placeholders(
      boolean replacement, Map<String, String> values, String prefix, String suffix) {
    Placeholders checked = new Placeholders(replacement, Map.of(), prefix, suffix);
    Map<String, String> copy = new java.util.LinkedHashMap<>();
    Map<String, String> spellings = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (Map.Entry<String, String> value : values.entrySet()) {
      String name = value.getKey();
      String other = name == null ? null : spellings.putIfAbsent(name, name);
      if (other != null) {
        // Flyway matches names without regard to case and would take either value.
        throw new MigrationException(
            FailureReason.InvalidConfiguration,
            "placeholders "
                + (other.compareTo(name) < 0 ? other + " and " + name : name + " and " + other)
                + " are one placeholder (names are matched without regard to case, as in"
                + " Flyway): give it once");
      }
      if (name == null || name.isBlank() || name.contains(checked.suffix())) {
        throw new MigrationException(
            FailureReason.InvalidConfiguration,
            "placeholder name '"
                + name
                + "' must not be blank nor hold the placeholder suffix "
                + checked.suffix());
      }
      if (value.getValue() == null) {
        throw new MigrationException(
            FailureReason.InvalidConfiguration, "placeholder " + name + " has no value");
      }
      copy.put(name, value.getValue());
    }
    this.placeholders = new Placeholders(replacement, copy, prefix, suffix);
    return this;
  }

  /**
   * A shadow database to verify baselines with: before an unversioned schema is stamped, the
   * migration set is replayed there ({@link ShadowReplay}) and the schema must equal the replay's
   * model at the baseline version, else {@link FailureReason#SchemaMismatch}; with {@link
   * BaselinePolicy#auto()} the version is the one found equal. Null (the default): an explicit
   * version is stamped unchecked, and {@code auto} is refused.
   */
  public MigratorConfiguration shadow(ShadowDatabase shadow) {
    this.shadow = shadow;
    return this;
  }

  /**
   * Whether a baseline version is checked against the shadow replay before it is stamped (default
   * true). False stamps an explicit version unchecked, as without a shadow; {@code auto} then is
   * refused.
   */
  public MigratorConfiguration verifyBaseline(boolean verifyBaseline) {
    this.verifyBaseline = verifyBaseline;
    return this;
  }

  /**
   * Tables of the migrated schema left out of every comparison with the shadow replay (the baseline
   * verification, the drift check after {@code migrate} and {@code baseline}, {@code verify}), with
   * their columns, constraints, indexes, triggers and comments: names as in the catalog, without
   * schema. Empty by default.
   */
  public MigratorConfiguration ignoreTables(Collection<String> ignoreTables) {
    this.ignoreTables =
        ignoreTables.stream().map(String::strip).filter(name -> !name.isEmpty()).toList();
    return this;
  }

  /**
   * What drift does to {@code migrate} (default {@link DriftAction#Report}): with {@link
   * DriftAction#Block} a Versioned schema is compared with the replay at its version before
   * anything is written, and a drifted one (unless {@link #acceptedFingerprint}) or one that cannot
   * be compared is refused with {@link FailureReason#SchemaDrifted}. Block needs a shadow.
   */
  public MigratorConfiguration onDrift(DriftAction onDrift) {
    this.onDrift = Objects.requireNonNull(onDrift, "onDrift");
    return this;
  }

  /**
   * A live schema's fingerprint, {@code sha256:<64 lowercase hex>}, whose drift {@link
   * DriftAction#Block} lets through; null (the default) for none.
   *
   * @throws MigrationException {@link FailureReason#InvalidConfiguration} for another format
   */
  public MigratorConfiguration acceptedFingerprint(String acceptedFingerprint) {
    if (acceptedFingerprint != null
        && !acceptedFingerprint.isBlank()
        && !acceptedFingerprint.strip().matches("sha256:[0-9a-f]{64}")) {
      throw new MigrationException(
          FailureReason.InvalidConfiguration,
          "the accepted fingerprint (--accepted-fingerprint, ACCEPTED_FINGERPRINT) must be"
              + " sha256: and 64 lowercase hexadecimal digits, as verify reports it");
    }
    this.acceptedFingerprint =
        acceptedFingerprint == null || acceptedFingerprint.isBlank()
            ? null
            : acceptedFingerprint.strip();
    return this;
  }

  /** Whether {@code migrate} may run undo scripts to reach a target below the current version. */
  public MigratorConfiguration allowDowngrade(boolean allowDowngrade) {
    this.allowDowngrade = allowDowngrade;
    return this;
  }

  /**
   * Who migrates the schema, for the commands that change it: a schema whose history records
   * another owner is refused ({@code SchemaOwnedByAnother}) unless that owner is {@code
   * takeOverFrom}; otherwise the owner is recorded. Null (the default): no check, nothing recorded.
   */
  public MigratorConfiguration owner(SchemaOwner.Claim owner) {
    this.owner = owner;
    return this;
  }

  public MigratorConfiguration connectTimeout(Duration connectTimeout) {
    this.connectTimeout = positive(connectTimeout, "connect timeout");
    return this;
  }

  public MigratorConfiguration lockWaitTimeout(Duration lockWaitTimeout) {
    this.lockWaitTimeout = positive(lockWaitTimeout, "lock wait timeout");
    return this;
  }

  public MigratorConfiguration lockTimeout(Duration lockTimeout) {
    this.lockTimeout = notNegative(lockTimeout, "lock timeout");
    return this;
  }

  public MigratorConfiguration statementTimeout(Duration statementTimeout) {
    this.statementTimeout = notNegative(statementTimeout, "statement timeout");
    return this;
  }

  /** Receives a readable line per step. */
  public MigratorConfiguration progress(ProgressListener progress) {
    this.progress = Objects.requireNonNull(progress, "progress");
    return this;
  }

  /**
   * Checks the configuration and builds the migrator.
   *
   * @throws MigrationException with {@link FailureReason#InvalidConfiguration} or {@link
   *     FailureReason#InvalidMigrationSet} naming what is wrong
   */
  public Migrator load() {
    if (connection == null) {
      throw new MigrationException(FailureReason.InvalidConfiguration, "no connection settings");
    }
    if (migrations == null) {
      migrations = MigrationSet.bundled();
    }
    if (!Migrator.LATEST.equals(target) && !Version.isValid(target)) {
      throw new MigrationException(
          FailureReason.InvalidConfiguration,
          "target '" + target + "' is neither 'latest' nor a version such as 2 or 2.1");
    }
    if (baselinePolicy.automatic() && shadow == null) {
      throw new MigrationException(
          FailureReason.InvalidConfiguration,
          "baseline version auto needs a shadow database (--shadow-socket-dir or"
              + " SHADOW_SOCKET_DIR; or --shadow-url or SHADOW_URL, with SHADOW_DB_USER and"
              + " SHADOW_DB_PASSWORD) to replay the migration set in and find the version the"
              + " schema matches");
    }
    if (onDrift == DriftAction.Block && shadow == null) {
      throw new MigrationException(
          FailureReason.InvalidConfiguration,
          "ON_DRIFT Block needs a shadow database (--shadow-socket-dir or SHADOW_SOCKET_DIR; or"
              + " --shadow-url or SHADOW_URL) to compare the schema with");
    }
    if (baselinePolicy.automatic() && !verifyBaseline) {
      throw new MigrationException(
          FailureReason.InvalidConfiguration,
          "baseline version auto is found by verification and cannot go without it: give a"
              + " version to stamp unchecked");
    }
    return new Migrator(this);
  }

  private static Duration positive(Duration duration, String name) {
    if (duration == null || duration.isNegative() || duration.isZero()) {
      throw new MigrationException(
          FailureReason.InvalidConfiguration, "the " + name + " must be positive");
    }
    return duration;
  }

  private static Duration notNegative(Duration duration, String name) {
    if (duration == null || duration.isNegative()) {
      throw new MigrationException(
          FailureReason.InvalidConfiguration, "the " + name + " must not be negative");
    }
    return duration;
  }
}
