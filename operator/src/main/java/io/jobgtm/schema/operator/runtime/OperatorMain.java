package io.jobgtm.schema.operator.runtime;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.jobgtm.schema.operator.act.MigrationJobFactory;
import io.jobgtm.schema.operator.act.OperatorMetrics;
import io.jobgtm.schema.operator.reconciler.LeanItemStore;
import io.jobgtm.schema.operator.reconciler.SchemaVersionReconciler;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the operator: the SchemaVersion controller, leader election and the HTTP endpoints. */
public final class OperatorMain implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(OperatorMain.class);

  private final Operator operator;
  private final HttpEndpoints endpoints;

  private final AtomicBoolean stopping;
  private final ClusterFeatures clusterFeatures;

  private OperatorMain(
      Operator operator,
      HttpEndpoints endpoints,
      AtomicBoolean stopping,
      ClusterFeatures clusterFeatures) {
    this.operator = operator;
    this.endpoints = endpoints;
    this.stopping = stopping;
    this.clusterFeatures = clusterFeatures;
  }

  public static void main(String[] args) throws InterruptedException {
    OperatorConfig config;
    try {
      config = OperatorConfig.from(System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(2);
      return;
    }
    OperatorMain main = start(new KubernetesClientBuilder().build(), config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  main.close();
                  stopped.countDown();
                },
                "operator-shutdown"));
    stopped.await();
  }

  /** Starts the operator with a client and settings; returns once its watches are running. */
  public static OperatorMain start(KubernetesClient client, OperatorConfig config) {
    ClusterFeatures clusterFeatures = ClusterFeatures.discoverAndLog(client, LOG);
    OperatorMetrics metrics = new OperatorMetrics();
    AtomicBoolean stopping = new AtomicBoolean();
    Operator operator =
        new Operator(
            overrider -> {
              overrider
                  .withKubernetesClient(client)
                  .withCloseClientOnStop(true)
                  .checkingCRDAndValidateLocalModel(false);
              if (config.leaderElection()) {
                overrider.withLeaderElectionConfiguration(leaderElection(config, stopping));
              }
            });
    operator.register(
        new SchemaVersionReconciler(
            new MigrationJobFactory(config.migratorImage(), config.shadowImage()),
            metrics,
            config.retries(),
            Clock.systemUTC()),
        overrider -> {
          // One store per informer: JOSDK shares it between the informers of several namespaces.
          if (config.watchNamespaces().size() <= 1) {
            overrider.withItemStore(LeanItemStore.of());
          }
          if (!config.watchNamespaces().isEmpty()) {
            overrider.settingNamespaces(config.watchNamespaces());
          }
        });
    AtomicBoolean started = new AtomicBoolean();
    HttpEndpoints endpoints =
        new HttpEndpoints(
                config.httpPort(),
                metrics::scrape,
                () -> true,
                () -> started.get() && operator.getRuntimeInfo().allEventSourcesAreHealthy())
            .start();
    operator.start();
    started.set(true);
    LOG.info(
        "schema-operator started: watching {}, migration image {}, shadow image {}, endpoints on"
            + " port {}",
        config.watchNamespaces().isEmpty() ? "all namespaces" : config.watchNamespaces(),
        config.migratorImage(),
        config.shadowImage(),
        endpoints.port());
    return new OperatorMain(operator, endpoints, stopping, clusterFeatures);
  }

  /**
   * Leader election that exits the process when leadership is lost (another replica takes over from
   * a clean start), except while the process is stopping anyway: JOSDK's own exit on stop-leading
   * would call System.exit inside the shutdown hook and hang the pod until SIGKILL.
   */
  private static LeaderElectionConfiguration leaderElection(
      OperatorConfig config, AtomicBoolean stopping) {
    LeaderCallbacks callbacks =
        new LeaderCallbacks(
            () -> LOG.info("leading: this replica reconciles"),
            () -> {
              if (!stopping.get()) {
                LOG.error("lost the leader election Lease {}; exiting", config.leaseName());
                new Thread(() -> System.exit(1), "lost-leadership").start();
              }
            },
            leader -> LOG.info("leader is {}", leader));
    return new LeaderElectionConfiguration(
        config.leaseName(),
        config.leaseNamespace(),
        LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
        LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
        LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE,
        null,
        callbacks,
        false);
  }

  /** The port of the HTTP endpoints. */
  public int httpPort() {
    return endpoints.port();
  }

  public Operator operator() {
    return operator;
  }

  /** The optional Kubernetes features the API server offered at start-up. */
  public ClusterFeatures clusterFeatures() {
    return clusterFeatures;
  }

  @Override
  public void close() {
    stopping.set(true);
    operator.stop();
    if (endpoints != null) {
      endpoints.close();
    }
  }
}
