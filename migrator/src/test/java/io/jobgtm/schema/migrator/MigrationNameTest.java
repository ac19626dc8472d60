package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobgtm.schema.contract.Version;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.migration.baseline.BaselineMigrationConfigurationExtension;
import org.flywaydb.core.internal.resource.ResourceName;
import org.flywaydb.core.internal.resource.ResourceNameParser;
import org.junit.jupiter.api.Test;

/**
 * The migrator reads a file name exactly as Flyway's own name parser does: the same names accepted
 * and refused, the same kind, version and description, over every combination of prefix, version,
 * separator, description and suffix below. The description matters beyond display: Flyway records
 * it, and a repeatable migration is known by it. Two of the migrator's own differences are left out
 * on purpose: undo scripts ({@code U…}, which Flyway's community edition refuses) and the
 * per-statement and undo callbacks (which the migrator refuses with a message of their own).
 */
class MigrationNameTest {

  private static final List<String> PREFIXES =
      List.of("V", "B", "R", "v", "r", "X", "afterMigrate", "beforeEachMigrate", "afterMigrat");
  private static final List<String> VERSIONS =
      List.of("", "1", "1.2", "1_2", "2.0.10", "1..2", "1.", ".1", "1a", "_1");
  private static final List<String> SEPARATORS = List.of("__", "_", "___", "", "__ ", "-", "--");
  private static final List<String> DESCRIPTIONS =
      List.of("", "x", "x_", "_x", "a__b", "a.b.c", "a b", " x ", "V2__y");
  private static final List<String> SUFFIXES = List.of(".sql", ".SQL", ".Sql");

  @Test
  void everyNameReadsAsFlywayReadsIt() {
    assertThat(differences(MigrationNaming.DEFAULT, Flyway.configure(), PREFIXES, SUFFIXES))
        .isEmpty();
  }

  // Flyway's naming settings: other prefixes (one the start of another), separator and suffixes.
  @Test
  void everyNameReadsAsFlywayReadsItWithOtherNamingSettings() {
    MigrationNaming naming =
        new MigrationNaming("M", "UNDO", "RM", "BL", "-", List.of(".pgsql", "POSTGRESQL.sql"));
    FluentConfiguration configuration =
        Flyway.configure()
            .sqlMigrationPrefix("M")
            .repeatableSqlMigrationPrefix("RM")
            .sqlMigrationSeparator("-")
            .sqlMigrationSuffixes(".pgsql", "POSTGRESQL.sql");
    configuration
        .getConfigurationExtension(BaselineMigrationConfigurationExtension.class)
        .setBaselineMigrationPrefix("BL");

    assertThat(
            differences(
                naming,
                configuration,
                List.of("M", "RM", "BL", "R", "V", "afterMigrate", "B"),
                List.of(".pgsql", "POSTGRESQL.sql", "_POSTGRESQL.sql", ".sql")))
        .isEmpty();
  }

  private static List<String> differences(
      MigrationNaming naming,
      FluentConfiguration configuration,
      List<String> prefixes,
      List<String> suffixes) {
    ResourceNameParser flyway = new ResourceNameParser(configuration);
    List<String> differences = new ArrayList<>();
    int compared = 0;
    for (String prefix : prefixes) {
      for (String version : VERSIONS) {
        for (String separator : SEPARATORS) {
          for (String description : DESCRIPTIONS) {
            for (String suffix : suffixes) {
              String name = prefix + version + separator + description + suffix;
              if (!naming.isScript(name)) {
                // Flyway's scanner hands its parser only names with one of the suffixes.
                continue;
              }
              compared++;
              String ours = ours(name, naming);
              String theirs = theirs(flyway.parse(name));
              if (!ours.equals(theirs)) {
                differences.add(name + ": migrator " + ours + ", Flyway " + theirs);
              }
            }
          }
        }
      }
    }
    assertThat(compared).isGreaterThan(5_000);
    return differences;
  }

  private static String ours(String name, MigrationNaming naming) {
    MigrationScript script;
    try {
      script = MigrationScript.of(name, "SELECT 1;\n", naming);
    } catch (MigrationException e) {
      return "invalid";
    }
    String kind =
        switch (script.kind()) {
          case VERSIONED -> naming.sqlMigrationPrefix();
          case BASELINE -> naming.baselineMigrationPrefix();
          case REPEATABLE -> naming.repeatableSqlMigrationPrefix();
          case UNDO -> naming.undoSqlMigrationPrefix();
          case CALLBACK -> script.callbackEvent().getId();
        };
    return kind
        + " version="
        + (script.version() == null ? "-" : canonical(script.version()))
        + " description=["
        + script.description()
        + "]";
  }

  private static String theirs(ResourceName name) {
    if (!name.isValid()) {
      return "invalid";
    }
    MigrationVersion version = name.getVersion();
    return name.getPrefix()
        + " version="
        + (version == null ? "-" : version.getVersion())
        + " description=["
        + name.getDescription()
        + "]";
  }

  // Flyway's MigrationVersion prints a version as parsed, dots for underscores.
  private static String canonical(Version version) {
    return MigrationVersion.fromVersion(version.toString()).getVersion();
  }
}
