package io.jobgtm.schema.migrator;

import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.Version;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A validated set of migration scripts: every file is named as a migration, no version appears
 * twice among the versioned, the undo or the baseline migrations (a baseline migration may share
 * its version with a versioned one, as in Flyway), no two repeatable migrations share a
 * description, and every undo script has the versioned migration it reverts. Loading fails as a
 * whole, so a malformed set is never partly applied.
 */
public final class MigrationSet {

  /** Where the reference migrations are bundled inside the migrator. */
  public static final String BUNDLED_LOCATION = "db/migration";

  private final String source;
  private final TreeMap<Version, MigrationScript> versioned;
  private final TreeMap<Version, MigrationScript> undo;
  private final TreeMap<Version, MigrationScript> baseline;
  private final TreeMap<String, MigrationScript> repeatable;
  private final List<MigrationScript> callbacks;
  private final List<String> ignored;

  private MigrationSet(
      String source,
      TreeMap<Version, MigrationScript> versioned,
      TreeMap<Version, MigrationScript> undo,
      TreeMap<Version, MigrationScript> baseline,
      TreeMap<String, MigrationScript> repeatable,
      List<MigrationScript> callbacks,
      List<String> ignored) {
    this.source = source;
    this.ignored = List.copyOf(ignored);
    this.versioned = versioned;
    this.undo = undo;
    this.baseline = baseline;
    this.repeatable = repeatable;
    this.callbacks = List.copyOf(callbacks);
  }

  private MigrationSet from(String otherSource) {
    return new MigrationSet(otherSource, versioned, undo, baseline, repeatable, callbacks, ignored);
  }

  private MigrationSet ignoring(List<String> files) {
    return new MigrationSet(source, versioned, undo, baseline, repeatable, callbacks, files);
  }

  /**
   * The files of the directory that are not part of the set and that Flyway ignores too (no {@code
   * .sql} suffix, such as {@code README.md}), by path within the directory; the migrator says so on
   * every run.
   */
  public List<String> ignored() {
    return ignored;
  }

  /**
   * Loads every migration file of a directory, such as a mounted ConfigMap, and of its sub-folders,
   * as Flyway scans a filesystem location: hidden entries (the {@code ..data} links of a ConfigMap
   * volume, {@code .git}, {@code .gitkeep}) are skipped, a script in a sub-folder is known by its
   * path within the directory ({@code data/V2__x.sql}, the path Flyway records), and the {@code
   * .sql} suffix is matched in any case, as Flyway matches it. Files without that suffix are
   * ignored as Flyway ignores them ({@link #ignored()}, such as {@code README.md}), except the ones
   * Flyway would act on and the migrator will not: Java migrations ({@code V3__x.java}, {@code
   * .class}) and a project's {@code flyway.conf} or {@code flyway.toml}. A script's configuration
   * file ({@code V3__x.sql.conf}, Flyway's per-script settings) is read with its script; one
   * without its script is refused. Those, and every file that cannot be a migration, are refused
   * together, in one {@link FailureReason#InvalidMigrationSet} that names each.
   */
  public static MigrationSet fromDirectory(Path directory) {
    if (!Files.isDirectory(directory)) {
      throw new MigrationException(
          FailureReason.InvalidMigrationSet,
          "migration directory " + directory + " does not exist");
    }
    List<MigrationScript> scripts = new ArrayList<>();
    List<String> ignored = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    List<String> badNames = new ArrayList<>();
    Map<String, Path> confs = new TreeMap<>();
    try {
      List<Path> entries = files(directory);
      for (Path entry : entries) {
        if (SetFiles.isScriptConfiguration(entry.getFileName().toString())) {
          confs.put(directory.relativize(entry).toString().replace('\\', '/'), entry);
        }
      }
      for (Path entry : entries) {
        String path = directory.relativize(entry).toString().replace('\\', '/');
        String name = entry.getFileName().toString();
        String refusal = SetFiles.refusal(path, name);
        if (refusal != null) {
          problems.add(refusal);
        } else if (SetFiles.isScriptConfiguration(name)) {
          continue;
        } else if (!SetFiles.isSql(name)) {
          ignored.add(path);
        } else {
          try {
            Path conf = confs.remove(path + ".conf");
            scripts.add(
                MigrationScript.of(
                    path,
                    Files.readAllBytes(entry),
                    conf == null ? null : path + ".conf",
                    conf == null
                        ? null
                        : ScriptDirectives.confText(path + ".conf", Files.readAllBytes(conf))));
          } catch (MigrationException e) {
            if (e.getMessage().equals(SetFiles.badName(path))) {
              badNames.add(path);
            } else {
              problems.add(e.getMessage());
            }
          }
        }
      }
    } catch (IOException e) {
      throw new MigrationException(
          FailureReason.InvalidMigrationSet,
          null,
          "cannot read migration directory " + directory + ": " + e.getMessage(),
          e);
    }
    Set<String> scriptPaths = new java.util.HashSet<>();
    scripts.forEach(script -> scriptPaths.add(script.fileName()));
    confs.keySet().forEach(path -> problems.add(SetFiles.orphanConfiguration(path, scriptPaths)));
    if (!badNames.isEmpty()) {
      problems.add(0, SetFiles.badNames(badNames));
    }
    if (problems.size() == 1) {
      throw new MigrationException(FailureReason.InvalidMigrationSet, problems.get(0));
    }
    if (!problems.isEmpty()) {
      throw new MigrationException(
          FailureReason.InvalidMigrationSet,
          problems.size() + " problems in the migration set: " + String.join("; ", problems));
    }
    return of(directory.toString(), scripts).ignoring(ignored);
  }

