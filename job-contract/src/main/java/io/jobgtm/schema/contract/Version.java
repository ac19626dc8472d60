package io.jobgtm.schema.contract;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A migration version such as {@code 2} or {@code 2.1}. Parts are compared numerically, so {@code
 * 1.10} is above {@code 1.9}, and trailing zeros do not count ({@code 1} equals {@code 1.0}).
 */
public final class Version implements Comparable<Version> {

  /** The version below every migration: undoing to it removes every versioned migration. */
  public static final Version ZERO = new Version(List.of(BigInteger.ZERO));

  /**
   * The one version grammar, as a regular expression without anchors: numbers separated by dots or
   * underscores, as in Flyway ({@code 2_1} is {@code 2.1}). The CRD's patterns are built from it.
   */
  public static final String SYNTAX_REGEX = "[0-9]+([._][0-9]+)*";

  /** {@link #SYNTAX_REGEX} anchored, as an OpenAPI {@code pattern}. */
  public static final String PATTERN = "^" + SYNTAX_REGEX + "$";

  private static final Pattern SYNTAX = Pattern.compile(SYNTAX_REGEX);

  private final List<BigInteger> parts;

  private Version(List<BigInteger> parts) {
    this.parts = parts;
  }

  /**
   * Parses a version; {@code _} separates parts like {@code .} does, as in Flyway file names.
   *
   * @throws IllegalArgumentException naming the text when it is not a version
   */
  public static Version parse(String text) {
    if (text == null || !SYNTAX.matcher(text).matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a version: use numbers separated by dots, such as 2 or 2.1");
    }
    List<BigInteger> parts = new ArrayList<>();
    for (String part : text.split("[._]")) {
      parts.add(new BigInteger(part));
    }
    while (parts.size() > 1 && parts.get(parts.size() - 1).signum() == 0) {
      parts.remove(parts.size() - 1);
    }
    return new Version(Collections.unmodifiableList(parts));
  }

  /** Whether the text parses as a version. */
  public static boolean isValid(String text) {
    return text != null && SYNTAX.matcher(text).matches();
  }

  @Override
  public int compareTo(Version other) {
    int length = Math.max(parts.size(), other.parts.size());
    for (int i = 0; i < length; i++) {
      BigInteger left = i < parts.size() ? parts.get(i) : BigInteger.ZERO;
      BigInteger right = i < other.parts.size() ? other.parts.get(i) : BigInteger.ZERO;
      int compared = left.compareTo(right);
      if (compared != 0) {
        return compared;
      }
    }
    return 0;
  }

  public boolean isAbove(Version other) {
    return compareTo(other) > 0;
  }

  public boolean isBelow(Version other) {
    return compareTo(other) < 0;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Version version && compareTo(version) == 0;
  }

  @Override
  public int hashCode() {
    return parts.hashCode();
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder();
    for (BigInteger part : parts) {
      if (text.length() > 0) {
        text.append('.');
      }
      text.append(part);
    }
    return text.toString();
  }
}
