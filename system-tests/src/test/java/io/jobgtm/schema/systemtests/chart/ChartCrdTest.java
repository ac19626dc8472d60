package io.jobgtm.schema.systemtests.chart;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobgtm.schema.api.SchemaVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The chart installs exactly the CRD the build generates from the model: the one in the crds
 * artifact the operator runs with (META-INF/fabric8, written by fabric8's crd-generator) and the
 * copy committed in crds/. (crds' own GeneratedCrdTest checks the same from the other side.)
 */
class ChartCrdTest {

  private static final String FILE = SchemaVersion.CRD_NAME + "-v1.yml";

  @Test
  void chartCrdIsTheGeneratedOneByteForByte() throws IOException {
    byte[] generated;
    try (InputStream in = SchemaVersion.class.getResourceAsStream("/META-INF/fabric8/" + FILE)) {
      assertThat(in).as("the generated CRD in the crds artifact").isNotNull();
      generated = in.readAllBytes();
    }

    assertThat(Files.readAllBytes(Chart.file("crds/" + FILE))).isEqualTo(generated);
  }

  @Test
  void chartCrdIsTheCommittedOneByteForByte() throws IOException {
    Path committed = Chart.repository().resolve("crds").resolve(FILE);

    assertThat(Files.readAllBytes(Chart.file("crds/" + FILE)))
        .isEqualTo(Files.readAllBytes(committed));
  }

  @Test
  void chartHoldsNoOtherCrd() throws IOException {
    try (var files = Files.list(Chart.file("crds"))) {
      assertThat(files.map(f -> f.getFileName().toString())).containsExactly(FILE);
    }
  }
}
