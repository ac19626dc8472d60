package io.jobgtm.schema.systemtests.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * One version, many places: the root pom's {@code <version>} ({@link ProjectVersion}) is the
 * source; the chart's {@code version} and {@code appVersion}, the image's label, the chart's
 * default image tag, every versioned image and migrator jar named in the docs, examples and chart
 * values, and the top section of CHANGELOG.md follow it. Changing the version means changing every
 * place this test names.
 */
class ReleaseVersionsTest {

  private static final YAMLMapper YAML = new YAMLMapper();

  /** An image of the project with a version tag ({@code schema-operator:dev} is no version). */
  private static final Pattern IMAGE_TAG = Pattern.compile("schema-operator:(\\d[\\w.+-]*)");

  private static final Pattern MIGRATOR_JAR = Pattern.compile("migrator-(\\d[\\w.+-]*?)-all\\.jar");

  @Test
  void chartVersionAndAppVersionAreTheProjectsRelease() throws IOException {
    JsonNode chart = YAML.readTree(Chart.file("Chart.yaml").toFile());

    assertThat(chart.path("version").asText()).isEqualTo(ProjectVersion.release());
    assertThat(chart.path("appVersion").asText()).isEqualTo(ProjectVersion.release());
  }

  @Test
  void chartsDefaultImageTagIsItsAppVersion() throws IOException {
    JsonNode values = YAML.readTree(Chart.file("values.yaml").toFile());

    // An empty tag means appVersion; a tag written here would be one more place to keep in step.
    assertThat(values.path("image").path("tag").asText()).isEmpty();
    assertThat(Files.readString(Chart.file("templates/_helpers.tpl")))
        .contains("default .Chart.AppVersion .Values.image.tag");
  }

  @Test
  void imageLabelIsTheProjectsRelease() throws IOException {
    assertThat(Files.readString(Chart.repository().resolve("Dockerfile")))
        .contains("org.opencontainers.image.version=\"" + ProjectVersion.release() + "\"");
  }

  @Test
  void everyVersionedImageAndJarNamedInDocsExamplesAndValuesIsTheProjects() throws IOException {
    List<String> drifted = new ArrayList<>();
    for (Path file : documents()) {
      String text = Files.readString(file);
      String name = Chart.repository().relativize(file).toString();
      collect(IMAGE_TAG, text, ProjectVersion.release(), name, drifted);
      collect(MIGRATOR_JAR, text, ProjectVersion.maven(), name, drifted);
    }

    assertThat(drifted).as("versions other than the project's").isEmpty();
  }

  @Test
  void changelogHasTheSectionOfThisVersion() throws IOException {
    String changelog = Files.readString(Chart.repository().resolve("CHANGELOG.md"));

    assertThat(changelog)
        .contains(
            ProjectVersion.isSnapshot()
                ? "## [Unreleased]"
                : "## [" + ProjectVersion.release() + "]");
  }

  private static void collect(
      Pattern pattern, String text, String expected, String file, List<String> drifted) {
    Matcher matcher = pattern.matcher(text);
    while (matcher.find()) {
      if (!matcher.group(1).equals(expected)) {
        drifted.add(file + ": " + matcher.group() + " (expected " + expected + ")");
      }
    }
  }

  /** The README, docs, examples and the chart's values: what a user copies a version from. */
  private static List<Path> documents() throws IOException {
    Path repository = Chart.repository();
    List<Path> files = new ArrayList<>(List.of(repository.resolve("README.md")));
    for (String directory : List.of("docs", "examples", "helm/schema-operator")) {
      try (Stream<Path> walk = Files.walk(repository.resolve(directory))) {
        walk.filter(Files::isRegularFile)
            .filter(f -> f.toString().endsWith(".md") || f.toString().endsWith(".yaml"))
            .forEach(files::add);
      }
    }
    return files;
  }
}
