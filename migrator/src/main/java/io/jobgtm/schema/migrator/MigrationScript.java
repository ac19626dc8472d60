package io.jobgtm.schema.migrator;

import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.Version;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.flywaydb.core.api.callback.Event;

/**
 * One SQL file of a migration set: {@code V<version>__<description>.sql} applies a change, {@code
 * U<version>__<description>.sql} reverts it, {@code B<version>__<description>.sql} is a baseline
 * migration (the whole schema at that version, applied to a fresh schema instead of the versioned
 * migrations up to it), and {@code R__<description>.sql} is a repeatable migration, applied after
 * the versioned ones whenever its content changed (Flyway's semantics; it has no version, and is
 * known by its description); an SQL callback ({@code <event>[__<description>].sql}, such as {@code
 * afterMigrate__grants.sql}) runs when Flyway fires that event (per-statement and undo events are
 * refused). As in Flyway's naming, the description may hold any character (dots and further double
 * underscores included) or be left out ({@code V6.1.sql}, {@code R__.sql}), and underscores in it
 * read as spaces (nothing trimmed, as Flyway records it; {@code MigrationNameTest} compares every
 * kind of name with Flyway's own parser). The text is the file's content, decoded as UTF-8 unless
 * the script declares another encoding, without a byte-order mark; line ends are kept as written
 * (PostgreSQL and Flyway's checksum accept both).
 *
 * @param settings the script's own settings, from its header's directives and its {@code .sql.conf}
 *     file ({@link ScriptDirectives})
 */
