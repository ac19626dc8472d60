package io.jobgtm.schema.operator.decide;

import io.jobgtm.schema.operator.observe.MigrationSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Objects;

/**
 * How the operator retries a migration Job that failed with a transient reason: retry {@code n} (1,
 * 2, …) starts {@code initialDelay × 2^(n-1)} after the failed Job finished, at most {@code
 * maxDelay}, less a jitter of up to a fifth so that many resources failing together (a database
 * restart) do not retry together. After {@code limit} retries the resource is Stalled.
 *
 * <p>The jitter is derived from a seed (the resource's UID and the retry number), not drawn at
 * random, so that deciding twice gives the same time and an unchanged resource is never written.
 *
 * <p>These retries nest outside the Job's own: within one Job, Kubernetes runs a failed pod again
 * up to {@code spec.job.backoffLimit} times (its own back-off, 10 s doubling); only when the whole
 * Job has failed does the operator wait for its back-off and start a new Job.
 *
 * @param initialDelay the delay before the first retry, positive
 * @param maxDelay the longest delay, at least {@code initialDelay}
 * @param limit how many retries before giving up, at least 0
 */
public record RetryPolicy(Duration initialDelay, Duration maxDelay, int limit) {

  /** 30 s doubling to 10 min, 8 retries: about an hour of outage before a person is needed. */
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(Duration.ofSeconds(30), Duration.ofMinutes(10), 8);

  /** The largest share of a delay the jitter takes off. */
  private static final double JITTER = 0.2;

  public RetryPolicy {
    Objects.requireNonNull(initialDelay, "initialDelay");
    Objects.requireNonNull(maxDelay, "maxDelay");
    if (initialDelay.isNegative() || initialDelay.isZero()) {
      throw new IllegalArgumentException("the initial retry delay must be positive");
    }
    if (maxDelay.compareTo(initialDelay) < 0) {
      throw new IllegalArgumentException(
          "the longest retry delay must not be shorter than the initial one");
    }
    if (limit < 0) {
      throw new IllegalArgumentException("the retry limit must not be negative");
    }
  }

  /**
   * The delay before retry {@code retry} (1 for the first).
   *
   * @param seed makes the jitter differ between resources; the same seed gives the same delay
   */
  public Duration delay(int retry, String seed) {
    Duration delay = initialDelay;
    for (int i = 1; i < retry && delay.compareTo(maxDelay) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    if (delay.compareTo(maxDelay) > 0) {
      delay = maxDelay;
    }
    long millis = delay.toMillis();
    return Duration.ofMillis(millis - Math.round(millis * JITTER * fraction(seed + "/" + retry)));
  }

  /** A number in [0, 1) that depends only on {@code seed}. */
  private static double fraction(String seed) {
    MessageDigest digest = MigrationSource.sha256();
    byte[] hash = digest.digest(seed.getBytes(StandardCharsets.UTF_8));
    long bits = 0;
    for (int i = 0; i < 7; i++) {
      bits = (bits << 8) | (hash[i] & 0xff);
    }
    return bits / (double) (1L << 56);
  }
}
