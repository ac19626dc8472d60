package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobgtm.schema.contract.FailureReason;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.postgresql.Driver;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * What the JDBC driver makes of the settings: the PostgreSQL driver puts the host into its URL
 * unencoded, so only a host of the one grammar may reach it, and nothing a setting holds may add a
 * server or a driver property.
 */
class ConnectionSettingsTest {

  private static final Timeouts TIMEOUTS = new Timeouts(Duration.ofSeconds(10), Duration.ZERO);
  private static final Path ROOT_CERT = Path.of("/etc/schema-operator/tls/root.crt");

  private static ConnectionSettings.Builder settings() {
    return ConnectionSettings.builder()
        .host("db")
        .port(5432)
        .database("jobgtm")
        .user("app")
        .password("pw")
        .sslMode("verify-full")
        .sslRootCert(ROOT_CERT);
  }

  /** The connection properties the driver reads from the data source's URL. */
  private static Properties driverProperties(ConnectionSettings settings) throws SQLException {
    PGSimpleDataSource dataSource =
        (PGSimpleDataSource) DatabaseSession.dataSource(settings, Duration.ofSeconds(5), TIMEOUTS);
    return Driver.parseURL(dataSource.getUrl(), null);
  }

  @Test
  void aHostThatCarriesConnectionParametersIsRefused() {
    // Without the check, the driver reads sslmode=disable and sslfactory=foo from this host.
    String host = "evil.example/x?sslmode=disable&sslfactory=foo&";

    assertThatThrownBy(() -> settings().host(host).build())
        .isInstanceOfSatisfying(
            MigrationException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(FailureReason.InvalidConfiguration);
              assertThat(e.getMessage())
                  .startsWith("host (DB_HOST) is not a host name")
                  .endsWith(": character 13 ('/') cannot appear in a host")
                  .doesNotContain("evil")
                  .doesNotContain("sslfactory");
            });
  }

  @Test
  void everyHostThatWouldAddAServerOrAParameterIsRefused() {
    for (String host :
        List.of(
            "db?sslmode=disable",
            "db/postgres?socketFactory=x",
            "db:5433",
            "db,evil.example",
            "db#",
            "db&sslmode=disable",
            "[::1]",
            "fe80::1%eth0",
            "db.",
            " db")) {
      assertThatThrownBy(() -> settings().host(host).build())
          .as(host)
          .isInstanceOfSatisfying(
              MigrationException.class,
              e -> assertThat(e.reason()).isEqualTo(FailureReason.InvalidConfiguration));
    }
  }

  @Test
  void theDriverSeesExactlyTheConfiguredServerAndSslmode() throws SQLException {
    record Case(String host, String driverHost) {}
    for (Case c :
        List.of(
            new Case("db", "db"),
            new Case("postgres.db.svc.cluster.local", "postgres.db.svc.cluster.local"),
            new Case("10.0.0.7", "10.0.0.7"),
            new Case("::1", "[0:0:0:0:0:0:0:1]"),
            new Case("fd00::a:1", "[fd00:0:0:0:0:0:a:1]"))) {
      Properties driver = driverProperties(settings().host(c.host()).port(6543).build());

      assertThat(driver.getProperty("PGHOST")).as(c.host()).isEqualTo(c.driverHost());
      assertThat(driver.getProperty("PGPORT")).isEqualTo("6543");
      assertThat(driver.getProperty("PGDBNAME")).isEqualTo("jobgtm");
      assertThat(driver.getProperty("sslmode")).isEqualTo("verify-full");
      assertThat(driver.getProperty("sslrootcert")).isEqualTo(ROOT_CERT.toString());
      assertThat(driver.stringPropertyNames())
          .containsExactlyInAnyOrder(
              "PGHOST",
              "PGPORT",
              "PGDBNAME",
              "sslmode",
              "sslrootcert",
              "options",
              "ApplicationName",
              "tcpKeepAlive",
              "connectTimeout",
              "loginTimeout");
    }
  }

  @Test
  void theDatabaseNameIsEncodedSoItCannotAddParameters() throws SQLException {
    String name = "jobgtm/x?sslmode=disable&sslfactory=foo&a=b#c";

    Properties driver = driverProperties(settings().database(name).build());

    assertThat(driver.getProperty("PGDBNAME")).isEqualTo(name);
    assertThat(driver.getProperty("sslmode")).isEqualTo("verify-full");
    assertThat(driver.getProperty("sslfactory")).isNull();
    assertThat(driver.getProperty("PGHOST")).isEqualTo("db");
  }

  @Test
  void theUserAndPasswordStayOutOfTheUrl() {
    PGSimpleDataSource dataSource =
        (PGSimpleDataSource)
            DatabaseSession.dataSource(
                settings().user("app&sslmode=disable").password("secret&x").build(),
                Duration.ofSeconds(5),
                TIMEOUTS);

    assertThat(dataSource.getUrl()).doesNotContain("app").doesNotContain("secret");
  }

  @Test
  void anSslmodeOutsideLibpqsListIsRefusedNamingTheValues() {
    for (String mode : List.of("sometimes", "VERIFY-FULL", "verify-full&sslfactory=x", "")) {
      assertThatThrownBy(() -> settings().sslMode(mode).sslRootCert(null).build())
          .as(mode)
          .isInstanceOfSatisfying(
              MigrationException.class,
              e -> {
                assertThat(e.reason()).isEqualTo(FailureReason.InvalidConfiguration);
                assertThat(e.getMessage()).doesNotContain("sometimes").doesNotContain("sslfactory");
              });
    }
    assertThatThrownBy(() -> settings().sslMode("sometimes").sslRootCert(null).build())
        .hasMessage(
            "sslmode (DB_SSLMODE) must be one of disable, allow, prefer, require, verify-ca,"
                + " verify-full");
  }

  @Test
  void aPortOutsideTheRangeIsRefused() {
    assertThatThrownBy(() -> settings().port(0).build())
        .hasMessage("port 0 is not between 1 and 65535");
    assertThatThrownBy(() -> settings().port(65536).build())
        .hasMessage("port 65536 is not between 1 and 65535");
  }

  @Test
  void verifyingModesNeedRootCertificatesInsteadOfLookingInTheHomeDirectory() {
    for (String mode : List.of("verify-ca", "verify-full")) {
      assertThatThrownBy(() -> settings().sslMode(mode).sslRootCert(null).build())
          .isInstanceOfSatisfying(
              MigrationException.class,
              e -> assertThat(e.reason()).isEqualTo(FailureReason.InvalidConfiguration))
          .hasMessage(
              "sslmode "
                  + mode
                  + " needs sslrootcert (DB_SSLROOTCERT): a file of PEM CA certificates the"
                  + " server's certificate must chain to");
    }
  }

  @Test
  void rootCertificatesWithAModeThatIgnoresThemAreRefused() {
    for (String mode : List.of("disable", "allow", "prefer", "require")) {
      assertThatThrownBy(() -> settings().sslMode(mode).build())
          .isInstanceOfSatisfying(
              MigrationException.class,
              e -> assertThat(e.reason()).isEqualTo(FailureReason.InvalidConfiguration))
          .hasMessage(
              "sslrootcert (DB_SSLROOTCERT) is used only with sslmode verify-ca or verify-full;"
                  + " sslmode "
                  + mode
                  + " does not check the server's certificate");
    }
  }

  @Test
  void rootCertificatesThatCannotBeReadAreNamed() throws Exception {
    Path notPem = java.nio.file.Files.createTempFile("root-", ".crt");
    java.nio.file.Files.writeString(notPem, "not a certificate\n");

    assertThatThrownBy(() -> settings().build().checkRootCertificates())
        .hasMessage("sslrootcert (DB_SSLROOTCERT) " + ROOT_CERT + " cannot be read");
    assertThatThrownBy(() -> settings().sslRootCert(notPem).build().checkRootCertificates())
        .hasMessage("sslrootcert (DB_SSLROOTCERT) " + notPem + " holds no PEM certificate");
  }

  @Test
  void aSchemaLongerThanPostgresqlNamesIsRefusedBeforeAnythingConnects() {
    // PostgreSQL cuts identifiers to 63 bytes: Flyway would create the cut schema, then fail to
    // find it by its full name (42P06, schema already exists), leaving the schema behind.
    assertThat(settings().schema("s" + "x".repeat(62)).build().schema()).hasSize(63);
    assertThat(settings().schema("é".repeat(31) + "x").build().schema()).hasSize(32);
    for (String schema : List.of("s" + "x".repeat(63), "é".repeat(32))) {
      assertThatThrownBy(() -> settings().schema(schema).build())
          .isInstanceOfSatisfying(
              MigrationException.class,
              e -> assertThat(e.reason()).isEqualTo(FailureReason.InvalidConfiguration))
          .hasMessage("schema (DB_SCHEMA) has 64 bytes in UTF-8; PostgreSQL names have at most 63");
    }
  }
}
