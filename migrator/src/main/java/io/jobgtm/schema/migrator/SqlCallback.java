package io.jobgtm.schema.migrator;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Consumer;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;

/**
 * One SQL callback script ({@code afterMigrate__grants.sql}) handed to Flyway as a callback, so
 * that Flyway decides when it runs, as it would for its own SQL callbacks, and the migrator decides
 * how: the statements as Flyway's parser splits them, in a transaction of their own when every one
 * can run in one (Flyway's rule), starting with the {@link SessionDefaults} and under the {@link
 * TransactionGuard}. The callbacks of the events around each migration ({@code beforeEachMigrate},
 * {@code afterEachMigrate}, {@code afterEachMigrateError}) run inside the migration's own
 * transaction, as in Flyway, after the migrator set the defaults and armed the guard for it: what
 * such a callback sets is what the migration sees.
 *
 * <p>Flyway orders the callbacks of one event by name; the name here keeps Flyway's order among SQL
 * callbacks (the one without description first, then by description) and puts them between the
 * migrator's own callbacks, which set the defaults before and check the guard after each migration.
 */
final class SqlCallback implements Callback {

  /** The name of the migrator's callback that runs first around each migration. */
  static final String FIRST = "0 schema-operator";

  /** The name of the migrator's callback that runs last around each migration. */
  static final String LAST = "2 schema-operator";

  private static final Set<Event> AROUND_EACH_MIGRATION =
      EnumSet.of(
          Event.BEFORE_EACH_MIGRATE, Event.AFTER_EACH_MIGRATE, Event.AFTER_EACH_MIGRATE_ERROR);

  private final ScriptParser.Parsed script;
  private final Event event;
  private final SessionDefaults defaults;
  private final ProgressListener progress;
  private final Consumer<String> running;

  /**
   * @param running told the file name before the script runs and null after it succeeded, so that a
   *     failure is reported by the callback's file
   */
  SqlCallback(
      ScriptParser.Parsed script,
      SessionDefaults defaults,
      ProgressListener progress,
      Consumer<String> running) {
    this.script = script;
    this.event = script.script().callbackEvent();
    this.defaults = defaults;
    this.progress = progress;
    this.running = running;
  }

  @Override
  public boolean supports(Event event, Context context) {
    return event == this.event;
  }

  @Override
  public boolean canHandleInTransaction(Event event, Context context) {
    return script.runsInTransaction();
  }

  @Override
  public void handle(Event event, Context context) {
    running.accept(script.script().fileName());
    long started = System.nanoTime();
    Connection connection = context.getConnection();
    boolean ownSession = !AROUND_EACH_MIGRATION.contains(event);
    ScriptParser.Statement current = null;
    try {
      boolean guarded = ownSession && !connection.getAutoCommit();
      if (ownSession) {
        defaults.restore(connection);
      }
      if (guarded) {
        TransactionGuard.arm(connection);
      }
      for (ScriptParser.Statement statement : script.statements()) {
        current = statement;
        try (Statement jdbc = connection.createStatement()) {
          jdbc.execute(statement.sql());
        }
      }
      current = null;
      if (guarded) {
        TransactionGuard.disarm(connection);
      }
      if (ownSession) {
        defaults.restore(connection);
      }
    } catch (SQLException e) {
      String where =
          script.script().fileName()
              + (current == null ? "" : " line " + current.line())
              + notRolledBack(current);
      // The failure is reported as this callback's, naming the line and what it left behind.
      running.accept(where);
      throw new FlywayException(where + ": " + SqlFailures.firstLine(e), e);
    }
    running.accept(null);
    progress.progress(
        "callback "
            + script.script().fileName()
            + " ran on "
            + event.getId()
            + " ("
            + (System.nanoTime() - started) / 1_000_000
            + " ms)");
  }

  /**
   * What a failure leaves behind when the callback runs outside a transaction: the statements
   * before the failing one stay, for each was committed on its own.
   */
  private String notRolledBack(ScriptParser.Statement failing) {
    if (script.runsInTransaction()
        || failing == null
        || script.statements().isEmpty()
        || script.statements().get(0) == failing) {
      return "";
    }
    return " (outside a transaction, executeInTransaction=false: the statements before line "
        + failing.line()
        + " stay applied, NOT rolled back)";
  }

  @Override
  public String getCallbackName() {
    String description = script.script().description();
    return "1" + (description.isEmpty() ? "" : " " + description);
  }
}