public record MigrationScript(
    Kind kind,
    Version version,
    String description,
    String fileName,
    String sql,
    ScriptSettings settings) {

  /** What the script is: a migration of some kind, its undo, or a callback. */
  public enum Kind {
    VERSIONED,
    UNDO,
    /** {@code B<version>__<description>.sql}: the schema at its version in one script. */
    BASELINE,
    /** {@code R__<description>.sql}: no version; {@link #version()} is null. */
    REPEATABLE,
    /**
     * {@code <event>[__<description>].sql}, the event one of Flyway's callback events ({@link
     * #callbackEvent()}); no version.
     */
    CALLBACK
  }

  /** Callback events whose SQL Flyway runs per statement, a feature of its paid editions. */
  private static final Set<Event> PER_STATEMENT =
      EnumSet.of(
          Event.BEFORE_EACH_MIGRATE_STATEMENT,
          Event.AFTER_EACH_MIGRATE_STATEMENT,
          Event.AFTER_EACH_MIGRATE_STATEMENT_ERROR,
          Event.BEFORE_EACH_UNDO_STATEMENT,
          Event.AFTER_EACH_UNDO_STATEMENT,
          Event.AFTER_EACH_UNDO_STATEMENT_ERROR);

  /** Callback events of Flyway's undo, which the migrator's own undo does not fire. */
  private static final Set<Event> UNDO =
      EnumSet.of(
          Event.BEFORE_UNDO,
          Event.BEFORE_EACH_UNDO,
          Event.AFTER_EACH_UNDO,
          Event.AFTER_EACH_UNDO_ERROR,
          Event.AFTER_UNDO,
          Event.AFTER_UNDO_ERROR);

  private static final String BOM = "\uFEFF";

  /**
   * Builds a script from its file name and content, named as Flyway names them by default.
   *
   * @throws MigrationException with {@link FailureReason#InvalidMigrationSet} when the name is not
   *     a migration file name
   */
  public static MigrationScript of(String fileName, String sql) {
    return of(fileName, sql, MigrationNaming.DEFAULT);
  }

  /**
   * Builds a script from its file name and content, named by {@code naming}.
   *
   * @throws MigrationException with {@link FailureReason#InvalidMigrationSet} when the name is not
   *     a migration file name
   */
  public static MigrationScript of(String fileName, String sql, MigrationNaming naming) {
    return of(
        fileName, sql, ScriptDirectives.settings(ScriptDirectives.header(fileName, sql)), naming);
  }

  private static MigrationScript of(
      String fileName, String sql, ScriptSettings settings, MigrationNaming naming) {
    MigrationNaming.Name name = naming.parse(nameOf(fileName));
    if (name == null) {
      throw new MigrationException(
          FailureReason.InvalidMigrationSet,
          "'" + fileName + "' is not a migration file name: " + naming.rule());
    }
    if (name.kind() == Kind.CALLBACK) {
      return callback(fileName, name.event(), name.description(), sql, settings);
    }
    return new MigrationScript(
        name.kind(),
        name.version() == null ? null : Version.parse(name.version()),
        name.description(),
        fileName,
        sql,
        settings);
  }

  private static MigrationScript callback(
      String fileName, Event event, String description, String sql, ScriptSettings settings) {
    if (PER_STATEMENT.contains(event)) {
      throw new MigrationException(
          FailureReason.InvalidMigrationSet,
          fileName
              + " is a per-statement callback ("
              + event.getId()
              + "), which the migrator does not run (in Flyway they belong to its paid"
              + " editions): remove it, or move its SQL into a beforeEachMigrate or"
              + " afterEachMigrate callback");
    }
    if (UNDO.contains(event)) {
      throw new MigrationException(
          FailureReason.InvalidMigrationSet,
          fileName
              + " is an undo callback ("
              + event.getId()
              + "), but the migrator's undo runs no callbacks: remove it, or put its SQL into"
              + " the undo scripts");
    }
    return new MigrationScript(Kind.CALLBACK, null, description, fileName, sql, settings);
  }

  /** The Flyway event a callback script runs on, or null for a migration script. */
  public Event callbackEvent() {
    if (kind != Kind.CALLBACK) {
      return null;
    }
    // A callback's prefix is its event, the longest that starts its name, as Flyway reads it.
    Event found = null;
    for (Event event : Event.values()) {
      if (name().startsWith(event.getId())
          && (found == null || event.getId().length() > found.getId().length())) {
        found = event;
      }
    }
    return found;
  }

  /**
   * The file's own name, without the sub-folder of the set it sits in: {@code V2__x.sql} for {@code
   * data/V2__x.sql}. Flyway reads the kind, version and description from it, as the migrator does;
   * {@link #fileName()} is the path within the set, which Flyway records.
   */
  public String name() {
    return nameOf(fileName);
  }

  private static String nameOf(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  /** The version as text, or null for a script without one (a repeatable migration). */
  public String versionText() {
    return version == null ? null : version.toString();
  }

  /**
   * Builds a script from its file name and raw bytes, which must be UTF-8 (a leading byte-order
   * mark is dropped, as Flyway drops it) unless the script declares its encoding.
   *
   * @throws MigrationException with {@link FailureReason#InvalidMigrationSet} naming the file and
   *     the line when the bytes are not in the script's encoding
   */
  public static MigrationScript of(String fileName, byte[] content) {
    return of(fileName, content, null, null);
  }

  /**
   * Builds a script from its file name, its raw bytes and its script configuration file ({@code
   * V3__x.sql.conf}, Flyway's per-script settings), whose settings join the header's ({@link
   * ScriptDirectives}). The content is decoded in the encoding the file or the header declares,
   * else as UTF-8; a leading byte-order mark is dropped, as Flyway drops it.
   *
   * @param confFileName the configuration file's path within the set, or null when there is none
   * @param conf the configuration file's text, or null
   * @throws MigrationException with {@link FailureReason#InvalidMigrationSet} naming the file and
   *     the line when the bytes are not in the script's encoding, or a setting is not one
   */
  public static MigrationScript of(
      String fileName, byte[] content, String confFileName, String conf) {
    return of(fileName, content, confFileName, conf, MigrationNaming.DEFAULT);
  }

  /**
   * {@link #of(String, byte[], String, String)} for a set named by {@code naming}.
   *
   * @throws MigrationException with {@link FailureReason#InvalidMigrationSet}
   */
  public static MigrationScript of(
      String fileName, byte[] content, String confFileName, String conf, MigrationNaming naming) {
    List<ScriptDirectives.Directive> fromConf =
        conf == null ? List.of() : ScriptDirectives.conf(confFileName, conf);
    String declared =
        fromConf.stream()
            .filter(directive -> directive.name().equals(ScriptDirectives.ENCODING))
            .map(ScriptDirectives.Directive::value)
            .reduce((first, second) -> second)
            .orElseGet(() -> ScriptDirectives.declaredEncoding(fileName, content));
    Charset charset = StandardCharsets.UTF_8;
    if (declared != null) {
      // An unknown encoding, or two different ones, is refused naming the file and the line.
      List<ScriptDirectives.Directive> all =
          new ArrayList<>(ScriptDirectives.header(fileName, ScriptDirectives.asciiHeader(content)));
      all.addAll(fromConf);
      ScriptDirectives.settings(all);
      charset = Charset.forName(declared);
    }
    String text;
    try {
      text =
          charset
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(content))
              .toString();
    } catch (CharacterCodingException e) {
      throw new MigrationException(
          FailureReason.InvalidMigrationSet,
          fileName
              + " is not valid "
              + charset.name()
              + " (line "
              + lineOfFirstInvalidByte(content, charset)
              + "): save it as "
              + charset.name()
              + (declared == null
                  ? ", or declare its encoding (-- flyway:encoding=<name> in its header, or"
                      + " encoding=<name> in its .sql.conf file)"
                  : ", or declare the encoding it is written in"));
    }
    int nul = text.indexOf('\0');
    if (nul >= 0 && declared == null) {
      throw new MigrationException(
          FailureReason.InvalidMigrationSet,
          fileName
              + " contains a NUL byte (line "
              + (text.substring(0, nul).lines().count() + (nul == 0 ? 1 : 0))
              + "): is it UTF-16? Save it as UTF-8, or declare its encoding"
              + " (encoding=UTF-16 in its .sql.conf file)");
    }
    String sql = text.startsWith(BOM) ? text.substring(1) : text;
    List<ScriptDirectives.Directive> directives =
        new ArrayList<>(ScriptDirectives.header(fileName, sql));
    directives.addAll(fromConf);
    return of(fileName, sql, ScriptDirectives.settings(directives), naming);
  }

  static int lineOfFirstInvalidByte(byte[] content, Charset charset) {
    var decoder =
        charset
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    int line = 1;
    int start = 0;
    for (int i = 0; i <= content.length; i++) {
      if (i == content.length || content[i] == '\n') {
        try {
          decoder.reset().decode(ByteBuffer.wrap(content, start, i - start));
        } catch (CharacterCodingException e) {
          return line;
        }
        line++;
        start = i + 1;
      }
    }
    return line;
  }

  @Override
  public String toString() {
    return fileName;
  }
}
