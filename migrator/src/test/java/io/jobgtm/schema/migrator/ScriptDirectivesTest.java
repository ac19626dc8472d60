package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobgtm.schema.contract.FailureReason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A script's own settings: one grammar for the header's directives and Flyway's {@code .sql.conf}
 * file, and every way to get them wrong refused with the file and the line.
 */
class ScriptDirectivesTest {

  @Test
  void readsTheHeadersDirectivesInEitherNamespaceSpelling() {
    MigrationScript script =
        MigrationScript.of(
            "V3__orders_index.sql",
            "/* Orders need their index without blocking writes. */\n"
                + "-- Flyway: executeInTransaction = FALSE\n"
                + "--flyway:placeholderReplacement=true\n"
                + "\n"
                + "CREATE INDEX CONCURRENTLY orders_placed ON orders (placed_at);\n");

    assertThat(script.settings().executeInTransaction()).isFalse();
    assertThat(script.settings().placeholderReplacement()).isTrue();
    assertThat(script.settings().encoding()).isNull();
    assertThat(script.settings().from())
        .containsExactly("V3__orders_index.sql line 2", "V3__orders_index.sql line 3");
    assertThat(script.settings().describe())
        .isEqualTo("executeInTransaction=false, placeholderReplacement=true");
  }

  @Test
  void aCommentThatIsNoSettingIsAComment() {
    MigrationScript script =
        MigrationScript.of(
            "V1__parcels.sql",
            "-- flyway: applied by hand on the old cluster in 2019\n"
                + "-- see flyway:docs for the naming\n"
                + "CREATE TABLE parcels (id BIGINT);\n"
                + "-- the index of flyway: none\n");

    assertThat(script.settings()).isEqualTo(ScriptSettings.NONE);
  }

  @Test
  void aDirectiveBelowTheFirstStatementIsRefusedWithItsLine() {
    assertThatThrownBy(
            () ->
                MigrationScript.of(
                    "V2__labels.sql",
                    "CREATE TABLE labels (id BIGINT);\n"
                        + "-- flyway:executeInTransaction=false\n"))
        .isInstanceOfSatisfying(
            MigrationException.class,
            e -> assertThat(e.reason()).isEqualTo(FailureReason.InvalidMigrationSet))
        .hasMessageStartingWith("V2__labels.sql line 2: the directive")
        .hasMessageContaining("is below the first statement");
  }

  @Test
  void unknownSettingsPaidSettingsAndBadValuesAreRefused() {
    assertThatThrownBy(
            () -> MigrationScript.of("V1__a.sql", "-- flyway:executeInTransation=false\nSELECT 1;"))
        .hasMessage(
            "V1__a.sql line 1: executeInTransation is not a script setting; the settings are"
                + " executeInTransaction, encoding, placeholderReplacement");
    assertThatThrownBy(
            () -> MigrationScript.of("V1__a.sql", "-- flyway:shouldExecute=false\nSELECT 1;"))
        .hasMessageStartingWith("V1__a.sql line 1: shouldExecute is a setting of Flyway's paid");
    assertThatThrownBy(
            () -> MigrationScript.of("V1__a.sql", "-- flyway:executeInTransaction=no\nSELECT 1;"))
        .hasMessage("V1__a.sql line 1: executeInTransaction must be true or false, not 'no'");
    assertThatThrownBy(
            () -> MigrationScript.of("V1__a.sql", "-- flyway:encoding=klingon-8\nSELECT 1;"))
        .hasMessageStartingWith("V1__a.sql line 1: encoding 'klingon-8' is not an encoding");
    assertThatThrownBy(
            () -> MigrationScript.of("V1__a.sql", "-- schema-operator:lockTimeout=1s\nSELECT 1;"))
        .hasMessageStartingWith(
            "V1__a.sql line 1: schema-operator:lockTimeout is not a setting of this version");
  }

