package io.jobgtm.schema.operator;

import java.math.BigInteger;

/**
 * Compares schema versions such as {@code 2} and {@code 2.1} part by part, as the migrator does.
 */
final class Versions {

  private Versions() {}

  /** Whether {@code version} reads as a version rather than {@code latest}. */
  static boolean isVersion(String version) {
    return version != null && version.matches("\\d+([._]\\d+)*");
  }

  static int compare(String left, String right) {
    String[] a = left.split("[._]");
    String[] b = right.split("[._]");
    for (int i = 0; i < Math.max(a.length, b.length); i++) {
      BigInteger x = i < a.length ? new BigInteger(a[i]) : BigInteger.ZERO;
      BigInteger y = i < b.length ? new BigInteger(b[i]) : BigInteger.ZERO;
      int compared = x.compareTo(y);
      if (compared != 0) {
        return compared;
      }
    }
    return 0;
  }
}