  /**
   * The regular files under a directory, in path order, following links (a ConfigMap's files are
   * links) and skipping hidden entries and everything under a hidden folder, as Flyway does.
   */
  private static List<Path> files(Path directory) throws IOException {
    List<Path> files = new ArrayList<>();
    collect(directory, new java.util.HashSet<>(List.of(directory.toRealPath())), files);
    files.sort(java.util.Comparator.comparing(Path::toString));
    return files;
  }

  /**
   * Adds the regular files under a directory; a linked folder is read once, so that a link to a
   * folder above it (an image may hold one) does not make the walk endless.
   */
  private static void collect(Path directory, java.util.Set<Path> visited, List<Path> files)
      throws IOException {
    try (Stream<Path> entries = Files.list(directory)) {
      for (Path entry : entries.sorted().toList()) {
        if (entry.getFileName().toString().startsWith(".")) {
          continue;
        }
        if (Files.isDirectory(entry)) {
          if (visited.add(entry.toRealPath())) {
            collect(entry, visited, files);
          }
        } else if (Files.isRegularFile(entry)) {
          files.add(entry);
        }
      }
    }
  }

  /** Loads the reference migrations bundled with the migrator. */
  public static MigrationSet bundled() {
    URL location = MigrationSet.class.getClassLoader().getResource(BUNDLED_LOCATION);
    if (location == null) {
      throw new MigrationException(
          FailureReason.InvalidMigrationSet, "no bundled migrations found at " + BUNDLED_LOCATION);
    }
    try {
      if (location.getProtocol().equals("jar")) {
        try (FileSystem jar = FileSystems.newFileSystem(location.toURI(), Map.of())) {
          return fromDirectory(jar.getPath(BUNDLED_LOCATION)).from("bundled");
        }
      }
      return fromDirectory(Path.of(location.toURI())).from("bundled");
    } catch (IOException | URISyntaxException e) {
      throw new MigrationException(
          FailureReason.InvalidMigrationSet, null, "cannot read bundled migrations: " + e, e);
    }
  }

