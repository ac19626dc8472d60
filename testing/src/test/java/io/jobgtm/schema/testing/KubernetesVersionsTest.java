package io.jobgtm.schema.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes versions the tests run on are written in a few places that must agree: the build
 * script pins them, the root pom selects them (for every module whose tests start a control plane),
 * the chart's {@code kubeVersion} claims the oldest.
 */
class KubernetesVersionsTest {

  private static final Path REPOSITORY =
      Path.of(System.getProperty("user.dir")).resolve("..").normalize();

  @Test
  void defaultVersionIsTheSameInScriptPomAndTestSupport() throws IOException {
    String pinned = find(script(), "^DEFAULT_K8S_VERSION=\"([0-9.]+)\"");

    // The first k8s.version in the root pom is the reactor's property; profiles come after it.
    assertThat(find(pom(), "<k8s.version>([0-9.]+)</k8s.version>")).isEqualTo(pinned);
    assertThat(KubernetesBinaries.DEFAULT_VERSION).isEqualTo(pinned);
  }

  @Test
  void oldestVersionIsTheSameInScriptAndProfileAndIsWhatTheChartClaims() throws IOException {
    String pinned = find(script(), "^OLDEST_K8S_VERSION=\"([0-9.]+)\"");
    String chartMinimum =
        find(
            Files.readString(REPOSITORY.resolve("helm/schema-operator/Chart.yaml")),
            "^kubeVersion: \">=(1\\.[0-9]+)\\.0-0\"");

    assertThat(find(pom(), "<id>k8s-oldest</id>\\s*<properties>\\s*<k8s.version>([0-9.]+)<"))
        .isEqualTo(pinned);
    assertThat(pinned).startsWith(chartMinimum + ".");
  }

  private static String script() throws IOException {
    return Files.readString(REPOSITORY.resolve("scripts/k8s-binaries.sh"));
  }

  private static String pom() throws IOException {
    return Files.readString(REPOSITORY.resolve("pom.xml"));
  }

  @Test
  void noModuleSetsItsOwnVersion() throws IOException {
    for (String module : new String[] {"testing", "operator", "system-tests", "bench/operator"}) {
      assertThat(Files.readString(REPOSITORY.resolve(module).resolve("pom.xml")))
          .as("%s/pom.xml", module)
          .doesNotContainPattern("<k8s.version>[0-9]")
          .doesNotContain("<id>k8s-oldest</id>");
    }
  }

  private static String find(String text, String regex) {
    Matcher matcher = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
    assertThat(matcher.find()).as("%s in the file", regex).isTrue();
    return matcher.group(1);
  }
}
