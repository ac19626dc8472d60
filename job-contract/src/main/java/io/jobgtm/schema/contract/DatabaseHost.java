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
 *       postgres} or {@code postgres.db.svc.cluster.local}. No trailing dot: the driver compares
 *       the host as written with the server's certificate, so {@code db.example.} would never match
 *       a certificate for {@code db.example} under {@code verify-full}. A name whose last label
 *       reads as a number (all digits, or {@code 0x} and hexadecimal digits: {@link
 *       #NUMERIC_LAST_LABEL_REGEX}) must be an IPv4 address, below;
 *   <li>an IPv4 address in dotted decimal, four numbers from 0 to 255 without leading zeros ({@link
 *       #IPV4_REGEX}), such as {@code 10.0.0.7}. Other forms mean different addresses to different
 *       parsers: the C library's {@code inet_aton} (psql, most tools) reads {@code 010.0.0.1} as
 *       octal, 8.0.0.1, and Java as 10.0.0.1; {@code 127.1}, {@code 2130706433} and {@code 0x7f.1}
 *       are 127.0.0.1 to the C library. Top-level domains are never all numeric (RFC 3696 section
 *       2), so no name is lost;
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

  private static final String OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";

  /**
   * An IPv4 address in dotted decimal without leading zeros, without anchors. The dots are written
   * {@code [.]} so that the text needs no escape inside a CEL string.
   */
  public static final String IPV4_REGEX = "(" + OCTET + "[.]){3}" + OCTET;

  /**
   * A last label that the C library's {@code inet_aton} reads as a number (decimal, octal with a
   * leading zero, or hexadecimal after {@code 0x}), unanchored at its start: a name it matches must
   * be an {@link #IPV4_REGEX} address.
   */
  public static final String NUMERIC_LAST_LABEL_REGEX = "(^|[.])([0-9]+|0[xX][0-9A-Fa-f]*)$";

  /**
   * The CEL rule on the host that adds {@link #NUMERIC_LAST_LABEL_REGEX} to {@link #PATTERN} (an
   * OpenAPI pattern cannot say "not"): a host whose last label reads as a number is an IPv4 address
   * in dotted decimal.
   */
  public static final String NUMERIC_RULE =
      "!self.matches('" + NUMERIC_LAST_LABEL_REGEX + "') || self.matches('^" + IPV4_REGEX + "$')";

  /** What {@link #NUMERIC_RULE} refuses, in words. */
  public static final String NUMERIC_PROBLEM =
      "its last label is a number, so it must be an IPv4 address in dotted decimal: four numbers"
          + " from 0 to 255 without leading zeros";

  /**
   * The grammar anchored, as an OpenAPI {@code pattern} (RE2 and Java agree on it); with {@link
   * #NUMERIC_RULE} it is the whole grammar.
   */
  public static final String PATTERN = "^(" + NAME_REGEX + "|" + IPV6_REGEX + ")$";

  /** The grammar in words, for descriptions and error messages. */
  public static final String DESCRIPTION =
      "a host name (letters, digits and hyphens in dot-separated labels of at most 63 characters,"
          + " no trailing dot, the last label not a number), an IPv4 address in dotted decimal"
          + " without leading zeros, or an IPv6 address without brackets, at most 253 characters";

  private static final Pattern GRAMMAR = Pattern.compile(PATTERN);
  private static final Pattern IPV6 = Pattern.compile("^" + IPV6_REGEX + "$");
  private static final Pattern IPV4 = Pattern.compile("^" + IPV4_REGEX + "$");
  private static final Pattern NUMERIC_LAST_LABEL = Pattern.compile(NUMERIC_LAST_LABEL_REGEX);

  private DatabaseHost() {}

  /** Whether the text is a host by this grammar. */
  public static boolean isValid(String host) {
    return host != null
        && host.length() <= MAX_LENGTH
        && GRAMMAR.matcher(host).matches()
        && !readsAsAnotherNumber(host);
  }

  private static boolean readsAsAnotherNumber(String host) {
    return NUMERIC_LAST_LABEL.matcher(host).find() && !IPV4.matcher(host).matches();
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
    if (GRAMMAR.matcher(host).matches()) {
      return Optional.of(NUMERIC_PROBLEM);
    }
    return Optional.of(
        "a label is empty, longer than 63 characters, or starts or ends with a hyphen");
  }
}
