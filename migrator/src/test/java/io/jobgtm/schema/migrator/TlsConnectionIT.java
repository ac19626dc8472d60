package io.jobgtm.schema.migrator;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.contract.Outcome;
import io.jobgtm.schema.migrator.testing.DatabaseProbe;
import io.jobgtm.schema.migrator.testing.MigrationFiles;
import io.jobgtm.schema.migrator.testing.MigratorProcess;
import io.jobgtm.schema.testing.Catalog;
import io.jobgtm.schema.testing.PostgresServer;
import io.jobgtm.schema.testing.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The migrator against PostgreSQL servers that serve certificates made at test time. Both accept
 * TCP connections only over TLS ({@code hostssl}), so a migration that succeeds proves TLS was
 * used: {@code trusted} has a certificate for localhost, 127.0.0.1 and ::1 from the test CA, {@code
 * elsewhere} one from the same CA for db.example.com only. The shared server offers no TLS.
 */
class TlsConnectionIT {

  private static final TestCertificates.Authority CA = TestCertificates.authority("test CA");
  private static final TestCertificates.Authority OTHER_CA =
      TestCertificates.authority("another CA");

  private static PostgresServer trusted;
  private static PostgresServer elsewhere;
  private static PostgresServer expired;
  private static PostgresServer clientOnly;
  private static Path caFile;
  private static Path otherCaFile;

  private final List<String> progress = new ArrayList<>();

  @BeforeAll
  static void startServers() throws Exception {
    trusted =
        PostgresServer.startWithTls(
            CA.issueServer(List.of("localhost"), List.of("127.0.0.1", "::1")));
    elsewhere = PostgresServer.startWithTls(CA.issueServer(List.of("db.example.com"), List.of()));
    expired = PostgresServer.startWithTls(CA.issueExpiredServer(List.of("localhost"), List.of()));
    clientOnly = PostgresServer.startWithTls(CA.issueClientOnly(List.of("localhost"), List.of()));
    Path directory = Files.createTempDirectory("tls-");
    caFile = CA.writePem(directory);
    otherCaFile = OTHER_CA.writePem(directory);
  }

  @AfterAll
  static void stopServers() {
    trusted.close();
    elsewhere.close();
    expired.close();
    clientOnly.close();
  }

  private static ConnectionSettings settings(
      PostgresServer server, String database, String host, String sslMode, Path rootCert) {
    return ConnectionSettings.builder()
        .host(host)
        .port(server.port())
        .database(database)
        .user(PostgresServer.SUPERUSER)
        .password(server.password())
        .sslMode(sslMode)
        .sslRootCert(rootCert)
        .build();
  }

  private MigrationResult migrate(ConnectionSettings settings) {
    return Migrator.configure()
        .connection(settings)
        .migrations(MigrationSet.fromDirectory(MigrationFiles.reference()))
        .connectTimeout(Duration.ofSeconds(20))
        .progress(progress::add)
        .load()
        .migrate();
  }

  private static void assertMigratedToTwo(PostgresServer server, String database) {
    assertThat(Catalog.history(server, database, "public"))
        .containsExactly("1:SQL:true", "2:SQL:true");
    assertThat(Catalog.tables(server, database, "public")).contains("flyway_schema_history");
    assertThat(Catalog.snapshot(server, database, "public"))
        .anyMatch(line -> line.startsWith("column job_listings.is_remote "));
  }

  private static void assertUntouched(PostgresServer server, String database) {
    assertThat(Catalog.tables(server, database, "public")).isEmpty();
    assertThat(DatabaseProbe.objects(server, database, "public")).isEmpty();
  }

  @Test
  void verifyFullWithTheRightCaMigratesThroughTheCommandLine() {
    String database = trusted.createDatabase();
    ConnectionSettings settings = settings(trusted, database, "localhost", "verify-full", caFile);

    MigratorProcess.Finished run =
        MigratorProcess.of(settings, trusted.password(), "migrate", "--connect-timeout", "20s")
            .run();

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertMigratedToTwo(trusted, database);
  }

  @Test
  void verifyFullOnAnIpv6AddressComparesItWithTheCertificatesAddress() {
    String database = trusted.createDatabase();

    MigrationResult result = migrate(settings(trusted, database, "::1", "verify-full", caFile));

    assertThat(result.failure()).isNull();
    assertThat(result.outcome()).isEqualTo(Outcome.Migrated);
    assertMigratedToTwo(trusted, database);
  }

  @Test
  void aCertificateFromAnotherCaIsRefusedAndNothingIsWritten() {
    String database = trusted.createDatabase();

    MigrationResult result =
        migrate(settings(trusted, database, "127.0.0.1", "verify-full", otherCaFile));

    assertThat(result.failure().reason()).isEqualTo(FailureReason.TlsVerificationFailed);
    assertThat(result.failure().message())
        .isEqualTo(
            "the certificate of the server at 127.0.0.1:"
                + trusted.port()
                + " is not trusted: it does not chain to a CA certificate of sslrootcert"
                + " (DB_SSLROOTCERT)");
    assertThat(FailureReason.TlsVerificationFailed.isTransient()).isFalse();
    assertThat(progress).noneMatch(line -> line.startsWith("waiting for the database"));
    assertUntouched(trusted, database);
  }

