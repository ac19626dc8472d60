package io.jobgtm.schema.migrator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Command-line errors that need no database: exit 2 and a message that names the problem. */
class MigratorCliTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return MigratorCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void withoutACommandPrintsUsage() {
    assertThat(run()).isEqualTo(2);
    assertThat(err.toString()).contains("Usage: migrator").contains("migrate").contains("undo");
  }

  @Test
  void unknownBaselinePolicyIsNamed() {
    assertThat(run("migrate", "--database", "db", "--user", "u", "--on-unversioned", "Sometimes"))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains("Invalid value for option '--on-unversioned'")
        .contains("Sometimes");
  }

  @Test
  void baselinePolicyWithoutItsVersionIsRefused() {
    assertThat(run("migrate", "--database", "db", "--user", "u", "--on-unversioned", "baseline"))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains(
            "error: InvalidConfiguration: --on-unversioned Baseline needs --baseline-version with a"
                + " version such as 1");
  }

  @Test
  void autoWithoutAShadowDatabaseIsRefusedNamingIt() {
    String[] auto = {
      "migrate",
      "--database",
      "db",
      "--user",
      "u",
      "--on-unversioned",
      "Baseline",
      "--baseline-version",
      "auto"
    };

    assertThat(run(auto)).isEqualTo(2);
    assertThat(err.toString())
        .contains(
            "error: InvalidConfiguration: baseline version auto needs a shadow database"
                + " (--shadow-socket-dir or SHADOW_SOCKET_DIR; or --shadow-url or SHADOW_URL,"
                + " with SHADOW_DB_USER and SHADOW_DB_PASSWORD)");
  }

  @Test
  void blockWithoutAShadowDatabaseIsRefusedNamingIt() {
    assertThat(run("migrate", "--database", "db", "--user", "u", "--on-drift", "Block"))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains(
            "error: InvalidConfiguration: ON_DRIFT Block needs a shadow database"
                + " (--shadow-socket-dir or SHADOW_SOCKET_DIR; or --shadow-url or SHADOW_URL)");
  }

  @Test
  void aShadowGivenTwiceIsRefused() {
    assertThat(
            run(
                "verify",
                "--database",
                "db",
                "--user",
                "u",
                "--shadow-url",
                "jdbc:postgresql://db/scratch",
                "--shadow-socket-dir",
                "/var/run/postgresql"))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains(
            "give the shadow database once: --shadow-url (SHADOW_URL) or --shadow-socket-dir"
                + " (SHADOW_SOCKET_DIR), not both");
  }

  @Test
  void anAcceptedFingerprintOfAnotherFormIsRefused() {
    assertThat(
            run("migrate", "--database", "db", "--user", "u", "--accepted-fingerprint", "sha1:abc"))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains(
            "the accepted fingerprint (--accepted-fingerprint, ACCEPTED_FINGERPRINT) must be"
                + " sha256: and 64 lowercase hexadecimal digits");
  }

  @Test
  void autoWithoutVerificationIsRefused() {
    assertThat(
            run(
                "plan",
                "--database",
                "db",
                "--user",
                "u",
                "--on-unversioned",
                "Baseline",
                "--baseline-version",
                "AUTO",
                "--shadow-url",
                "jdbc:postgresql://shadow/scratch",
                "--shadow-user",
                "s",
                "--no-verify-baseline"))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains(
            "error: InvalidConfiguration: baseline version auto is found by verification and"
                + " cannot go without it");
  }

  @Test
  void aShadowUrlWithAPasswordIsRefusedWithoutRepeatingIt() {
    assertThat(
            run(
                "migrate",
                "--database",
                "db",
                "--user",
                "u",
                "--shadow-url",
                "jdbc:postgresql://shadow/scratch?user=s&password=hunter2",
                "--shadow-user",
                "s"))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains("error: InvalidConfiguration: the shadow URL (--shadow-url, SHADOW_URL) may hold")
        .doesNotContain("hunter2");
    assertThat(out.toString()).doesNotContain("hunter2");
  }

  @Test
  void missingMigrationDirectoryIsNamed() {
    assertThat(run("migrate", "--database", "db", "--user", "u", "--migrations", "/no/such/dir"))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains("error: InvalidMigrationSet: migration directory /no/such/dir does not exist");
  }

  @Test
  void badDurationIsNamed() {
    assertThat(run("migrate", "--database", "db", "--user", "u", "--lock-timeout", "soon"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("'soon' is not a duration");
  }

  @Test
  void missingDatabaseNameIsNamed() {
    assertThat(run("info", "--user", "u")).isEqualTo(2);
    assertThat(err.toString()).contains("error: InvalidConfiguration: no database name given");
  }

  @Test
  void aHostWithConnectionParametersIsRefusedWithoutRepeatingIt() {
    assertThat(
            run(
                "migrate",
                "--database",
                "db",
                "--user",
                "u",
                "--host",
                "evil.example/x?sslmode=disable&sslfactory=foo&"))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains(
            "error: InvalidConfiguration: host (DB_HOST) is not a host name (letters, digits and"
                + " hyphens")
        .contains(": character 13 ('/') cannot appear in a host")
        .doesNotContain("sslfactory");
  }

  @Test
  void aPortThatIsNotANumberIsRefused() {
    assertThat(run("migrate", "--database", "db", "--user", "u", "--port", "5432&sslmode=disable"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("Invalid value for option '--port'");
  }

  @Test
  void anUnknownSslmodeIsRefusedNamingTheValues() {
    assertThat(run("migrate", "--database", "db", "--user", "u", "--sslmode", "sometimes"))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains(
            "error: InvalidConfiguration: sslmode (DB_SSLMODE) must be one of disable, allow,"
                + " prefer, require, verify-ca, verify-full");
  }
}
