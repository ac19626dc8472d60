package io.jobgtm.schema.migrator.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Migration sets on disk for tests: the reference set, or a copy with changes. */
public final class MigrationFiles {

  private final Path directory;

  private MigrationFiles(Path directory) {
    this.directory = directory;
  }

  /** The reference migrations, the single source in {@code migrations/}. */
  public static Path reference() {
    Path path = Path.of(System.getProperty("user.dir")).resolve("../migrations").normalize();
    if (!Files.isDirectory(path)) {
      throw new IllegalStateException("reference migrations not found at " + path);
    }
    return path;
  }

  /** A new directory holding a copy of the reference migrations. */
  public static MigrationFiles copyOfReference() {
    MigrationFiles files = empty();
    try (Stream<Path> entries = Files.list(reference())) {
      for (Path entry : entries.toList()) {
        Files.copy(entry, files.directory.resolve(entry.getFileName()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  /** A new empty directory. */
  public static MigrationFiles empty() {
    try {
      return new MigrationFiles(Files.createTempDirectory("migrations-"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A new directory holding a copy of this one's files. */
  public MigrationFiles copy() {
    MigrationFiles copy = empty();
    try (Stream<Path> entries = Files.list(directory)) {
      for (Path entry : entries.toList()) {
        Files.copy(entry, copy.directory.resolve(entry.getFileName()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return copy;
  }

  /** Adds or replaces a file. */
  public MigrationFiles with(String fileName, String sql) {
    try {
      Files.writeString(directory.resolve(fileName), sql);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  /** Removes a file. */
  public MigrationFiles without(String fileName) {
    try {
      Files.delete(directory.resolve(fileName));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  public Path directory() {
    return directory;
  }
}
