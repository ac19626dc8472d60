package io.jobgtm.schema.bench;

import io.jobgtm.schema.testing.KubeApiServer;
import io.jobgtm.schema.testing.KubernetesBinaries;
import io.jobgtm.schema.testing.LocalControlPlane;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Measures how long the local control plane takes to start with the binaries already built, for
 * docs/benchmarks.md. Each run starts a new kube-apiserver with etcd (kube-api-test, in new
 * directories), then the controller manager, the scheduler and the node, and stops everything.
 *
 * <pre>
 * ./mvnw -q -pl operator -am -Pcontrol-plane-startup-benchmark process-test-classes
 * </pre>
 *
 * <p>Argument: the number of runs (default 5).
 */
public final class ControlPlaneStartupBenchmark {

  private ControlPlaneStartupBenchmark() {}

  public static void main(String[] args) {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    KubernetesBinaries binaries =
        KubernetesBinaries.configured().require(KubernetesBinaries.CONTROL_PLANE);
    List<Duration> apiServer = new ArrayList<>();
    List<Duration> controlPlane = new ArrayList<>();
    for (int run = 1; run <= runs; run++) {
      long begin = System.nanoTime();
      try (KubeApiServer server = KubeApiServer.start(binaries, "benchmark")) {
        Duration serverReady = Duration.ofNanos(System.nanoTime() - begin);
        LocalControlPlane.start(server);
        Duration allReady = Duration.ofNanos(System.nanoTime() - begin);
        apiServer.add(serverReady);
        controlPlane.add(allReady);
        System.out.printf(
            "run %d: kube-apiserver+etcd ready %s, full control plane ready %s (logs: %s)%n",
            run, seconds(serverReady), seconds(allReady), server.logDirectory());
      }
    }
    System.out.printf("Kubernetes %s, %d runs (min / median / max)%n", binaries.version(), runs);
    System.out.println("kube-apiserver + etcd ready:  " + summary(apiServer));
    System.out.println("full control plane ready:     " + summary(controlPlane));
  }

  private static String summary(List<Duration> durations) {
    List<Duration> sorted = durations.stream().sorted().toList();
    Duration median =
        sorted.size() % 2 == 1
            ? sorted.get(sorted.size() / 2)
            : sorted.get(sorted.size() / 2 - 1).plus(sorted.get(sorted.size() / 2)).dividedBy(2);
    return seconds(sorted.get(0))
        + " / "
        + seconds(median)
        + " / "
        + seconds(sorted.get(sorted.size() - 1));
  }

  private static String seconds(Duration duration) {
    return String.format("%.2f s", duration.toMillis() / 1000.0);
  }
}
