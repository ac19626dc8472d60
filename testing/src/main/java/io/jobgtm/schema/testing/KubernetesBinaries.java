package io.jobgtm.schema.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The Kubernetes control-plane binaries the tests run: {@code scripts/k8s-binaries.sh} builds them
 * from source into kube-api-test's offline cache, {@code <dir>/k8s/<version>-<os>-<arch>/}.
 *
 * <p>The build passes the directory and the version as the system properties {@value #DIR_PROPERTY}
 * and {@value #VERSION_PROPERTY}; a run from an IDE falls back to the environment variable {@code
 * KUBE_API_TEST_DIR}, then to {@code ~/.kubeapitest}, and to {@value #DEFAULT_VERSION}. When the
 * build also names the script ({@value #BUILD_SCRIPT_PROPERTY}), the first {@link #require} of a
 * JVM runs it unless the build there is complete, so only a run that starts a control plane builds
 * one. Missing binaries fail the test with the command that builds them: a test of the real control
 * plane is never skipped.
 */
public record KubernetesBinaries(Path cacheRoot, String version, String platform) {

  public static final String DIR_PROPERTY = "kubeApiTest.dir";
  public static final String VERSION_PROPERTY = "k8s.version";

  /** The script that builds the binaries, {@value #BUILD_SCRIPT}, as the build passes it. */
  public static final String BUILD_SCRIPT_PROPERTY = "k8s.binaries.script";

  /** {@code true}: never run the script (the binaries are provided otherwise, e.g. envtest's). */
  public static final String SKIP_BUILD_PROPERTY = "k8s.binaries.skip";

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

  /** The builds this JVM has run the script for, successful or not: one attempt each. */
  private static final Set<KubernetesBinaries> BUILDS = new HashSet<>();

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
   * Checks that every named binary is an executable file, after building them when the build
   * configured the script and this JVM has not run it yet.
   *
   * @throws IllegalStateException naming the missing binaries and the script that builds them
   */
  public KubernetesBinaries require(List<String> binaries) {
    String script = System.getProperty(BUILD_SCRIPT_PROPERTY, "");
    if (!script.isBlank() && !Boolean.getBoolean(SKIP_BUILD_PROPERTY)) {
      build(Path.of(script));
    }
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
            + "; `./mvnw verify` runs it before the first test that needs it), or point"
            + " KUBE_API_TEST_DIR at a directory holding k8s/"
            + version
            + "-"
            + platform
            + "/ with "
            + String.join(", ", binaries)
            + " (see docs/testing.md).");
  }

  /**
   * Runs the build script for this version and directory once per JVM; {@code --print-dir} tells a
   * complete build apart first, so a warm cache costs one short process and prints nothing.
   */
  private void build(Path script) {
    synchronized (BUILDS) {
      if (!BUILDS.add(this) || run(script, "--print-dir", false) == 0) {
        return;
      }
      System.err.println(
          "Building the Kubernetes "
              + version
              + " control plane into "
              + directory()
              + " with "
              + script
              + " (the first time on this machine takes minutes)");
      int exit = run(script, null, true);
      if (exit != 0) {
        throw new IllegalStateException(script + " failed with exit code " + exit);
      }
    }
  }

  /** Runs the script with this version and directory, its output shown or dropped. */
  private int run(Path script, String argument, boolean show) {
    List<String> command =
        argument == null
            ? List.of("bash", script.toString())
            : List.of("bash", script.toString(), argument);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("KUBE_API_TEST_DIR", cacheRoot.toString());
    builder.environment().put("K8S_VERSION", version);
    try {
      Process process = builder.start();
      // Through System.err, not the inherited descriptor: a test JVM's stdout is its channel to
      // the build.
      try (BufferedReader output =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = output.readLine(); line != null; line = output.readLine()) {
          if (show) {
            System.err.println(line);
          }
        }
      }
      return process.waitFor();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + script, e);
    }
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
