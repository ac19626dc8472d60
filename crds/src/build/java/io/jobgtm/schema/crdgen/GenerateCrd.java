package io.jobgtm.schema.crdgen;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerationInfo;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Writes the CRD of the given custom resource classes with fabric8's crd-generator (API v2), like
 * crd-generator-maven-plugin does, but keeps the printer columns in the order the class declares
 * its {@link AdditionalPrinterColumn}s; the generator alone sorts them by JSON path.
 *
 * <p>Build-time only (crds/pom.xml compiles it from src/build/java and runs it at {@code
 * process-classes}); it is not part of the crds jar.
 *
 * <p>Arguments: the output directory, then the fully qualified custom resource class names. Each
 * CRD lands in {@code <output directory>/<crd name>-v1.yml}.
 */
public final class GenerateCrd {

  /** The only CRD version ({@code apiextensions.k8s.io/v1}) the generator writes. */
  private static final String CRD_SPEC_VERSION = "v1";

  private GenerateCrd() {}

  public static void main(String[] args) throws IOException, ClassNotFoundException {
    if (args.length < 2) {
      throw new IllegalArgumentException(
          "usage: GenerateCrd <output directory> <custom resource class>...");
    }
    Path outputDir = Path.of(args[0]);
    Files.createDirectories(outputDir);
    List<Class<? extends HasMetadata>> classes = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      classes.add(Class.forName(args[i]).asSubclass(HasMetadata.class));
    }

    CRDGenerationInfo info =
        new CRDGenerator()
            .customResourceClasses(classes)
            .forCRDVersions(CRD_SPEC_VERSION)
            .withParallelGenerationEnabled(false)
            .withPostProcessor(
                new CRDPostProcessor() {
                  @Override
                  public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
                    return inDeclaredColumnOrder(crd, classes);
                  }
                })
            .inOutputDir(outputDir.toFile())
            .detailedGenerate();

    if (info.numberOfGeneratedCRDs() != classes.size()) {
      throw new IllegalStateException(
          "expected " + classes.size() + " CRD(s), generated " + info.numberOfGeneratedCRDs());
    }
  }

  /**
   * Puts the printer columns of every version of the CRD in the order in which its custom resource
   * class declares them.
   */
  static HasMetadata inDeclaredColumnOrder(
      HasMetadata generated, List<Class<? extends HasMetadata>> classes) {
    if (!(generated instanceof CustomResourceDefinition crd)) {
      throw new IllegalStateException("not an apiextensions.k8s.io/v1 CRD: " + generated);
    }
    for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
      List<CustomResourceColumnDefinition> columns = version.getAdditionalPrinterColumns();
      if (columns == null || columns.isEmpty()) {
        continue;
      }
      Class<?> type = customResourceClass(crd, version, classes);
      AdditionalPrinterColumn[] declared = type.getAnnotationsByType(AdditionalPrinterColumn.class);
      List<CustomResourceColumnDefinition> ordered = new ArrayList<>(columns);
      ordered.sort(Comparator.comparingInt(column -> declaredIndex(column, declared, type)));
      version.setAdditionalPrinterColumns(ordered);
    }
    return crd;
  }

  private static Class<?> customResourceClass(
      CustomResourceDefinition crd,
      CustomResourceDefinitionVersion version,
      List<Class<? extends HasMetadata>> classes) {
    String group = crd.getSpec().getGroup();
    String kind = crd.getSpec().getNames().getKind();
    return classes.stream()
        .filter(c -> HasMetadata.getGroup(c).equals(group))
        .filter(c -> HasMetadata.getKind(c).equals(kind))
        .filter(c -> HasMetadata.getVersion(c).equals(version.getName()))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "no class for " + kind + "." + group + "/" + version.getName()));
  }

  /**
   * Where the class declares the column. A column the class does not declare with
   * {@code @AdditionalPrinterColumn} (for example one from a field's {@code @PrinterColumn}) has no
   * declared place, so it fails the build rather than land somewhere arbitrary.
   */
  private static int declaredIndex(
      CustomResourceColumnDefinition column, AdditionalPrinterColumn[] declared, Class<?> type) {
    for (int i = 0; i < declared.length; i++) {
      AdditionalPrinterColumn candidate = declared[i];
      if (candidate.jsonPath().equals(column.getJsonPath())
          && (candidate.name().isEmpty() || candidate.name().equals(column.getName()))) {
        return i;
      }
    }
    throw new IllegalStateException(
        "printer column "
            + column.getName()
            + " ("
            + column.getJsonPath()
            + ") is not declared with @AdditionalPrinterColumn on "
            + type.getName()
            + ", so it has no declared position");
  }
}
