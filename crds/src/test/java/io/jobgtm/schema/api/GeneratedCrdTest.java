package io.jobgtm.schema.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The CRD is generated from the Java model; the copies committed in crds/ and in the Helm chart
 * must be exactly what this build generated.
 */
class GeneratedCrdTest {

  private static final String HOW_TO_REFRESH =
      "Refresh both committed copies from the Java model with: ./mvnw -pl crds verify -Dcrd.update"
          + " (see crds/README.md), then commit them.";

  @Test
  void theBuildGeneratedTheCrd() {
    assertThat(CrdFiles.generated())
        .as("the build (GenerateCrd, phase process-classes) should have written the CRD")
        .isRegularFile();
  }

  @Test
  void theCopyInTheCrdsFolderIsTheGeneratedCrd() throws IOException {
    assertSameAsGenerated(CrdFiles.committedInModule());
  }

  @Test
  void theCopyInTheHelmChartIsTheGeneratedCrd() throws IOException {
    assertSameAsGenerated(CrdFiles.committedInChart());
  }

  private static void assertSameAsGenerated(Path committed) throws IOException {
    Path generated = CrdFiles.generated();
    if (!Files.isRegularFile(committed)) {
      fail("%s is missing. %s", committed, HOW_TO_REFRESH);
    }
    List<String> expected = Files.readAllLines(generated, StandardCharsets.UTF_8);
    List<String> actual = Files.readAllLines(committed, StandardCharsets.UTF_8);
    for (int i = 0; i < Math.max(expected.size(), actual.size()); i++) {
      String want = i < expected.size() ? expected.get(i) : "<end of file>";
      String got = i < actual.size() ? actual.get(i) : "<end of file>";
      if (!want.equals(got)) {
        fail(
            "%s is out of date: line %d is%n  %s%nbut the generated CRD (%s) has%n  %s%n%s",
            committed, i + 1, got, generated, want, HOW_TO_REFRESH);
      }
    }
    assertThat(Files.readAllBytes(committed))
        .as("%s differs from %s in line endings. %s", committed, generated, HOW_TO_REFRESH)
        .isEqualTo(Files.readAllBytes(generated));
  }
}