  /** Builds a set from scripts already in memory, validating it as a whole. */
  public static MigrationSet of(String source, List<MigrationScript> scripts) {
    TreeMap<Version, MigrationScript> versioned = new TreeMap<>();
    TreeMap<Version, MigrationScript> undo = new TreeMap<>();
    TreeMap<Version, MigrationScript> baseline = new TreeMap<>();
    TreeMap<String, MigrationScript> repeatable = new TreeMap<>();
    List<MigrationScript> callbacks = new ArrayList<>();
    for (MigrationScript script : scripts) {
      if (script.kind() == MigrationScript.Kind.CALLBACK) {
        callbacks.add(script);
        continue;
      }
      if (script.kind() == MigrationScript.Kind.REPEATABLE) {
        MigrationScript previous = repeatable.putIfAbsent(script.description(), script);
        if (previous != null) {
          throw new MigrationException(
              FailureReason.InvalidMigrationSet,
              "two repeatable migrations are named '"
                  + script.description()
                  + "': "
                  + previous.fileName()
                  + " and "
                  + script.fileName()
                  + "; a repeatable migration is known by its description, so each needs its own");
        }
        continue;
      }
      TreeMap<Version, MigrationScript> target =
          switch (script.kind()) {
            case VERSIONED -> versioned;
            case BASELINE -> baseline;
            default -> undo;
          };
      MigrationScript previous = target.putIfAbsent(script.version(), script);
      if (previous != null) {
        throw new MigrationException(
            FailureReason.InvalidMigrationSet,
            "version "
                + script.version()
                + " appears twice: "
                + previous.fileName()
                + " and "
                + script.fileName());
      }
    }
    for (MigrationScript script : undo.values()) {
      if (!versioned.containsKey(script.version())) {
        throw new MigrationException(
            FailureReason.InvalidMigrationSet,
            script.fileName() + " undoes version " + script.version() + ", which has no V script");
      }
    }
    if (versioned.isEmpty() && baseline.isEmpty()) {
      throw new MigrationException(
          FailureReason.InvalidMigrationSet,
          "no versioned migrations (V<version>__*.sql or B<version>__*.sql) in " + source);
    }
    // Flyway's order among the callbacks of one event: without description first, then by it.
    callbacks.sort(
        java.util.Comparator.comparing((MigrationScript script) -> script.callbackEvent())
            .thenComparing(MigrationScript::description));
    return new MigrationSet(source, versioned, undo, baseline, repeatable, callbacks, List.of());
  }

  /** Where the set came from: a directory, or {@code bundled}. */
  public String source() {
    return source;
  }

  /** The versioned migrations, lowest version first. */
  public List<MigrationScript> versioned() {
    return List.copyOf(versioned.values());
  }

  /** The repeatable migrations, in Flyway's order: by description. */
  public List<MigrationScript> repeatable() {
    return List.copyOf(repeatable.values());
  }

  /**
   * The SQL callbacks, by event and, within one event, in the order Flyway runs them: the one
   * without description first, then by description.
   */
  public List<MigrationScript> callbacks() {
    return callbacks;
  }

  /** The baseline migrations, lowest version first. */
  public List<MigrationScript> baseline() {
    return List.copyOf(baseline.values());
  }

  /**
   * The baseline migration Flyway applies to a schema without migration history: the highest at or
   * below {@code target} (null: any).
   */
  public Optional<MigrationScript> baselineFor(Version target) {
    return Optional.ofNullable(target == null ? baseline.lastEntry() : baseline.floorEntry(target))
        .map(Map.Entry::getValue);
  }

  /** Every script Flyway runs itself: the versioned, baseline and repeatable migrations. */
  List<MigrationScript> forFlyway() {
    List<MigrationScript> scripts = new ArrayList<>(versioned.values());
    scripts.addAll(baseline.values());
    scripts.addAll(repeatable.values());
    return scripts;
  }

  /** Every script of the set: migrations of every kind, undo scripts and callbacks. */
  List<MigrationScript> scripts() {
    List<MigrationScript> scripts = new ArrayList<>(forFlyway());
    scripts.addAll(undo.values());
    scripts.addAll(callbacks);
    return scripts;
  }

  /** The script Flyway names by this file name, if it is one Flyway runs. */
  Optional<MigrationScript> byFileName(String fileName) {
    return forFlyway().stream().filter(script -> script.fileName().equals(fileName)).findFirst();
  }

  public Optional<MigrationScript> versioned(Version version) {
    return Optional.ofNullable(versioned.get(version));
  }

  /** The baseline migration of this version ({@code B<version>__…}), if the set has one. */
  public Optional<MigrationScript> baseline(Version version) {
    return Optional.ofNullable(baseline.get(version));
  }

  public Optional<MigrationScript> undo(Version version) {
    return Optional.ofNullable(undo.get(version));
  }

  /** The highest version of a versioned or a baseline migration. */
  public Version latest() {
    if (versioned.isEmpty()) {
      return baseline.lastKey();
    }
    if (baseline.isEmpty()) {
      return versioned.lastKey();
    }
    return versioned.lastKey().isAbove(baseline.lastKey())
        ? versioned.lastKey()
        : baseline.lastKey();
  }

  /** Whether a versioned or a baseline migration has this version. */
  public boolean contains(Version version) {
    return versioned.containsKey(version) || baseline.containsKey(version);
  }

  /** Every version of the set, of versioned and baseline migrations, lowest first. */
  public List<Version> versions() {
    java.util.TreeSet<Version> versions = new java.util.TreeSet<>(versioned.keySet());
    versions.addAll(baseline.keySet());
    return List.copyOf(versions);
  }
}
