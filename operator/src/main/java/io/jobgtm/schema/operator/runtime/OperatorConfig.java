package io.jobgtm.schema.operator.runtime;

import io.jobgtm.schema.api.MigrationImage;
import io.jobgtm.schema.api.ShadowSpec;
import io.jobgtm.schema.contract.Durations;
import io.jobgtm.schema.operator.decide.RetryPolicy;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The operator's settings, one typed place with defaults and descriptions. Each is read from an
 * environment variable; the Helm chart sets them from its values.
 *
 * @param migratorImage the image migration Jobs run unless a SchemaVersion names another
 * @param watchNamespaces the namespaces to watch; empty means the whole cluster
 * @param httpPort the port of the metrics and health endpoints
 * @param leaderElection whether replicas elect a leader through a Lease
 * @param leaseName the Lease's name
 * @param leaseNamespace the Lease's namespace; null means the operator's own
 * @param retries how transient migration failures are retried
 * @param shadowImage the image of migration Jobs' shadow database unless a SchemaVersion names
 *     another ({@code spec.shadow.image})
 */
public record OperatorConfig(
    String migratorImage,
    Set<String> watchNamespaces,
    int httpPort,
    boolean leaderElection,
    String leaseName,
    String leaseNamespace,
    RetryPolicy retries,
    String shadowImage) {

  /** Settings with the default shadow image. */
  public OperatorConfig(
      String migratorImage,
      Set<String> watchNamespaces,
      int httpPort,
      boolean leaderElection,
      String leaseName,
      String leaseNamespace,
      RetryPolicy retries) {
    this(
        migratorImage,
        watchNamespaces,
        httpPort,
        leaderElection,
        leaseName,
        leaseNamespace,
        retries,
        ShadowSpec.DEFAULT_IMAGE);
  }

  /** Settings with the default retry policy. */
  public OperatorConfig(
      String migratorImage,
      Set<String> watchNamespaces,
      int httpPort,
      boolean leaderElection,
      String leaseName,
      String leaseNamespace) {
    this(
        migratorImage,
        watchNamespaces,
        httpPort,
        leaderElection,
        leaseName,
        leaseNamespace,
        RetryPolicy.DEFAULT);
  }

  /** One setting: its environment variable, default and description. */
  public record Option<T>(
      String env, String defaultValue, String description, Function<String, T> parse) {
    T read(Map<String, String> environment) {
      String value = environment.getOrDefault(env, defaultValue);
      try {
        return parse.apply(value == null ? null : value.trim());
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            env + "='" + value + "' is not valid: " + e.getMessage(), e);
      }
    }
  }

  public static final Option<String> MIGRATOR_IMAGE =
      new Option<>(
          "SCHEMA_OPERATOR_MIGRATOR_IMAGE",
          "schema-operator:dev",
          "Image of migration Jobs; the chart sets the operator's own image.",
          Function.identity());

  public static final Option<Set<String>> WATCH_NAMESPACES =
      new Option<>(
          "SCHEMA_OPERATOR_WATCH_NAMESPACES",
          "",
          "Comma-separated namespaces to watch; empty watches the whole cluster.",
          OperatorConfig::namespaces);

  public static final Option<Integer> HTTP_PORT =
      new Option<>(
          "SCHEMA_OPERATOR_HTTP_PORT",
          "8080",
          "Port of /metrics, /healthz and /readyz.",
          Integer::valueOf);

  public static final Option<Boolean> LEADER_ELECTION =
      new Option<>(
          "SCHEMA_OPERATOR_LEADER_ELECTION",
          "true",
          "Elect a leader through a Lease so that only one replica reconciles.",
          OperatorConfig::bool);

  public static final Option<String> LEASE_NAME =
      new Option<>(
          "SCHEMA_OPERATOR_LEASE_NAME",
          "schema-operator-leader",
          "Name of the leader election Lease.",
          Function.identity());

  public static final Option<String> LEASE_NAMESPACE =
      new Option<>(
          "SCHEMA_OPERATOR_LEASE_NAMESPACE",
          null,
          "Namespace of the Lease; defaults to the operator's own namespace.",
          value -> value == null || value.isEmpty() ? null : value);

  public static final Option<Duration> RETRY_INITIAL_DELAY =
      new Option<>(
          "SCHEMA_OPERATOR_RETRY_INITIAL_DELAY",
          Durations.format(RetryPolicy.DEFAULT.initialDelay()),
          "Wait before the first retry of a migration Job that failed with a transient reason"
              + " (such as 30s); each further retry waits twice as long.",
          Durations::parse);

  public static final Option<Duration> RETRY_MAX_DELAY =
      new Option<>(
          "SCHEMA_OPERATOR_RETRY_MAX_DELAY",
          Durations.format(RetryPolicy.DEFAULT.maxDelay()),
          "Longest wait between two retries (such as 10m).",
          Durations::parse);

  public static final Option<Integer> RETRY_LIMIT =
      new Option<>(
          "SCHEMA_OPERATOR_RETRY_LIMIT",
          String.valueOf(RetryPolicy.DEFAULT.limit()),
          "Retries of a transient failure before the SchemaVersion is Stalled (RetriesExhausted);"
              + " 0 for none.",
          Integer::valueOf);

  public static final Option<String> SHADOW_IMAGE =
      new Option<>(
          "SCHEMA_OPERATOR_SHADOW_IMAGE",
          ShadowSpec.DEFAULT_IMAGE,
          "Image of the shadow database in migration Jobs unless spec.shadow.image names one: an"
              + " official-style PostgreSQL image of the databases' major version, such as a"
              + " mirror of "
              + ShadowSpec.DEFAULT_IMAGE
              + " in an air-gapped cluster.",
          OperatorConfig::imageReference);

  /** Every option, for documentation. */
  public static final List<Option<?>> OPTIONS =
      List.of(
          MIGRATOR_IMAGE,
          WATCH_NAMESPACES,
          HTTP_PORT,
          LEADER_ELECTION,
          LEASE_NAME,
          LEASE_NAMESPACE,
          RETRY_INITIAL_DELAY,
          RETRY_MAX_DELAY,
          RETRY_LIMIT,
          SHADOW_IMAGE);

  /** Reads every option from the environment, naming the variable of any bad value. */
  public static OperatorConfig from(Map<String, String> environment) {
    return new OperatorConfig(
        MIGRATOR_IMAGE.read(environment),
        WATCH_NAMESPACES.read(environment),
        HTTP_PORT.read(environment),
        LEADER_ELECTION.read(environment),
        LEASE_NAME.read(environment),
        LEASE_NAMESPACE.read(environment),
        retries(environment),
        SHADOW_IMAGE.read(environment));
  }

  private static RetryPolicy retries(Map<String, String> environment) {
    Duration initialDelay = RETRY_INITIAL_DELAY.read(environment);
    Duration maxDelay = RETRY_MAX_DELAY.read(environment);
    int limit = RETRY_LIMIT.read(environment);
    try {
      return new RetryPolicy(initialDelay, maxDelay, limit);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          RETRY_INITIAL_DELAY.env()
              + ", "
              + RETRY_MAX_DELAY.env()
              + " and "
              + RETRY_LIMIT.env()
              + " do not fit together: "
              + e.getMessage(),
          e);
    }
  }

  private static Set<String> namespaces(String value) {
    if (value == null || value.isBlank()) {
      return Set.of();
    }
    return Arrays.stream(value.split(","))
        .map(String::trim)
        .filter(name -> !name.isEmpty())
        .collect(Collectors.toUnmodifiableSet());
  }

  private static String imageReference(String value) {
    if (value == null
        || value.length() > MigrationImage.MAX_REFERENCE_LENGTH
        || !value.matches(MigrationImage.REFERENCE_PATTERN)) {
      throw new IllegalArgumentException(
          "use an image reference, [host[:port]/]path[:tag][@digest] with a lowercase path");
    }
    return value;
  }

  private static boolean bool(String value) {
    if ("true".equalsIgnoreCase(value)) {
      return true;
    }
    if ("false".equalsIgnoreCase(value)) {
      return false;
    }
    throw new IllegalArgumentException("use true or false");
  }
}
