package io.jobgtm.schema.operator.act;

import io.jobgtm.schema.contract.Version;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The operator's Prometheus metrics (documented in docs/operations.md):
 *
 * <ul>
 *   <li>{@code schema_operator_migrations_applied_total{namespace,name}}
 *   <li>{@code schema_operator_migration_failures_total{namespace,name,reason}}
 *   <li>{@code schema_operator_migration_job_duration_seconds{namespace,name,outcome}}
 *   <li>{@code schema_operator_reconciliations_total}: reconciliations run
 *   <li>{@code schema_operator_schema_drifted{namespace,name}}: 1 while the Drifted condition is
 *       True, 0 while it is False; absent before the first verification and while it is Unknown
 *   <li>{@code schema_operator_current_version{namespace,name}}: the version's first two parts as a
 *       number ({@code 2.1} for {@code 2.1.3}), so alerts can compare it
 * </ul>
 */
public final class OperatorMetrics {

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, AtomicReference<Double>> versions = new ConcurrentHashMap<>();
  private final Map<String, AtomicReference<Double>> drifts = new ConcurrentHashMap<>();

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The metrics in the Prometheus text format. */
  public String scrape() {
    return registry.scrape();
  }

  /** Counts one reconciliation. */
  public void reconciled() {
    Counter.builder("schema_operator_reconciliations")
        .description("SchemaVersion reconciliations run")
        .register(registry)
        .increment();
  }

  /** Records what a finished migration Job reported. */
  public void jobFinished(
      String namespace,
      String name,
      String outcome,
      String failureReason,
      int applied,
      Duration duration) {
    Counter.builder("schema_operator_migrations_applied")
        .description("Migrations applied by migration Jobs")
        .tags("namespace", namespace, "name", name)
        .register(registry)
        .increment(applied);
    if (failureReason != null) {
      Counter.builder("schema_operator_migration_failures")
          .description("Migration Jobs that failed, by reason")
          .tags("namespace", namespace, "name", name, "reason", failureReason)
          .register(registry)
          .increment();
    }
    if (duration != null) {
      Timer.builder("schema_operator_migration_job_duration")
          .description("How long migration Jobs ran")
          .tags("namespace", namespace, "name", name, "outcome", outcome)
          .register(registry)
          .record(duration);
    }
  }

  /** Sets the current schema version of a resource. */
  public void currentVersion(String namespace, String name, String version) {
    Double value = numeric(version);
    if (value == null) {
      return;
    }
    versions
        .computeIfAbsent(
            namespace + "/" + name,
            key -> {
              AtomicReference<Double> holder = new AtomicReference<>(value);
              Gauge.builder("schema_operator_current_version", holder, AtomicReference::get)
                  .description("Current schema version of a SchemaVersion (major.minor)")
                  .tags("namespace", namespace, "name", name)
                  .register(registry);
              return holder;
            })
        .set(value);
  }

  /**
   * Sets whether a resource's schema drifted, from its Drifted condition's status: True 1, False 0;
   * Unknown or none removes the series.
   */
  public void drifted(String namespace, String name, String conditionStatus) {
    Double value = null;
    if ("True".equals(conditionStatus)) {
      value = 1.0;
    } else if ("False".equals(conditionStatus)) {
      value = 0.0;
    }
    String key = namespace + "/" + name;
    if (value == null) {
      removeDrift(namespace, name);
      return;
    }
    drifts
        .computeIfAbsent(
            key,
            k -> {
              AtomicReference<Double> holder = new AtomicReference<>(0.0);
              Gauge.builder("schema_operator_schema_drifted", holder, AtomicReference::get)
                  .description(
                      "1 while a SchemaVersion's live schema differs from its migration set"
                          + " (Drifted True), 0 while it matches")
                  .tags("namespace", namespace, "name", name)
                  .register(registry);
              return holder;
            })
        .set(value);
  }

  private void removeDrift(String namespace, String name) {
    if (drifts.remove(namespace + "/" + name) != null) {
      registry
          .find("schema_operator_schema_drifted")
          .tags("namespace", namespace, "name", name)
          .meters()
          .forEach(registry::remove);
    }
  }

  /** Forgets a deleted resource. */
  public void removed(String namespace, String name) {
    removeDrift(namespace, name);
    if (versions.remove(namespace + "/" + name) != null) {
      registry
          .find("schema_operator_current_version")
          .tags("namespace", namespace, "name", name)
          .meters()
          .forEach(registry::remove);
    }
  }

  static Double numeric(String version) {
    if (!Version.isValid(version)) {
      return null;
    }
    String[] parts = version.split("[._]");
    return Double.valueOf(parts[0] + (parts.length > 1 ? "." + parts[1] : ""));
  }
}
