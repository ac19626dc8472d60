package io.jobgtm.schema.migrator;

import io.jobgtm.schema.contract.FailureReason;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.UnsupportedCharsetException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one grammar for a script's own settings, read from two places: directives in the script's
 * header, and Flyway's script configuration file beside it ({@code V3__x.sql.conf}).
 *
 * <p>A directive is a line comment in the header, the comments and blank lines before the first
 * statement:
 *
 * <pre>
 * -- flyway:executeInTransaction=false
 * -- schema-operator:&lt;setting&gt;=&lt;value&gt;
 * </pre>
 *
 * The namespace ({@code flyway} or {@code schema-operator}, in any case) is followed by a colon,
 * the setting's name (case as written below), {@code =} and the value; blanks around the name, the
 * {@code =} and the value are allowed. A comment whose text after the colon is no {@code
 * name=value} ({@code -- flyway: applied by hand in 2019}) is an ordinary comment. A directive
 * below the first statement is refused, as it would otherwise be silently ignored.
 *
 * <p>The {@code flyway} namespace holds Flyway's community script settings, with Flyway's names and
 * values (Flyway's "Script Configuration" reference): {@code executeInTransaction} and {@code
 * placeholderReplacement} ({@code true} or {@code false}, in any case), {@code encoding} (a charset
 * name Java knows, such as {@code ISO-8859-1}). A {@code .sql.conf} file holds the same settings as
 * {@code name=value} lines (blank lines and lines starting with {@code #} or {@code !} are
 * comments), as Flyway reads it; Flyway itself reads only the file, not the header. Flyway's {@code
 * shouldExecute} (a paid edition's) and any other name are refused, naming the file and the line;
 * so is a setting given twice with different values (in the header and in the file). The {@code
 * schema-operator} namespace is this project's own and holds no setting yet: any name in it is
 * refused, so that a script written for a later version fails clearly instead of running
 * differently.
 */
final class ScriptDirectives {

  /** Flyway's namespace for its script settings. */
  static final String FLYWAY = "flyway";

  /** This project's own namespace. */
  static final String SCHEMA_OPERATOR = "schema-operator";

  static final String EXECUTE_IN_TRANSACTION = "executeInTransaction";
  static final String ENCODING = "encoding";
  static final String PLACEHOLDER_REPLACEMENT = "placeholderReplacement";

  private static final List<String> FLYWAY_SETTINGS =
      List.of(EXECUTE_IN_TRANSACTION, ENCODING, PLACEHOLDER_REPLACEMENT);

  private static final Pattern DIRECTIVE =
      Pattern.compile(
          "\\s*--\\s*(?i:(flyway|schema-operator)):\\s*([A-Za-z][A-Za-z0-9_.-]*)\\s*=(.*)");

  // A Java properties line, as Flyway loads the file: the name ends at "=", ":" or a blank.
  private static final Pattern CONF_LINE = Pattern.compile("\\s*([^=:\\s]+)(?:\\s*[=:]|\\s+)(.*)");

  private ScriptDirectives() {}

  /**
   * One setting as written.
   *
   * @param namespace {@link #FLYWAY} or {@link #SCHEMA_OPERATOR}, lower case
   * @param name the setting's name as written
   * @param value the value, without surrounding blanks
   * @param where the file and line it was read from, for messages ({@code V3__x.sql line 2})
   */
  record Directive(String namespace, String name, String value, String where) {}

  /**
   * The directives of a script's header; refuses one below the first statement.
   *
   * @param fileName the script's path within the set, for messages
   * @throws MigrationException with {@link FailureReason#InvalidMigrationSet}
   */
  static List<Directive> header(String fileName, String text) {
    List<Directive> directives = new ArrayList<>();
    String[] lines = text.split("\r\n|\r|\n", -1);
    boolean inHeader = true;
    boolean inBlockComment = false;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      Matcher matcher = DIRECTIVE.matcher(line);
      boolean directive = !inBlockComment && matcher.matches();
      if (directive) {
        String where = fileName + " line " + (i + 1);
        if (!inHeader) {
          throw new MigrationException(
              FailureReason.InvalidMigrationSet,
              where
                  + ": the directive "
                  + line.strip()
                  + " is below the first statement, where it is not read: move it into the"
                  + " script's header, the comments before the first statement");
        }
        directives.add(
            new Directive(
                matcher.group(1).toLowerCase(Locale.ROOT),
                matcher.group(2),
                matcher.group(3).strip(),
                where));
        continue;
      }
      if (inHeader) {
        String rest = line.strip();
        while (!rest.isEmpty()) {
          if (inBlockComment) {
            int end = rest.indexOf("*/");
            if (end < 0) {
              rest = "";
            } else {
              inBlockComment = false;
              rest = rest.substring(end + 2).strip();
            }
          } else if (rest.startsWith("--")) {
            rest = "";
          } else if (rest.startsWith("/*")) {
            inBlockComment = true;
            rest = rest.substring(2);
          } else {
            inHeader = false;
            rest = "";
          }
        }
      }
    }
    return directives;
  }

  /**
   * The text of a script configuration file as Flyway reads it: UTF-8, a leading byte-order mark
   * dropped.
   *
   * @param fileName the configuration file's path within the set, for messages
   * @throws MigrationException with {@link FailureReason#InvalidMigrationSet} naming the line of
   *     the first byte that is not valid UTF-8 (Flyway refuses such a file too)
   */
  static String confText(String fileName, byte[] content) {
    String text;
    try {
      text =
          java.nio.charset.StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
              .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
              .decode(java.nio.ByteBuffer.wrap(content))
              .toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new MigrationException(
          FailureReason.InvalidMigrationSet,
          fileName
              + " is not valid UTF-8 (line "
              + MigrationScript.lineOfFirstInvalidByte(
                  content, java.nio.charset.StandardCharsets.UTF_8)
              + "): save it as UTF-8, the encoding Flyway reads script configuration files in");
    }
    return text.startsWith("\uFEFF") ? text.substring(1) : text;
  }

  /**
   * The settings of a script configuration file ({@code V3__x.sql.conf}), all in the {@link
   * #FLYWAY} namespace.
   *
   * @param fileName the configuration file's path within the set, for messages
   * @throws MigrationException with {@link FailureReason#InvalidMigrationSet} for a line that is
   *     neither a setting nor a comment
   */
  static List<Directive> conf(String fileName, String text) {
    List<Directive> directives = new ArrayList<>();
    String[] lines = text.split("\r\n|\r|\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith("!")) {
        continue;
      }
      String where = fileName + " line " + (i + 1);
      Matcher matcher = CONF_LINE.matcher(line);
      if (!matcher.matches()) {
        throw new MigrationException(
            FailureReason.InvalidMigrationSet,
            where + ": expected a setting written name=value, such as executeInTransaction=false");
      }
      String name = matcher.group(1);
      if (name.startsWith(FLYWAY + ".")) {
        // Flyway refuses it ("Unknown configuration property"), so would a project going back.
        throw new MigrationException(
            FailureReason.InvalidMigrationSet,
            where
                + ": "
                + name
                + " is written as in flyway.conf; a script's configuration file names the setting"
                + " alone, as Flyway reads it: "
                + name.substring(FLYWAY.length() + 1)
                + "="
                + matcher.group(2).strip());
      }
      directives.add(new Directive(FLYWAY, name, matcher.group(2).strip(), where));
    }
    return directives;
  }

  /**
   * The encoding a script declares in its header, read before the script can be decoded: the header
   * is read as ASCII, which every encoding a header can be written in shares. Null when none is
   * declared.
   */
  static String declaredEncoding(String fileName, byte[] content) {
    String declared = null;
    for (Directive directive : header(fileName, asciiHeader(content))) {
      if (directive.namespace().equals(FLYWAY) && directive.name().equals(ENCODING)) {
        declared = directive.value();
      }
    }
    return declared;
  }

  /**
   * The file's bytes read as ASCII, to find its header's directives before it can be decoded; a
   * UTF-8 byte-order mark in front is skipped, as it is dropped from the decoded text, so that the
   * header's first line stays a comment.
   */
  static String asciiHeader(byte[] content) {
    int start =
        content.length >= 3
                && content[0] == (byte) 0xEF
                && content[1] == (byte) 0xBB
                && content[2] == (byte) 0xBF
            ? 3
            : 0;
    return new String(
        content, start, content.length - start, java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  /**
   * Reads the settings out of directives, from the header and the configuration file together.
   *
   * @throws MigrationException with {@link FailureReason#InvalidMigrationSet} naming the file and
   *     line of an unknown setting, a bad value, or one setting given two different values
   */
  static ScriptSettings settings(List<Directive> directives) {
    Map<String, Directive> seen = new LinkedHashMap<>();
    for (Directive directive : directives) {
      String key = directive.namespace() + ":" + directive.name();
      if (directive.namespace().equals(SCHEMA_OPERATOR)) {
        throw new MigrationException(
            FailureReason.InvalidMigrationSet,
            directive.where()
                + ": "
                + key
                + " is not a setting of this version of the migrator (the schema-operator"
                + " namespace holds none yet): remove it");
      }
      if (directive.name().equals("shouldExecute")) {
        throw new MigrationException(
            FailureReason.InvalidMigrationSet,
            directive.where()
                + ": shouldExecute is a setting of Flyway's paid editions, which the migrator"
                + " does not evaluate: remove it, and keep scripts that must not run out of the"
                + " set");
      }
      if (!FLYWAY_SETTINGS.contains(directive.name())) {
        throw new MigrationException(
            FailureReason.InvalidMigrationSet,
            directive.where()
                + ": "
                + directive.name()
                + " is not a script setting; the settings are "
                + String.join(", ", FLYWAY_SETTINGS));
      }
      checkValue(directive);
      Directive earlier = seen.putIfAbsent(key, directive);
      if (earlier != null && !sameValue(earlier, directive)) {
        throw new MigrationException(
            FailureReason.InvalidMigrationSet,
            directive.where()
                + ": "
                + directive.name()
                + " is "
                + directive.value()
                + " here and "
                + earlier.value()
                + " in "
                + earlier.where()
                + ": give it once");
      }
    }
    return new ScriptSettings(
        bool(seen.get(FLYWAY + ":" + EXECUTE_IN_TRANSACTION)),
        seen.containsKey(FLYWAY + ":" + ENCODING)
            ? Charset.forName(seen.get(FLYWAY + ":" + ENCODING).value()).name()
            : null,
        bool(seen.get(FLYWAY + ":" + PLACEHOLDER_REPLACEMENT)),
        seen.values().stream().map(Directive::where).toList());
  }

  private static void checkValue(Directive directive) {
    if (directive.name().equals(ENCODING)) {
      try {
        Charset.forName(directive.value());
      } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
        throw new MigrationException(
            FailureReason.InvalidMigrationSet,
            directive.where()
                + ": encoding '"
                + directive.value()
                + "' is not an encoding Java knows (such as UTF-8, ISO-8859-1, windows-1252,"
                + " UTF-16)");
      }
    } else if (!directive.value().equalsIgnoreCase("true")
        && !directive.value().equalsIgnoreCase("false")) {
      throw new MigrationException(
          FailureReason.InvalidMigrationSet,
          directive.where()
              + ": "
              + directive.name()
              + " must be true or false, not '"
              + directive.value()
              + "'");
    }
  }

  private static boolean sameValue(Directive one, Directive other) {
    if (one.name().equals(ENCODING)) {
      return Charset.forName(one.value()).equals(Charset.forName(other.value()));
    }
    return one.value().equalsIgnoreCase(other.value());
  }

  private static Boolean bool(Directive directive) {
    return directive == null ? null : Boolean.valueOf(directive.value().toLowerCase(Locale.ROOT));
  }
}
