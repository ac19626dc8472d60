package io.jobgtm.schema.migrator;

/**
 * The PostgreSQL advisory lock a migrator holds on a schema for its whole run (inspect, baseline,
 * migrate, undo): {@code pg_advisory_lock(KEY_CLASS, hashtext('<schema>'))}, the two-key form, in
 * the migrated database. A second migrator on the same database and schema waits for it up to its
 * lock wait timeout, then fails with {@code LockTimeout}. Anything else may take the same lock to
 * hold migrations off, e.g. during a restore; docs/migrator.md shows the statement.
 */
public final class MigrationLock {

  /**
   * The first key of the lock ({@code 'SCOP'} in ASCII); the second is {@code hashtext(schema)}.
   */
  public static final int KEY_CLASS = 0x5343_4f50;

  /** The statement that takes the lock and waits for it; its one parameter is the schema name. */
  public static final String TAKE = "SELECT pg_advisory_lock(" + KEY_CLASS + ", hashtext(?))";

  private MigrationLock() {}
}
