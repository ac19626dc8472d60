package io.jobgtm.schema.operator;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The operator never touches the database itself: the migration Job does. Its code uses neither
 * JDBC nor Flyway nor the migrator, and the build's enforcer rule keeps them off its compile and
 * runtime classpath (only the end-to-end tests run the migrator).
 */
class ArchitectureTest {

  @Test
  void operatorCodeUsesNoJdbcFlywayOrMigrator() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "java.sql..",
            "javax.sql..",
            "org.flywaydb..",
            "org.postgresql..",
            "io.jobgtm.schema.migrator..")
        .check(
            new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.jobgtm.schema.operator"));
  }

  @Test
  void theDecisionIsPureNoClientNoFramework() {
    // decide(resource, observed) returns data; only the reconciler and act talk to the cluster.
    // fabric8's model classes (Pod, the CustomResource base of the API types) stay allowed.
    noClasses()
        .that()
        .resideInAnyPackage(
            "io.jobgtm.schema.operator.decide..", "io.jobgtm.schema.operator.observe..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.javaoperatorsdk..",
            "io.fabric8.kubernetes.client.dsl..",
            "io.jobgtm.schema.operator.act..",
            "io.jobgtm.schema.operator.reconciler..",
            "io.jobgtm.schema.operator.runtime..")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("io.fabric8.kubernetes.client.KubernetesClient")
        .check(
            new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.jobgtm.schema.operator"));
  }

  @Test
  void packagesPointOneWayRuntimeReconcilerThenDecideActObserve() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "io.jobgtm.schema.operator.act..",
            "io.jobgtm.schema.operator.decide..",
            "io.jobgtm.schema.operator.observe..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.jobgtm.schema.operator.reconciler..", "io.jobgtm.schema.operator.runtime..")
        .check(
            new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.jobgtm.schema.operator"));
  }

  @Test
  void theModelKnowsNothingOfTheOperator() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.javaoperatorsdk..", "io.jobgtm.schema.operator..", "java.sql..")
        .check(
            new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.jobgtm.schema.api"));
  }
}
