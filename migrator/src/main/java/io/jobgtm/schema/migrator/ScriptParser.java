package io.jobgtm.schema.migrator;

import io.jobgtm.schema.contract.FailureReason;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.configuration.Configuration;
import org.flywaydb.core.internal.parser.ParsingContext;
import org.flywaydb.core.internal.parser.PlaceholderReplacingReader;
import org.flywaydb.core.internal.sqlscript.FlywaySqlScriptException;
import org.flywaydb.core.internal.sqlscript.SqlScriptMetadata;
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
  private final Map<String, String> builtIns;

  /**
   * @param configuration Flyway's configuration for the run, placeholder settings included
   * @param builtIns the values of Flyway's built-in placeholders for the run ({@link
   *     Placeholders#builtIns})
   */
  ScriptParser(Configuration configuration, Map<String, String> builtIns) {
    this.configuration = configuration;
    this.builtIns = Map.copyOf(builtIns);
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
        new PostgreSQLParser(configuration, context())
            .parse(new MigrationResources.Script(script), metadata(script))) {
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
   * The line of its script that the statement whose failure Flyway reports starts on, as Flyway's
   * parser numbered it; 0 when the failure names no statement.
   */
  static int failedLine(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof FlywaySqlScriptException statement) {
        return statement.getLineNumber();
      }
    }
    return 0;
  }

  /**
   * The text that runs for a script: its SQL with placeholders replaced by Flyway's own replacing
   * reader where replacement is on for it (its own setting, else the run's), else as written.
   */
  String render(MigrationScript script) {
    SqlScriptMetadata metadata = metadata(script);
    boolean replace =
        metadata.placeholderReplacement() == null
            ? configuration.isPlaceholderReplacement()
            : metadata.placeholderReplacement();
    if (!replace) {
      return script.sql();
    }
    ParsingContext context = context();
    context.getPlaceholders().put("flyway:filename", script.name());
    try (Reader reader =
        PlaceholderReplacingReader.create(configuration, context, new StringReader(script.sql()))) {
      StringBuilder text = new StringBuilder();
      char[] buffer = new char[8192];
      int read;
      while ((read = reader.read(buffer, 0, buffer.length)) > 0) {
        text.append(buffer, 0, read);
      }
      return text.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (FlywayException e) {
      throw unparsable(script, e);
    }
  }

  private ParsingContext context() {
    ParsingContext context = new ParsingContext();
    context.getPlaceholders().putAll(builtIns);
    return context;
  }

  /** The script's own settings as Flyway reads them from its {@code .sql.conf} file. */
  private SqlScriptMetadata metadata(MigrationScript script) {
    return SqlScriptMetadata.fromResource(
        script.settings().isEmpty() ? null : new MigrationResources.Settings(script),
        null,
        configuration);
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
   * and controls the transaction itself. A callback runs in a transaction, as in Flyway, when its
   * own {@code executeInTransaction} setting says so, else when every statement of it can.
   */
  List<Parsed> parseCallbacks(List<MigrationScript> callbacks) {
    List<Parsed> parsed = new ArrayList<>();
    for (MigrationScript script : callbacks) {
      Parsed any = parse(script, true);
      Boolean own = script.settings().executeInTransaction();
      boolean inTransaction =
          own != null ? own : any.statements().stream().allMatch(Statement::transactional);
      parsed.add(refuseTransactionControl(new Parsed(script, inTransaction, any.statements())));
    }
    return parsed;
  }

  private static Parsed refuseTransactionControl(Parsed one) {
    MigrationScript script = one.script();
    if (one.runsInTransaction()) {
      List<String> found = new ArrayList<>();
      for (Statement statement : one.statements()) {
        String keyword = transactionControl(statement.sql());
        if (keyword != null) {
          found.add("line " + statement.line() + ": " + keyword);
        }
      }
      if (!found.isEmpty()) {
        throw new MigrationException(
            FailureReason.InvalidMigrationSet,
            script.versionText(),
            script.fileName()
                + " "
                + found.get(0)
                + " ends or opens a transaction inside the script's own transaction"
                + (found.size() > 1
                    ? " (also " + String.join(", ", found.subList(1, found.size())) + ")"
                    : "")
                + "; PostgreSQL would commit part of the script, which could then not be rolled"
                + " back. Remove it (each migration already runs in one transaction), or run the"
                + " script outside a transaction on purpose (-- flyway:executeInTransaction=false"
                + " in its header); nothing was run",
            null);
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
