package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobgtm.schema.contract.FailureReason;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The shadow database's URL: what it may hold, and that no message repeats it. */
class ShadowDatabaseTest {

  @Test
  void aUrlNamesHostPortDatabaseAndSslmode() {
    ConnectionSettings settings =
        ShadowDatabase.fromUrl("jdbc:postgresql://shadow.db:6543/scratch?sslmode=require", "u", "p")
            .settings("replay");

    assertThat(settings.host()).isEqualTo("shadow.db");
    assertThat(settings.port()).isEqualTo(6543);
    assertThat(settings.database()).isEqualTo("scratch");
    assertThat(settings.schema()).isEqualTo("replay");
    assertThat(settings.sslMode()).isEqualTo("require");
    ShadowDatabase ipv6 = ShadowDatabase.fromUrl("jdbc:postgresql://[fd00::7]/scratch", "u", "p");
    assertThat(ipv6.settings("s").port()).isEqualTo(5432);
    assertThat(ipv6.describe()).isEqualTo("shadow database scratch at [fd00::7]:5432");
  }

  @Test
  void credentialsAndOtherParametersInTheUrlAreRefusedWithoutRepeatingIt() {
    assertRefused(
        "jdbc:postgresql://db/scratch?password=hunter2",
        "the shadow URL (--shadow-url, SHADOW_URL) may hold no parameter but sslmode, not password"
            + " (the user and password come from SHADOW_DB_USER and SHADOW_DB_PASSWORD)");
    assertRefused(
        "jdbc:postgresql://admin:hunter2@db/scratch",
        "the shadow URL (--shadow-url, SHADOW_URL) has a port that is not a number");
    assertRefused(
        "postgres://db/scratch",
        "the shadow URL (--shadow-url, SHADOW_URL) must start with" + " jdbc:postgresql://");
    assertRefused(
        "jdbc:postgresql://db/",
        "the shadow URL (--shadow-url, SHADOW_URL) names no database:"
            + " jdbc:postgresql://host:port/database");
    assertThatThrownBy(
            () -> ShadowDatabase.fromUrl("jdbc:postgresql://db/x?sslmode=hunter2", "u", "p"))
        .isInstanceOf(MigrationException.class)
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> ShadowDatabase.fromUrl("jdbc:postgresql://db/x", null, "p"))
        .hasMessage("the shadow database needs a user (SHADOW_DB_USER or --shadow-user)");
  }

  @Test
  void aSocketDirectoryNamesTheSocketTheDatabasePostgresAndTheDefaultUser() {
    ShadowDatabase shadow =
        ShadowDatabase.fromSocketDirectory(Path.of("/var/run/postgresql"), null, null);
    ConnectionSettings settings = shadow.settings("replay");

    assertThat(settings.unixSocket()).contains(Path.of("/var/run/postgresql/.s.PGSQL.5432"));
    assertThat(settings.database()).isEqualTo("postgres");
    assertThat(settings.user()).isEqualTo("postgres");
    assertThat(settings.sslMode()).isEqualTo("disable");
    assertThat(settings.describe())
        .isEqualTo("postgres@unix:/var/run/postgresql/.s.PGSQL.5432/postgres (schema replay)");
    assertThat(shadow.describe())
        .isEqualTo("shadow database postgres at socket directory /var/run/postgresql");
    assertThat(
            ShadowDatabase.fromSocketDirectory(Path.of("/s"), "shadow", null).settings("x").user())
        .isEqualTo("shadow");
  }

  @Test
  void aSocketDirectoryMustBeAbsoluteAndItsSocketFitASocketAddress() {
    assertThatThrownBy(
            () -> ShadowDatabase.fromSocketDirectory(Path.of("run/postgresql"), null, null))
        .hasMessage(
            "the shadow socket directory (--shadow-socket-dir, SHADOW_SOCKET_DIR) must be an"
                + " absolute path");
    // 93 + 14 bytes: the longest that fits.
    Path longest = Path.of("/" + "d".repeat(92));
    assertThat(ShadowDatabase.fromSocketDirectory(longest, null, null).describe())
        .endsWith(longest.toString());
    assertThatThrownBy(
            () -> ShadowDatabase.fromSocketDirectory(Path.of("/" + "d".repeat(93)), null, null))
        .isInstanceOfSatisfying(
            MigrationException.class,
            e -> assertThat(e.reason()).isEqualTo(FailureReason.InvalidConfiguration))
        .hasMessage(
            "the shadow socket directory (--shadow-socket-dir, SHADOW_SOCKET_DIR) makes a socket"
                + " path of 108 bytes; a Unix-domain socket's path has at most 107");
  }

  private static void assertRefused(String url, String message) {
    assertThatThrownBy(() -> ShadowDatabase.fromUrl(url, "u", "p"))
        .isInstanceOfSatisfying(
            MigrationException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(FailureReason.InvalidConfiguration);
              assertThat(e.getMessage()).isEqualTo(message).doesNotContain("hunter2");
            });
  }
}