  @Test
  void theConfigurationFileJoinsTheHeaderAndTheyMustAgree(@TempDir Path directory)
      throws IOException {
    Files.writeString(
        directory.resolve("V1__parcels.sql"),
        "-- flyway:executeInTransaction=false\nCREATE TABLE parcels (id BIGINT);\n");
    Files.writeString(
        directory.resolve("V1__parcels.sql.conf"),
        "# written by hand\nexecuteInTransaction=false\nplaceholderReplacement: true\n");

    MigrationScript script = MigrationSet.fromDirectory(directory).versioned().get(0);

    assertThat(script.settings().executeInTransaction()).isFalse();
    assertThat(script.settings().placeholderReplacement()).isTrue();
    assertThat(script.settings().from())
        .containsExactly("V1__parcels.sql line 1", "V1__parcels.sql.conf line 3");

    Files.writeString(directory.resolve("V1__parcels.sql.conf"), "executeInTransaction=true\n");
    assertThatThrownBy(() -> MigrationSet.fromDirectory(directory))
        .hasMessage(
            "V1__parcels.sql.conf line 1: executeInTransaction is true here and false in"
                + " V1__parcels.sql line 1: give it once");

    Files.writeString(directory.resolve("V1__parcels.sql.conf"), "executeInTransaction\n");
    assertThatThrownBy(() -> MigrationSet.fromDirectory(directory))
        .hasMessageStartingWith("V1__parcels.sql.conf line 1: expected a setting written");

    // Written as in flyway.conf, which Flyway refuses in a script's configuration file.
    Files.writeString(
        directory.resolve("V1__parcels.sql.conf"), "flyway.executeInTransaction=false\n");
    assertThatThrownBy(() -> MigrationSet.fromDirectory(directory))
        .hasMessage(
            "V1__parcels.sql.conf line 1: flyway.executeInTransaction is written as in"
                + " flyway.conf; a script's configuration file names the setting alone, as Flyway"
                + " reads it: executeInTransaction=false");
  }

  @Test
  void aConfigurationFileWithoutItsScriptIsRefusedWithTheOtherProblems(@TempDir Path directory)
      throws IOException {
    Files.writeString(directory.resolve("V1__parcels.sql"), "CREATE TABLE parcels (id BIGINT);\n");
    Files.writeString(directory.resolve("V1__parcel.sql.conf"), "executeInTransaction=false\n");
    Files.writeString(directory.resolve("V2_bad.sql"), "SELECT 1;\n");

    assertThatThrownBy(() -> MigrationSet.fromDirectory(directory))
        .hasMessageStartingWith("2 problems in the migration set: ")
        .hasMessageContaining(
            "V1__parcel.sql.conf holds the settings of V1__parcel.sql, which is not in the set");
  }

  @Test
  void aDeclaredEncodingDecidesHowTheFileIsRead(@TempDir Path directory) throws IOException {
    byte[] latin1 =
        "-- flyway:encoding=ISO-8859-1\nINSERT INTO cafes VALUES ('Caf\u00e9 M\u00fcller');\n"
            .getBytes(StandardCharsets.ISO_8859_1);
    Files.write(directory.resolve("V1__cafes.sql"), latin1);
    byte[] windows =
        "INSERT INTO cafes VALUES ('\u20ac 3');\n"
            .getBytes(java.nio.charset.Charset.forName("windows-1252"));
    Files.write(directory.resolve("V2__prices.sql"), windows);
    Files.writeString(directory.resolve("V2__prices.sql.conf"), "encoding=windows-1252\n");

    MigrationSet set = MigrationSet.fromDirectory(directory);

    assertThat(set.versioned().get(0).sql()).contains("Caf\u00e9 M\u00fcller");
    assertThat(set.versioned().get(0).settings().encoding()).isEqualTo("ISO-8859-1");
    assertThat(set.versioned().get(1).sql()).contains("\u20ac 3");

    // Without the declaration the same bytes are refused, and the message says how to declare.
    Files.delete(directory.resolve("V2__prices.sql.conf"));
    assertThatThrownBy(() -> MigrationSet.fromDirectory(directory))
        .hasMessageStartingWith("V2__prices.sql is not valid UTF-8 (line 1)")
        .hasMessageContaining("-- flyway:encoding=<name>");
  }
}
