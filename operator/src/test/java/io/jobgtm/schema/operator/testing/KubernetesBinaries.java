package io.jobgtm.schema.operator.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The Kubernetes control-plane binaries the tests run: {@code scripts/k8s-binaries.sh} builds them
 * from source into kube-api-test's offline cache, {@code <dir>/k8s/<version>-<os>-<arch>/}.
 *
 * <p>The build passes the directory and the version as the system properties {@value #DIR_PROPERTY}
 * and {@value #VERSION_PROPERTY}; a run from an IDE falls back to the environment variable {@code
 * KUBE_API_TEST_DIR}, then to {@code ~/.kubeapitest}, and to {@value #DEFAULT_VERSION}. Missing
 * binaries fail the test with the command that builds them: a test of the real control plane is
 * never skipped.
 */
public record KubernetesBinaries(Path cacheRoot, String version, String platform) {

  public static final String DIR_PROPERTY = "kubeApiTest.dir";
  public static final String VERSION_PROPERTY = "k8s.version";

  /** Same as {@code DEFAULT_K8S_VERSION} in scripts/k8s-binaries.sh and k8s.version in the pom. */
  public static final String DEFAULT_VERSION = "1.37.2";

  public static final String ETCD = "etcd";
  public static final String KUBE_APISERVER = "kube-apiserver";
  public static final String KUBECTL = "kubectl";
  public static final String KUBE_CONTROLLER_MANAGER = "kube-controller-manager";
  public static final String KUBE_SCHEDULER = "kube-scheduler";

  /** What kube-api-test runs (envtest ships exactly these). */
  public static final List<String> API_SERVER = List.of(ETCD, KUBE_APISERVER, KUBECTL);

  /** What the full local control plane runs. */
  public static final List<String> CONTROL_PLANE =
      List.of(ETCD, KUBE_APISERVER, KUBECTL, KUBE_CONTROLLER_MANAGER, KUBE_SCHEDULER);

  static final String BUILD_SCRIPT = "scripts/k8s-binaries.sh";

  /** The binaries configured for this JVM (system properties, environment, defaults). */
  public static KubernetesBinaries configured() {
    String dir = System.getProperty(DIR_PROPERTY);
    if (dir == null || dir.isBlank()) {
      dir = System.getenv("KUBE_API_TEST_DIR");
    }
    if (dir == null || dir.isBlank()) {
      dir = Path.of(System.getProperty("user.home"), ".kubeapitest").toString();
    }
    String version = System.getProperty(VERSION_PROPERTY, DEFAULT_VERSION);
    return new KubernetesBinaries(Path.of(dir).toAbsolutePath(), version, hostPlatform());
  }

  /** The directory holding the binaries of this version and platform. */
  public Path directory() {
    return cacheRoot.resolve("k8s").resolve(version + "-" + platform);
  }

  public Path path(String binary) {
    return directory().resolve(binary);
  }

  /**
   * Checks that every named binary is an executable file.
   *
   * @throws IllegalStateException naming the missing binaries and the script that builds them
   */
  public KubernetesBinaries require(List<String> binaries) {
    List<String> missing =
        binaries.stream().filter(binary -> !Files.isExecutable(path(binary))).toList();
    if (missing.isEmpty()) {
      return this;
    }
    throw new IllegalStateException(
        "The Kubernetes "
            + version
            + " control plane is not built: "
            + String.join(", ", missing)
            + " missing from "
            + directory()
            + ". Build it with "
            + BUILD_SCRIPT
            + " (K8S_VERSION="
            + version
            + " KUBE_API_TEST_DIR="
            + cacheRoot
            + "; `./mvnw verify` runs it before the integration tests), or point"
            + " KUBE_API_TEST_DIR at a directory holding k8s/"
            + version
            + "-"
            + platform
            + "/ with "
            + String.join(", ", binaries)
            + " (see docs/testing.md).");
  }

  /** The platform suffix kube-api-test and the script use: {@code linux-amd64}, ... */
  static String hostPlatform() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    if (os.startsWith("mac")) {
      os = "darwin";
    }
    String arch =
        switch (System.getProperty("os.arch")) {
          case "amd64", "x86_64" -> "amd64";
          case "aarch64", "arm64" -> "arm64";
          default -> System.getProperty("os.arch");
        };
    return os + "-" + arch;
  }
}
