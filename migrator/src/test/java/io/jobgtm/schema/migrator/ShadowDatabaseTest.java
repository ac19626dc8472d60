package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobgtm.schema.contract.FailureReason;
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