  @Test
  void aCertificateForAnotherHostIsRefusedUnderVerifyFullButNotVerifyCa() {
    String refused = elsewhere.createDatabase();
    String accepted = elsewhere.createDatabase();

    MigrationResult full =
        migrate(settings(elsewhere, refused, "localhost", "verify-full", caFile));
    MigrationResult ca = migrate(settings(elsewhere, accepted, "localhost", "verify-ca", caFile));

    assertThat(full.failure().reason()).isEqualTo(FailureReason.TlsVerificationFailed);
    assertThat(full.failure().message())
        .isEqualTo(
            "the certificate of the server at localhost:"
                + elsewhere.port()
                + " does not name host localhost (sslmode verify-full checks the host against the"
                + " certificate's subject alternative names; verify-ca does not)");
    assertUntouched(elsewhere, refused);
    assertThat(ca.failure()).isNull();
    assertMigratedToTwo(elsewhere, accepted);
  }

  @Test
  void requireIsRefusedByAServerWithoutTls() {
    PostgresServer plain = PostgresServer.shared();
    String database = plain.createDatabase();

    MigrationResult result = migrate(settings(plain, database, "127.0.0.1", "require", null));

    assertThat(result.failure().reason()).isEqualTo(FailureReason.TlsVerificationFailed);
    assertThat(result.failure().message())
        .isEqualTo(
            "the server at 127.0.0.1:"
                + plain.port()
                + " does not offer TLS, and sslmode require requires it");
    assertUntouched(plain, database);
  }

  @Test
  void preferConnectsToAServerWhoseCertificateNothingTrusts() {
    // What prefer does not protect against: the certificate is checked against nothing, so any
    // server that answers, or a machine in the middle, gets the connection (and its password).
    String database = elsewhere.createDatabase();

    MigrationResult result = migrate(settings(elsewhere, database, "localhost", "prefer", null));

    assertThat(result.failure()).isNull();
    assertMigratedToTwo(elsewhere, database);
  }

  @Test
  void anExpiredCertificateIsNamedAsExpiredNotAsFromAnotherCa() {
    String database = expired.createDatabase();

    MigrationResult result =
        migrate(settings(expired, database, "localhost", "verify-full", caFile));

    assertThat(result.failure().reason()).isEqualTo(FailureReason.TlsVerificationFailed);
    assertThat(result.failure().message())
        .startsWith(
            "the certificate of the server at localhost:"
                + expired.port()
                + " or of a CA it chains to is outside its validity period (expired, or not yet"
                + " valid): NotAfter: ")
        .doesNotContain("does not chain");
    assertUntouched(expired, database);
  }

  @Test
  void aCertificateNotForServersIsNamedAsSuchNotAsFromAnotherCa() {
    String database = clientOnly.createDatabase();

    MigrationResult result =
        migrate(settings(clientOnly, database, "localhost", "verify-ca", caFile));

    assertThat(result.failure().reason()).isEqualTo(FailureReason.TlsVerificationFailed);
    assertThat(result.failure().message())
        .isEqualTo(
            "the certificate of the server at localhost:"
                + clientOnly.port()
                + " is not accepted: Extended key usage does not permit use for TLS server"
                + " authentication");
    assertUntouched(clientOnly, database);
  }

  @Test
  void aBundleWithCrlfLinesAndSeveralCasVerifiesAgainstAnyOfThem() throws Exception {
    // What a bundle edited on Windows or built by concatenation looks like.
    Path file = Files.createTempFile(caFile.getParent(), "bundle-", ".crt");
    Files.writeString(
        file, (OTHER_CA.certificatePem() + "\n" + CA.certificatePem()).replace("\n", "\r\n"));
    String database = trusted.createDatabase();

    MigrationResult result = migrate(settings(trusted, database, "localhost", "verify-full", file));

    assertThat(result.failure()).isNull();
    assertMigratedToTwo(trusted, database);
  }

  @Test
  void aBundleThatStartsWithAByteOrderMarkIsNamedAsSuch() throws Exception {
    // Java's certificate parser, which the driver uses too, reads no certificate from it.
    Path file = Files.createTempFile(caFile.getParent(), "bom-", ".crt");
    Files.writeString(file, "\uFEFF" + CA.certificatePem());
    String database = trusted.createDatabase();

    MigrationResult result = migrate(settings(trusted, database, "localhost", "verify-full", file));

    assertThat(result.failure().reason()).isEqualTo(FailureReason.InvalidConfiguration);
    assertThat(result.failure().message())
        .isEqualTo(
            "sslrootcert (DB_SSLROOTCERT) "
                + file
                + " starts with a byte order mark (U+FEFF), after which Java reads no certificate:"
                + " save it as UTF-8 without one");
    assertUntouched(trusted, database);
  }
}
