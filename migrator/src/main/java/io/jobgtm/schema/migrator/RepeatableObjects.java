package io.jobgtm.schema.migrator;

import io.jobgtm.schema.migrator.model.SchemaModel;
import io.jobgtm.schema.migrator.model.SchemaObject;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The objects that repeatable migrations a database does not hold in their current form (new, or
 * changed since their latest application) make: those that differ between a replay of the set with
 * them and one without them, by kind and name ({@code view active_jobs}). Until the next {@code
 * migrate} applies those migrations the database holds their former form, or none, so a comparison
 * with a replay leaves these objects out: a difference there is no drift ({@link DriftCheck#check},
 * {@link PlanPrediction.Predictor}).
 */
final class RepeatableObjects {

  /** At most this many names in {@link #describe}. */
  private static final int MAX_NAMED = 20;

  private RepeatableObjects() {}

  /**
   * The objects, as {@code <kind> <display name>}, that {@code withThem} holds and {@code
   * withoutThem} does not, holds with another definition, or holds where {@code withThem} does not
   * (a repeatable migration may drop or replace what a versioned one made), sorted.
   */
  static Set<String> between(SchemaModel withThem, SchemaModel withoutThem) {
    Set<SchemaObject> with = new HashSet<>(withThem.objects());
    Set<SchemaObject> without = new HashSet<>(withoutThem.objects());
    Set<String> differing = new TreeSet<>();
    for (SchemaObject object : withThem.objects()) {
      if (!without.contains(object)) {
        differing.add(name(object));
      }
    }
    for (SchemaObject object : withoutThem.objects()) {
      if (!with.contains(object)) {
        differing.add(name(object));
      }
    }
    return differing;
  }

  /** {@code model} without the objects named in {@code names} (as {@link #between} names them). */
  static SchemaModel leftOut(SchemaModel model, Set<String> names) {
    return SchemaModel.of(
        model.objects().stream().filter(object -> !names.contains(name(object))).toList());
  }

  /** The names, at most {@value #MAX_NAMED}, the rest counted: for progress lines. */
  static String describe(Set<String> names) {
    return String.join(", ", names.stream().sorted().limit(MAX_NAMED).toList())
        + (names.size() > MAX_NAMED ? " and " + (names.size() - MAX_NAMED) + " more" : "");
  }

  private static String name(SchemaObject object) {
    return object.kind().name().toLowerCase(Locale.ROOT) + " " + object.displayName();
  }
}
