package io.jobgtm.schema.systemtests.chart;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The Helm chart in {@code helm/schema-operator}, rendered and linted through helm-java (Helm's own
 * Go library, loaded natively).
 *
 * <p>helm-java 0.0.15 offers no {@code --kube-version}: its {@code template} checks the chart's
 * {@code kubeVersion} against a built-in Kubernetes v1.20.0 and refuses {@code >=1.31.0-0}. So
 * rendering and linting use a copy of the chart whose Chart.yaml lacks only that line; the
 * constraint itself is tested on the real chart (it must refuse v1.20) and passed for real when the
 * chart is installed into the local control plane.
 */
final class Chart {

  static final String RELEASE = "so";
  static final String NAMESPACE = "schema-system";
  static final String KUBE_VERSION_LINE = "kubeVersion: \">=1.31.0-0\"";

  private static final ObjectMapper YAML = new YAMLMapper();

  private Chart() {}

  /** The chart's directory in the repository (tests run from operator/). */
  static Path directory() {
    return Path.of(System.getProperty("chart.dir", "../helm/schema-operator"))
        .toAbsolutePath()
        .normalize();
  }

  /** The repository's root. */
  static Path repository() {
    return directory().getParent().getParent();
  }

  static Path file(String relative) {
    return directory().resolve(relative);
  }

  /** The value combinations documented in docs/helm.md, one file each under ci/. */
  static List<Path> valueCombinations() {
    try (Stream<Path> files = Files.list(directory().resolve("ci"))) {
      return files.filter(f -> f.toString().endsWith("-values.yaml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A copy of the chart under {@code parent} that helm-java can render (see the class comment);
   * with {@code values} given, its values.yaml is the chart's defaults merged with them, as Helm
   * merges {@code -f values}: maps deeply, everything else replaced.
   */
  static Path renderableCopy(Path parent, Path values) {
    try {
      Path copy = Files.createTempDirectory(parent, "schema-operator-");
      Path source = directory();
      try (Stream<Path> files = Files.walk(source)) {
        for (Path from : files.toList()) {
          Path to = copy.resolve(source.relativize(from).toString());
          if (Files.isDirectory(from)) {
            Files.createDirectories(to);
          } else {
            Files.copy(from, to);
          }
        }
      }
      Path chartYaml = copy.resolve("Chart.yaml");
      String metadata = Files.readString(chartYaml);
      if (!metadata.contains(KUBE_VERSION_LINE + "\n")) {
        throw new IllegalStateException("Chart.yaml no longer says " + KUBE_VERSION_LINE);
      }
      Files.writeString(chartYaml, metadata.replace(KUBE_VERSION_LINE + "\n", ""));
      if (values != null) {
        Map<String, Object> merged = merge(readMap(source.resolve("values.yaml")), readMap(values));
        YAML.writeValue(copy.resolve("values.yaml").toFile(), merged);
      }
      return copy;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static LintResult lint(Path chart) {
    return new Helm(chart).lint().strict().call();
  }

  /** {@code helm template so <chart> -n schema-system [-f values]}. */
  static String template(Path chart, Path values) {
    TemplateCommand template =
        new Helm(chart).template().withName(RELEASE).withNamespace(NAMESPACE);
    if (values != null) {
      template.withValuesFile(values);
    }
    return template.call();
  }

  /** The objects of a multi-document manifest, typed where fabric8 knows the kind. */
  static List<HasMetadata> objects(String manifest) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String document : manifest.split("(?m)^---\\s*$")) {
      boolean empty =
          document.lines().allMatch(line -> line.isBlank() || line.stripLeading().startsWith("#"));
      if (!empty) {
        objects.add(Serialization.unmarshal(document, HasMetadata.class));
      }
    }
    return objects;
  }

  /** A rules file of the chart (files/*.yaml), as the PolicyRules it declares. */
  static List<PolicyRule> rules(String file) {
    try {
      return Arrays.asList(
          Serialization.unmarshal(Files.readString(file(file)), PolicyRule[].class));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> readMap(Path yaml) throws IOException {
    Map<String, Object> map = YAML.readValue(yaml.toFile(), Map.class);
    return map == null ? new LinkedHashMap<>() : map;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> override) {
    Map<String, Object> merged = new LinkedHashMap<>(base);
    override.forEach(
        (key, value) -> {
          Object current = merged.get(key);
          if (current instanceof Map && value instanceof Map) {
            merged.put(key, merge((Map<String, Object>) current, (Map<String, Object>) value));
          } else {
            merged.put(key, value);
          }
        });
    return merged;
  }
}
