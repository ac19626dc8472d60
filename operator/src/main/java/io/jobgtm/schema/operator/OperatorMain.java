package io.jobgtm.schema.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
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

  private OperatorMain(Operator operator, HttpEndpoints endpoints) {
    this.operator = operator;
    this.endpoints = endpoints;
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
    OperatorMetrics metrics = new OperatorMetrics();
    Operator operator =
        new Operator(
            overrider -> {
              overrider
                  .withKubernetesClient(client)
                  .withCloseClientOnStop(true)
                  .checkingCRDAndValidateLocalModel(false);
              if (config.leaderElection()) {
                overrider.withLeaderElectionConfiguration(
                    new LeaderElectionConfiguration(config.leaseName(), config.leaseNamespace()));
              }
            });
    operator.register(
        new SchemaVersionReconciler(
            new MigrationJobFactory(config.migratorImage()), metrics, Clock.systemUTC()),
        overrider -> {
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
        "schema-operator started: watching {}, migration image {}, endpoints on port {}",
        config.watchNamespaces().isEmpty() ? "all namespaces" : config.watchNamespaces(),
        config.migratorImage(),
        endpoints.port());
    return new OperatorMain(operator, endpoints);
  }

  /** The port of the HTTP endpoints. */
  public int httpPort() {
    return endpoints.port();
  }

  public Operator operator() {
    return operator;
  }

  @Override
  public void close() {
    operator.stop();
    if (endpoints != null) {
      endpoints.close();
    }
  }
}
