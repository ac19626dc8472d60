package io.jobgtm.schema.api;

import java.nio.file.Path;

/**
 * Where the generated CRD and its committed copies are. The build passes the paths as system
 * properties (crds/pom.xml); the fallbacks hold when a test runs from the module directory.
 */
final class CrdFiles {

  static final String FILE_NAME =
      System.getProperty("crd.file", "schemaversions.schema.jobgtm.io-v1.yml");

  private CrdFiles() {}

  /** The CRD fabric8's crd-generator wrote during this build. */
  static Path generated() {
    return dir("crd.generated.dir", "target/classes/META-INF/fabric8").resolve(FILE_NAME);
  }

  /** The copy committed at the top of crds/. */
  static Path committedInModule() {
    return dir("crd.committed.dir", ".").resolve(FILE_NAME);
  }

  /** The copy committed in the Helm chart. */
  static Path committedInChart() {
    return dir("crd.chart.dir", "../helm/schema-operator/crds").resolve(FILE_NAME);
  }

  private static Path dir(String property, String fallback) {
    return Path.of(System.getProperty(property, fallback)).toAbsolutePath().normalize();
  }
}
