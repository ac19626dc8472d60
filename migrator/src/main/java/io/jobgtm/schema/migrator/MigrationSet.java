package io.jobgtm.schema.migrator;

import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.JobEnvironment;
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
  private MigrationNaming naming = MigrationNaming.DEFAULT;

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
    return new MigrationSet(source, versioned, undo, baseline, repeatable, callbacks, files)
        .named(naming);
  }

  /**
   * The same set without the versioned (and undo) scripts of {@code versions}: a replay of what a
   * database's history applied, where an out-of-order version was never applied.
   */
  MigrationSet without(java.util.Collection<Version> versions) {
    TreeMap<Version, MigrationScript> keptVersioned = new TreeMap<>(versioned);
    TreeMap<Version, MigrationScript> keptUndo = new TreeMap<>(undo);
    keptVersioned.keySet().removeAll(versions);
    keptUndo.keySet().removeAll(versions);
    return new MigrationSet(
            source, keptVersioned, keptUndo, baseline, repeatable, callbacks, ignored)
        .named(naming);
  }

  /**
   * The same set without the repeatable migrations among {@code scripts}: a replay of what a
   * database holds before the next migrate applies its changed repeatable migrations.
   */
  MigrationSet withoutRepeatables(java.util.Collection<MigrationScript> scripts) {
    TreeMap<String, MigrationScript> kept = new TreeMap<>(repeatable);
    kept.values().removeIf(scripts::contains);
    return new MigrationSet(source, versioned, undo, baseline, kept, callbacks, ignored)
        .named(naming);
  }

  private MigrationSet named(MigrationNaming naming) {
    this.naming = naming;
    return this;
  }

  /** How the set's files are named: Flyway's defaults unless it was loaded with others. */
  public MigrationNaming naming() {
    return naming;
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
    return fromDirectories(List.of(directory));
  }

  /**
   * Loads several directories as one set, as Flyway reads several filesystem {@code locations}:
   * each is scanned as {@link #fromDirectory(Path)} scans one, and a script is known by its path
   * within its own directory (Flyway records {@code V2__x.sql} for {@code b/V2__x.sql} of location
   * {@code b}). A directory listed twice, or inside another listed one, is read once, as Flyway
   * discards duplicate and sub-locations. A version (of a versioned, undo or baseline migration), a
   * repeatable migration's description or a callback's file name found twice, in one directory or
   * in two, is refused, naming both files with their directory, as Flyway refuses them ("Found more
   * than one migration with version"); every problem of every directory is named in one {@link
   * FailureReason#InvalidMigrationSet}.
   */
  public static MigrationSet fromDirectories(List<Path> directories) {
    return fromDirectories(directories, MigrationNaming.DEFAULT);
  }

  /**
   * {@link #fromDirectories(List)} for files named by {@code naming} (Flyway's prefixes, separator
   * and suffixes): only files with one of its suffixes are scripts.
   */
  public static MigrationSet fromDirectories(List<Path> directories, MigrationNaming naming) {
    List<Path> locations = locations(directories);
    boolean several = locations.size() > 1;
    List<Located> scripts = new ArrayList<>();
    List<String> ignored = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (Path location : locations) {
      if (!Files.isDirectory(location)) {
        problems.add("migration directory " + location + " does not exist");
        continue;
      }
      List<String> badNames = new ArrayList<>();
      List<String> locationProblems = new ArrayList<>();
      Set<String> locationScripts = new java.util.HashSet<>();
      Map<String, Path> confs = new TreeMap<>();
      try {
        List<Path> entries = files(location);
        for (Path entry : entries) {
          if (naming.isScriptConfiguration(entry.getFileName().toString())) {
            confs.put(location.relativize(entry).toString().replace('\\', '/'), entry);
          }
        }
        for (Path entry : entries) {
          String path = location.relativize(entry).toString().replace('\\', '/');
          String shown = several ? location.resolve(path).toString() : path;
          String name = entry.getFileName().toString();
          String refusal = SetFiles.refusal(shown, name);
          if (refusal != null) {
            locationProblems.add(refusal);
          } else if (naming.isScriptConfiguration(name)) {
            continue;
          } else if (!naming.isScript(name)) {
            ignored.add(shown);
          } else {
            try {
              Path conf = confs.remove(path + ".conf");
              locationScripts.add(path);
              scripts.add(
                  new Located(
                      MigrationScript.of(
                          path,
                          Files.readAllBytes(entry),
                          conf == null ? null : path + ".conf",
                          conf == null
                              ? null
                              : ScriptDirectives.confText(path + ".conf", Files.readAllBytes(conf)),
                          naming),
                      shown));
            } catch (MigrationException e) {
              if (e.getMessage().equals(SetFiles.badName(path, naming))) {
                badNames.add(shown);
              } else {
                locationProblems.add(
                    several ? e.getMessage().replace(path, shown) : e.getMessage());
              }
            }
          }
        }
      } catch (IOException e) {
        throw new MigrationException(
            FailureReason.InvalidMigrationSet,
            null,
            "cannot read migration directory " + location + ": " + e.getMessage(),
            e);
      }
      if (!badNames.isEmpty()) {
        problems.add(SetFiles.badNames(badNames, naming));
      }
      problems.addAll(locationProblems);
      confs
          .keySet()
          .forEach(
              path ->
                  problems.add(
                      SetFiles.orphanConfiguration(
                          several ? location.resolve(path).toString() : path,
                          path,
                          locationScripts)));
    }
    problems.addAll(duplicates(scripts));
    if (problems.size() == 1) {
      throw new MigrationException(FailureReason.InvalidMigrationSet, problems.get(0));
    }
    if (!problems.isEmpty()) {
      throw new MigrationException(
          FailureReason.InvalidMigrationSet,
          problems.size() + " problems in the migration set: " + String.join("; ", problems));
    }
    String source =
        String.join(
            JobEnvironment.LOCATION_SEPARATOR, locations.stream().map(Path::toString).toList());
    return of(source, scripts.stream().map(Located::script).toList())
        .named(naming)
        .ignoring(ignored);
  }

  /** A script and how messages name it: its path, with its directory when there are several. */
  private record Located(MigrationScript script, String shown) {}

  /**
   * The directories to read, in the order given, without one listed twice or inside another listed
   * one (Flyway logs "Discarding duplicate location" and "Discarding location ... as it is a
   * sub-location of ..." and reads it once).
   */
  private static List<Path> locations(List<Path> directories) {
    if (directories.isEmpty()) {
      throw new MigrationException(
          FailureReason.InvalidMigrationSet, "no migration directory given");
    }
    List<Path> normalized =
        directories.stream().map(path -> path.toAbsolutePath().normalize()).distinct().toList();
    List<Path> locations = new ArrayList<>();
    for (int i = 0; i < normalized.size(); i++) {
      Path candidate = normalized.get(i);
      boolean inside =
          normalized.stream()
              .anyMatch(other -> !other.equals(candidate) && candidate.startsWith(other));
      if (!inside) {
        // Messages name a directory as it was given.
        locations.add(directories.size() == normalized.size() ? directories.get(i) : candidate);
      }
    }
    return locations;
  }

  /**
   * What Flyway refuses to find twice among the scripts: a version among the versioned, among the
   * undo or among the baseline migrations, a repeatable migration's description, a callback's file
   * name ("Found more than 1 SQL callback script called ...").
   */
  private static List<String> duplicates(List<Located> scripts) {
    Map<String, List<Located>> byKey = new java.util.LinkedHashMap<>();
    for (Located located : scripts) {
      MigrationScript script = located.script();
      String key =
          switch (script.kind()) {
            case REPEATABLE -> "R " + script.description();
            case CALLBACK -> "C " + script.name();
            default -> script.kind() + " " + script.version();
          };
      byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(located);
    }
    List<String> problems = new ArrayList<>();
    for (List<Located> same : byKey.values()) {
      if (same.size() < 2) {
        continue;
      }
      MigrationScript first = same.get(0).script();
      String files = names(same.stream().map(Located::shown).toList());
      problems.add(
          switch (first.kind()) {
            case REPEATABLE ->
                "two repeatable migrations are named '"
                    + first.description()
                    + "': "
                    + files
                    + "; a repeatable migration is known by its description, so each needs its own";
            case CALLBACK ->
                "the SQL callback "
                    + first.name()
                    + " appears more than once: "
                    + files
                    + "; Flyway runs one script per callback name, so each needs its own"
                    + " (afterMigrate__grants.sql, afterMigrate__views.sql)";
            default -> "version " + first.version() + " appears twice: " + files;
          });
    }
    return problems;
  }

  /** "a and b", "a, b and c". */
  private static String names(List<String> names) {
    return String.join(", ", names.subList(0, names.size() - 1))
        + " and "
        + names.get(names.size() - 1);
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
