package io.jobgtm.schema.systemtests.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.jobgtm.schema.api.SchemaVersion;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * The chart's Artifact Hub annotations: each YAML-valued one parses, {@code artifacthub.io/crds}
 * names the CRD the chart installs, and {@code artifacthub.io/crdsExamples} is a SchemaVersion of
 * the model equal to {@code examples/workflow-schemaversion.yaml} (which {@code SchemaVersionCrdIT}
 * applies to a real API server).
 */
class ChartAnnotationsTest {

  private static final YAMLMapper YAML = new YAMLMapper();

  private static JsonNode annotations() throws IOException {
    return YAML.readTree(Chart.file("Chart.yaml").toFile()).path("annotations");
  }

  private static JsonNode yamlAnnotation(String name) throws IOException {
    JsonNode value = annotations().path(name);
    assertThat(value.isTextual()).as("%s is a string holding YAML", name).isTrue();
    return YAML.readTree(value.asText());
  }

  @Test
  void operatorLicenseAndCategoryAreSet() throws IOException {
    assertThat(annotations().path("artifacthub.io/operator").asText()).isEqualTo("true");
    assertThat(annotations().path("artifacthub.io/license").asText()).isEqualTo("Apache-2.0");
    assertThat(Files.readString(Chart.repository().resolve("LICENSE")))
        .contains("Apache License")
        .contains("Version 2.0, January 2004");
    assertThat(annotations().path("artifacthub.io/category").asText()).isEqualTo("database");
  }

  @Test
  void crdsNameTheCrdTheChartInstalls() throws IOException {
    CustomResourceDefinition crd =
        Serialization.unmarshal(
            Files.readString(Chart.file("crds/" + SchemaVersion.CRD_NAME + "-v1.yml")),
            CustomResourceDefinition.class);
    JsonNode crds = yamlAnnotation("artifacthub.io/crds");

    assertThat(crds).hasSize(1);
    JsonNode entry = crds.get(0);
    assertThat(entry.path("name").asText()).isEqualTo(crd.getMetadata().getName());
    assertThat(entry.path("kind").asText())
        .isEqualTo(crd.getSpec().getNames().getKind())
        .isEqualTo(HasMetadata.getKind(SchemaVersion.class));
    assertThat(entry.path("version").asText())
        .isEqualTo(crd.getSpec().getVersions().get(0).getName())
        .isEqualTo(HasMetadata.getVersion(SchemaVersion.class));
    assertThat(entry.path("displayName").asText()).isNotBlank();
    assertThat(entry.path("description").asText()).isNotBlank();
  }

  @Test
  void crdsExampleIsTheExampleSchemaVersion() throws IOException {
    JsonNode examples = yamlAnnotation("artifacthub.io/crdsExamples");
    assertThat(examples).hasSize(1);
    SchemaVersion example =
        Serialization.unmarshal(YAML.writeValueAsString(examples.get(0)), SchemaVersion.class);
    SchemaVersion committed =
        Serialization.unmarshal(
            Files.readString(Chart.repository().resolve("examples/workflow-schemaversion.yaml")),
            SchemaVersion.class);

    assertThat(example.getApiVersion()).isEqualTo(HasMetadata.getApiVersion(SchemaVersion.class));
    assertThat(example.getKind()).isEqualTo(HasMetadata.getKind(SchemaVersion.class));
    assertThat(example.getMetadata().getName()).isEqualTo(committed.getMetadata().getName());
    assertThat(example.getSpec()).isEqualTo(committed.getSpec());
  }

  @Test
  void linksHaveNamesAndHttpsUrls() throws IOException {
    JsonNode links = yamlAnnotation("artifacthub.io/links");

    assertThat(links).isNotEmpty();
    assertThat(links)
        .allSatisfy(
            link -> {
              assertThat(link.path("name").asText()).isNotBlank();
              assertThat(URI.create(link.path("url").asText()).getScheme()).isEqualTo("https");
            });
  }
}
