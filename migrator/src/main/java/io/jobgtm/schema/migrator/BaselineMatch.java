package io.jobgtm.schema.migrator;

import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.Version;
import io.jobgtm.schema.migrator.model.SchemaDiff;
import io.jobgtm.schema.migrator.model.SchemaModel;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which version an unversioned schema is at, decided from its model and the models a shadow replay
 * took after each version (pure: no I/O).
 *
 * <ul>
 *   <li>{@link #find}: the versions whose model equals the schema's; the highest of them at or
 *       below the target is the one to stamp (several are equal when a migration changes no object,
 *       such as one that only inserts rows: the highest is taken, so such a migration is not run
 *       again).
 *   <li>{@link #check}: a given version's model equals the schema's.
 * </ul>
 *
 * Anything else is {@link FailureReason#SchemaMismatch}, whose message names the closest version
 * (fewest differences, the higher one on a tie) and at most {@value #MAX_LINES} lines of the
 * differences (the rest counted), joined by {@code "; "}: for {@link #find} the closest version's,
 * for {@link #check} the given version's. A difference reads as in {@link SchemaDiff}: "missing" is
 * in the version's model and not in the schema, "extra" the other way round.
 */
final class BaselineMatch {

  /** The most difference lines a message holds, the last one counting the rest. */
  static final int MAX_LINES = 20;

  /** The model the replay took once the shadow was at {@code version}. */
  record Replayed(Version version, SchemaModel model) {}

  private BaselineMatch() {}

  /**
   * The version to stamp a schema with: the highest whose model equals {@code live}, at or below
   * {@code target}.
   *
   * @param replayed the replay's models, lowest version first
   * @param schema the schema's name, for messages
   * @throws MigrationException {@link FailureReason#SchemaMismatch} when no version matches, or the
   *     only matches are above the target
   */
  static Version find(SchemaModel live, List<Replayed> replayed, Version target, String schema) {
    List<Version> equal =
        replayed.stream().filter(step -> step.model().equals(live)).map(Replayed::version).toList();
    Optional<Version> chosen =
        equal.stream().filter(version -> !version.isAbove(target)).reduce((a, b) -> b);
    if (chosen.isPresent()) {
      return chosen.get();
    }
    if (!equal.isEmpty()) {
      throw new MigrationException(
          FailureReason.SchemaMismatch,
          equal.get(0).toString(),
          "schema "
              + schema
              + " matches version "
              + equal.get(equal.size() - 1)
              + ", above the target "
              + target
              + ": raise the target to baseline it",
          null);
    }
    if (replayed.isEmpty()) {
      throw new MigrationException(
          FailureReason.SchemaMismatch,
          "schema " + schema + " matches no version: the replay reached no version of the set");
    }
    Replayed closest = closest(live, replayed);
    SchemaDiff diff = SchemaDiff.between(closest.model(), live);
    throw new MigrationException(
        FailureReason.SchemaMismatch,
        closest.version().toString(),
        "schema "
            + schema
            + " matches no version of the migration set; the closest is version "
            + closest.version()
            + " ("
            + diff.summary()
            + "): "
            + String.join("; ", diff.lines(MAX_LINES)),
        null);
  }

  /**
   * Checks that the schema is at {@code version}.
   *
   * @throws MigrationException {@link FailureReason#SchemaMismatch} when the version's model
   *     differs from {@code live}, or the replay has no model of it (a version only a baseline
   *     migration stands for, reached through lower versions)
   */
  static void check(SchemaModel live, List<Replayed> replayed, Version version, String schema) {
    Optional<Replayed> at =
        replayed.stream().filter(step -> step.version().equals(version)).findFirst();
    if (at.isEmpty()) {
      throw new MigrationException(
          FailureReason.SchemaMismatch,
          version.toString(),
          "version "
              + version
              + " cannot be checked: the replay of the set never stops at it (a baseline"
              + " migration stands for it and the versions below it come first); the versions"
              + " checked are "
              + String.join(
                  ", ", replayed.stream().map(step -> step.version().toString()).toList()),
          null);
    }
    SchemaDiff diff = SchemaDiff.between(at.get().model(), live);
    if (diff.isEmpty()) {
      return;
    }
    Replayed closest = closest(live, replayed);
    long closestCount = SchemaDiff.between(closest.model(), live).differences().size();
    throw new MigrationException(
        FailureReason.SchemaMismatch,
        version.toString(),
        "schema "
            + schema
            + " does not match version "
            + version
            + " ("
            + diff.summary()
            + "): "
            + String.join("; ", diff.lines(MAX_LINES))
            + "; the closest version is "
            + closest.version()
            + (closestCount == 0
                ? " (equal)"
                : " (" + closestCount + " difference" + (closestCount == 1 ? ")" : "s)")),
        null);
  }

  /** The version with the fewest differences from {@code live}; the highest on a tie. */
  static Replayed closest(SchemaModel live, List<Replayed> replayed) {
    return replayed.stream()
        .max(
            Comparator.comparingInt(
                    (Replayed step) -> -SchemaDiff.between(step.model(), live).differences().size())
                .thenComparing(Replayed::version))
        .orElseThrow();
  }
}
