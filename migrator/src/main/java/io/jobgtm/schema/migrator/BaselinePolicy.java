package io.jobgtm.schema.migrator;

import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.Version;
import java.util.Objects;

/**
 * What {@code migrate} does with an unversioned database (tables, no migration history): refuse
 * (the default), or stamp it with a version that its tables are known to match and continue from
 * there. The version is given, or, with {@link #auto()}, found: the version whose schema, replayed
 * in a shadow database, equals the database's ({@link MigratorConfiguration#shadow}). Fresh and
 * versioned databases are never baselined.
 *
 * @param onUnversioned refuse or baseline
 * @param version the version to stamp; null with {@code Fail} and with {@code auto}
 * @param automatic whether the version is to be found by the shadow replay
 */
public record BaselinePolicy(Action onUnversioned, Version version, boolean automatic) {

  /** The two choices for an unversioned database. */
  public enum Action {
    Fail,
    Baseline
  }

  /** The value of a baseline version that asks for the version to be found. */
  public static final String AUTO = "auto";

  public BaselinePolicy {
    Objects.requireNonNull(onUnversioned, "onUnversioned");
    if (onUnversioned == Action.Baseline && version == null && !automatic) {
      throw new MigrationException(
          FailureReason.InvalidConfiguration, "the Baseline policy needs the baseline version");
    }
    if (automatic && (onUnversioned != Action.Baseline || version != null)) {
      throw new IllegalArgumentException("auto is a Baseline policy without a version");
    }
  }

  public BaselinePolicy(Action onUnversioned, Version version) {
    this(onUnversioned, version, false);
  }

  public static BaselinePolicy fail() {
    return new BaselinePolicy(Action.Fail, null);
  }

  public static BaselinePolicy baselineAt(Version version) {
    return new BaselinePolicy(Action.Baseline, Objects.requireNonNull(version, "version"));
  }

  /** Baseline at the version the shadow replay finds equal to the schema; needs a shadow. */
  public static BaselinePolicy auto() {
    return new BaselinePolicy(Action.Baseline, null, true);
  }

  public boolean allowsBaseline() {
    return onUnversioned == Action.Baseline;
  }
}
