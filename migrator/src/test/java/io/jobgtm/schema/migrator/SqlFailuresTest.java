package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.Version;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class SqlFailuresTest {

  private final ConnectionSettings settings =
      ConnectionSettings.builder().host("db").port(5432).database("jobgtm").user("app").build();

  private FailureReason connecting(String sqlState) {
    return SqlFailures.connectionFailure(new SQLException("boom\ndetail", sqlState), settings)
        .reason();
  }

  @Test
  void classifiesConnectionFailures() {
    assertThat(connecting("08001")).isEqualTo(FailureReason.DatabaseUnreachable);
    assertThat(connecting("57P03")).isEqualTo(FailureReason.DatabaseUnreachable);
    assertThat(connecting(null)).isEqualTo(FailureReason.DatabaseUnreachable);
    assertThat(connecting("28P01")).isEqualTo(FailureReason.AuthenticationFailed);
    assertThat(connecting("3D000")).isEqualTo(FailureReason.DatabaseNotFound);
    assertThat(connecting("XX000")).isEqualTo(FailureReason.ConnectionRejected);
  }

  @Test
  void scriptFailuresAreTransientOnlyWhenARetryCanHelp() {
    Version v3 = Version.parse("3");
    MigrationException lockTimeout =
        SqlFailures.scriptFailure(
            new SQLException("canceling statement due to lock timeout", "55P03"),
            FailureReason.MigrationFailed,
            v3,
            "V3__x.sql");
    MigrationException syntax =
        SqlFailures.scriptFailure(
            new SQLException("ERROR: syntax error\n  Position: 3", "42601"),
            FailureReason.MigrationFailed,
            v3,
            "V3__x.sql");

    assertThat(lockTimeout.reason()).isEqualTo(FailureReason.MigrationInterrupted);
    assertThat(lockTimeout.reason().exitCode()).isEqualTo(1);
    assertThat(syntax.reason()).isEqualTo(FailureReason.MigrationFailed);
    assertThat(syntax.version()).isEqualTo("3");
    assertThat(syntax.getMessage())
        .isEqualTo("V3__x.sql failed: ERROR: syntax error [SQLSTATE 42601]");
  }
}
