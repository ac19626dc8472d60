package io.jobgtm.schema.migrator;

import io.jobgtm.schema.contract.FailureReason;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.configuration.Configuration;
import org.flywaydb.core.internal.parser.ParsingContext;
import org.flywaydb.core.internal.sqlscript.SqlStatement;
import org.flywaydb.core.internal.sqlscript.SqlStatementIterator;
import org.flywaydb.database.postgresql.PostgreSQLParser;

/**
 * Reads scripts the way Flyway will run them, with Flyway's own PostgreSQL parser: the statements
 * with their line numbers. Whether Flyway wraps a script in a transaction (it does not when a
 * statement such as {@code CREATE INDEX CONCURRENTLY} cannot run in one) is Flyway's own decision,
 * taken from its resolved migrations, since it depends on the server's version.
 *
 * <p>It refuses, before anything runs, a script that would run in a transaction and ends or opens
 * one itself at its top level ({@code COMMIT}, {@code END}, {@code ROLLBACK}, {@code BEGIN}, {@code
 * START TRANSACTION}, savepoints, two-phase commands): PostgreSQL would commit the statements
 * before it, so a later failure could no longer be rolled back (flyway/flyway#3990). Statements
 * inside function, procedure and {@code DO} bodies are part of their statement and are not looked
 * at.
 */
final class ScriptParser {

  private static final Pattern TRANSACTION_CONTROL =
      Pattern.compile(
          "(?is)(COMMIT|END|ROLLBACK|ABORT|BEGIN|START\\s+TRANSACTION|SAVEPOINT|RELEASE"
              + "|PREPARE\\s+TRANSACTION)\\b.*");

  private static final Pattern LEADING_COMMENTS =
      Pattern.compile("(?s)\\A(\\s+|--[^\\n]*(\\n|\\z)|/\\*.*?\\*/)*");

  private final Configuration configuration;

  ScriptParser(Configuration configuration) {
    this.configuration = configuration;
  }

  /** A script as Flyway will run it. */
  record Parsed(MigrationScript script, boolean runsInTransaction, List<Statement> statements) {}

  /**
   * One statement and the line of the script it starts on.
   *
   * @param transactional whether it can run in a transaction, as Flyway's parser decides
   */
  record Statement(int line, String sql, boolean transactional) {}

  /**
   * Splits a script into statements.
   *
   * @param runsInTransaction whether Flyway runs it in a transaction, as Flyway decided it
   * @throws MigrationException with {@link FailureReason#InvalidMigrationSet} when Flyway cannot
   *     parse it
   */
  Parsed parse(MigrationScript script, boolean runsInTransaction) {
    List<Statement> statements = new ArrayList<>();
    try (SqlStatementIterator iterator =
        new PostgreSQLParser(configuration, new ParsingContext())
            .parse(new MigrationResources.Script(script))) {
      while (iterator.hasNext()) {
        SqlStatement statement = iterator.next();
        statements.add(
            new Statement(
                statement.getLineNumber(),
                statement.getSql(),
                statement.canExecuteInTransaction()));
      }
    } catch (FlywayException e) {
      throw unparsable(script, e);
    }
    return new Parsed(script, runsInTransaction, statements);
  }

  /**
   * Parses scripts that are about to run and refuses, naming the file and line, the first one that
   * runs in a transaction and controls the transaction itself.
   *
   * @param runsInTransaction whether Flyway runs a script in a transaction
   * @return the scripts as parsed, in the order given
   */
  List<Parsed> parseForRun(
      List<MigrationScript> scripts, Predicate<MigrationScript> runsInTransaction) {
    List<Parsed> parsed = new ArrayList<>();
    for (MigrationScript script : scripts) {
      boolean inTransaction;
      try {
        inTransaction = runsInTransaction.test(script);
      } catch (FlywayException e) {
        throw unparsable(script, e);
      }
      parsed.add(refuseTransactionControl(parse(script, inTransaction)));
    }
    return parsed;
  }

  /**
   * Parses SQL callbacks and refuses, as {@link #parseForRun} does, one that runs in a transaction
   * and controls the transaction itself. A callback runs in a transaction, as in Flyway, when every
   * statement of it can.
   */
  List<Parsed> parseCallbacks(List<MigrationScript> callbacks) {
    List<Parsed> parsed = new ArrayList<>();
    for (MigrationScript script : callbacks) {
      Parsed any = parse(script, true);
      boolean inTransaction = any.statements().stream().allMatch(Statement::transactional);
      parsed.add(refuseTransactionControl(new Parsed(script, inTransaction, any.statements())));
    }
    return parsed;
  }

  private static Parsed refuseTransactionControl(Parsed one) {
    MigrationScript script = one.script();
    if (one.runsInTransaction()) {
      for (Statement statement : one.statements()) {
        String keyword = transactionControl(statement.sql());
        if (keyword != null) {
          throw new MigrationException(
              FailureReason.InvalidMigrationSet,
              script.versionText(),
              script.fileName()
                  + " line "
                  + statement.line()
                  + ": "
                  + keyword
                  + " ends or opens a transaction inside the script's own transaction;"
                  + " PostgreSQL would commit part of the script, which could then not be rolled"
                  + " back. Remove it (each migration already runs in one transaction); nothing"
                  + " was run",
              null);
        }
      }
    }
    return one;
  }

  private static MigrationException unparsable(MigrationScript script, FlywayException e) {
    return new MigrationException(
        FailureReason.InvalidMigrationSet,
        script.versionText(),
        script.fileName() + " cannot be run: " + FlywayMessages.clean(SqlFailures.firstLine(e)),
        e);
  }

  /** The transaction-control keyword a top-level statement starts with, or null. */
  static String transactionControl(String sql) {
    String text = LEADING_COMMENTS.matcher(sql).replaceFirst("");
    Matcher matcher = TRANSACTION_CONTROL.matcher(text);
    if (!matcher.matches()) {
      return null;
    }
    String keyword = matcher.group(1).replaceAll("\\s+", " ").toUpperCase(Locale.ROOT);
    if (keyword.equals("BEGIN")
        && text.substring(5).stripLeading().toUpperCase(Locale.ROOT).startsWith("ATOMIC")) {
      return null;
    }
    return keyword;
  }
}
