package io.jobgtm.schema.migrator;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The migrator runs inside the migration Job and on laptops: it knows nothing of Kubernetes. */
class ArchitectureTest {

  @Test
  void migratorCodeDoesNotUseKubernetesClientsOrTheOperatorFramework() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.fabric8..", "io.javaoperatorsdk..")
        .check(
            new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.jobgtm.schema.migrator"));
  }

  @Test
  void flywayInternalsAreUsedInTwoKnownPlacesOnly() {
    // Flyway's parser and resolved migrations are not public API: a Flyway upgrade is checked here.
    noClasses()
        .that()
        .doNotHaveFullyQualifiedName(ScriptParser.class.getName())
        .and()
        .doNotHaveFullyQualifiedName(Migrator.class.getName() + "$FlywayFactory")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.flywaydb.core.internal..")
        .check(
            new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.jobgtm.schema.migrator"));
  }

  @Test
  void kubernetesLibrariesAreNotEvenOnTheClasspath() {
    assertThatThrownBy(() -> Class.forName("io.fabric8.kubernetes.client.KubernetesClient"))
        .isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(() -> Class.forName("io.javaoperatorsdk.operator.Operator"))
        .isInstanceOf(ClassNotFoundException.class);
  }
}
