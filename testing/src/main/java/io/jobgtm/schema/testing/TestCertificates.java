package io.jobgtm.schema.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made at test time: a CA, and server certificates it signs for the names and
 * addresses a test connects to. EC P-256 keys, valid from an hour ago for a day.
 */
public final class TestCertificates {

  private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

  private TestCertificates() {}

  /** A certificate authority. */
  public record Authority(X509Certificate certificate, KeyPair keys) {

    /** The CA certificate as PEM, such as the value of a Secret or ConfigMap key. */
    public String certificatePem() {
      return pem(certificate);
    }

    /** The CA certificate as PEM, as a file for {@code sslrootcert}. */
    public Path writePem(Path directory) {
      try {
        Path file = directory.resolve("root-" + certificate.getSerialNumber() + ".crt");
        Files.writeString(file, pem(certificate));
        return file;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /**
     * A server certificate signed by this CA.
     *
     * @param dnsNames subject alternative names of type DNS
     * @param ipAddresses subject alternative names of type IP address, such as 127.0.0.1 or ::1
     */
    public PostgresServer.Tls issueServer(List<String> dnsNames, List<String> ipAddresses) {
      return issue(dnsNames, ipAddresses, notBefore(), notAfter(), KeyPurposeId.id_kp_serverAuth);
    }

    /** A server certificate like {@link #issueServer}'s whose validity ended a day ago. */
    public PostgresServer.Tls issueExpiredServer(List<String> dnsNames, List<String> ipAddresses) {
      Instant now = Instant.now();
      return issue(
          dnsNames,
          ipAddresses,
          Date.from(now.minus(Duration.ofDays(2))),
          Date.from(now.minus(Duration.ofDays(1))),
          KeyPurposeId.id_kp_serverAuth);
    }

    /**
     * A certificate like {@link #issueServer}'s whose extended key usage allows TLS clients only,
     * not servers.
     */
    public PostgresServer.Tls issueClientOnly(List<String> dnsNames, List<String> ipAddresses) {
      return issue(dnsNames, ipAddresses, notBefore(), notAfter(), KeyPurposeId.id_kp_clientAuth);
    }

    private PostgresServer.Tls issue(
        List<String> dnsNames,
        List<String> ipAddresses,
        Date notBefore,
        Date notAfter,
        KeyPurposeId purpose) {
      try {
        KeyPair server = keyPair();
        String commonName = dnsNames.isEmpty() ? ipAddresses.get(0) : dnsNames.get(0);
        GeneralName[] names =
            java.util.stream.Stream.concat(
                    dnsNames.stream().map(name -> new GeneralName(GeneralName.dNSName, name)),
                    ipAddresses.stream()
                        .map(address -> new GeneralName(GeneralName.iPAddress, address)))
                .toArray(GeneralName[]::new);
        JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
        X509v3CertificateBuilder builder =
            new JcaX509v3CertificateBuilder(
                    certificate,
                    BigInteger.valueOf(SERIALS.incrementAndGet()),
                    notBefore,
                    notAfter,
                    new X500Name("CN=" + commonName),
                    server.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names))
                .addExtension(
                    Extension.authorityKeyIdentifier,
                    false,
                    extensions.createAuthorityKeyIdentifier(certificate))
                .addExtension(
                    Extension.subjectKeyIdentifier,
                    false,
                    extensions.createSubjectKeyIdentifier(server.getPublic()));
        X509Certificate issued = sign(builder, keys);
        return new PostgresServer.Tls(pem(issued), privateKeyPem(server));
      } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
        throw new IllegalStateException("cannot issue a test certificate", e);
      }
    }
  }

  /** A new self-signed CA. */
  public static Authority authority(String name) {
    try {
      KeyPair keys = keyPair();
      X500Name subject = new X500Name("CN=" + name);
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
                  subject,
                  BigInteger.valueOf(SERIALS.incrementAndGet()),
                  notBefore(),
                  notAfter(),
                  subject,
                  keys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
              .addExtension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  extensions.createSubjectKeyIdentifier(keys.getPublic()));
      return new Authority(sign(builder, keys), keys);
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot make a test CA", e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuer)
      throws OperatorCreationException, GeneralSecurityException {
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static Date notBefore() {
    return Date.from(Instant.now().minus(Duration.ofHours(1)));
  }

  private static Date notAfter() {
    return Date.from(Instant.now().plus(Duration.ofDays(1)));
  }

  private static String pem(Object object) {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text.toString();
  }

  private static String privateKeyPem(KeyPair keys) throws IOException {
    return pem(new JcaPKCS8Generator(keys.getPrivate(), null).generate());
  }
}
