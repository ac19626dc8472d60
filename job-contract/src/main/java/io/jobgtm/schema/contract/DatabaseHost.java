package io.jobgtm.schema.contract;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one grammar of a database host ({@code spec.database.host}, {@link JobEnvironment#DB_HOST}):
 * the CRD's pattern is {@link #PATTERN}, and the migrator refuses anything else before a driver
 * sees it. A host is one of:
 *
 * <ul>
 *   <li>a host name (RFC 1123 section 2.1): labels of letters, digits and hyphens, 1 to 63
 *       characters, neither starting nor ending with a hyphen, joined by dots, such as {@code
 *       postgres} or {@code postgres.db.svc.cluster.local}. An IPv4 address such as {@code
 *       10.0.0.7} has this form too. No trailing dot: the driver compares the host as written with
 *       the server's certificate, so {@code db.example.} would never match a certificate for {@code
 *       db.example} under {@code verify-full};
 *   <li>an IPv6 address in hexadecimal notation, with at most one {@code ::} (RFC 4291 section 2.2,
 *       forms 1 and 2), such as {@code fd00::1}, without brackets, a zone ({@code %eth0}) or an
 *       embedded IPv4 address.
 * </ul>
 *
 * <p>At most {@link #MAX_LENGTH} characters. Why it matters: the PostgreSQL JDBC driver puts the
 * host into its connection URL as it is, so a host with {@code /}, {@code ?}, {@code &}, {@code :}
 * or {@code ,} would add other servers or connection parameters, such as {@code sslmode=disable} or
 * a class to instantiate ({@code sslfactory}, {@code socketFactory}; see CVE-2022-21724).
 */
public final class DatabaseHost {

  /** The most characters of a host: a DNS name's limit (RFC 1035 section 2.3.4). */
  public static final int MAX_LENGTH = 253;

  private static final String LABEL = "[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?";

  /** A host name (or an IPv4 address), without anchors. */
  public static final String NAME_REGEX = LABEL + "(\\." + LABEL + ")*";

  private static final String H = "[0-9A-Fa-f]{1,4}";

  /** An IPv6 address in hexadecimal notation, without anchors. */
  public static final String IPV6_REGEX =
      "("
          + ("(" + H + ":){7}" + H)
          + ("|(" + H + ":){1,7}:")
          + ("|(" + H + ":){1,6}:" + H)
          + ("|(" + H + ":){1,5}(:" + H + "){1,2}")
          + ("|(" + H + ":){1,4}(:" + H + "){1,3}")
          + ("|(" + H + ":){1,3}(:" + H + "){1,4}")
          + ("|(" + H + ":){1,2}(:" + H + "){1,5}")
          + ("|" + H + ":(:" + H + "){1,6}")
          + ("|:((:" + H + "){1,7}|:)")
          + ")";

  /** The grammar anchored, as an OpenAPI {@code pattern} (RE2 and Java agree on it). */
  public static final String PATTERN = "^(" + NAME_REGEX + "|" + IPV6_REGEX + ")$";

  /** The grammar in words, for descriptions and error messages. */
  public static final String DESCRIPTION =
      "a host name (letters, digits and hyphens in dot-separated labels of at most 63 characters,"
          + " no trailing dot), an IPv4 address or an IPv6 address without brackets, at most 253"
          + " characters";

  private static final Pattern GRAMMAR = Pattern.compile(PATTERN);
  private static final Pattern IPV6 = Pattern.compile("^" + IPV6_REGEX + "$");

  private DatabaseHost() {}

  /** Whether the text is a host by this grammar. */
  public static boolean isValid(String host) {
    return host != null && host.length() <= MAX_LENGTH && GRAMMAR.matcher(host).matches();
  }

  /** Whether the text is an IPv6 address by this grammar. */
  public static boolean isIpv6(String host) {
    return host != null && host.length() <= MAX_LENGTH && IPV6.matcher(host).matches();
  }

  /**
   * Why the text is not a host, in words that never repeat the text itself (it may be anything a
   * user or an attacker wrote): its length, or the first character that cannot appear, by position
   * and code point. Empty when it is a host.
   */
  public static Optional<String> problem(String host) {
    if (host == null || host.isEmpty()) {
      return Optional.of("it is empty");
    }
    if (isValid(host)) {
      return Optional.empty();
    }
    if (host.length() > MAX_LENGTH) {
      return Optional.of("it has " + host.length() + " characters, more than " + MAX_LENGTH);
    }
    boolean maybeIpv6 = host.indexOf(':') >= 0;
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      boolean allowed =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '.'
              || (maybeIpv6 && c == ':');
      if (!allowed) {
        return Optional.of(
            "character "
                + (i + 1)
                + " ("
                + (c > 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c))
                + ") cannot appear in a host");
      }
    }
    if (maybeIpv6) {
      return Optional.of("it has a colon but is not an IPv6 address");
    }
    if (host.endsWith(".")) {
      return Optional.of("it ends with a dot");
    }
    return Optional.of(
        "a label is empty, longer than 63 characters, or starts or ends with a hyphen");
  }
}
