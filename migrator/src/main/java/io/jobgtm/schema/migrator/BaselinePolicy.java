package io.jobgtm.schema.migrator;

import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.Version;
import java.util.Objects;

/**
 * What {@code migrate} does with an unversioned database (tables, no migration history): refuse
 * (the default), or stamp it with a version that its tables are known to match and continue from
 * there. Fresh and versioned databases are never baselined.
 */
public record BaselinePolicy(Action onUnversioned, Version version) {

  /** The two choices for an unversioned database. */
  public enum Action {
    Fail,
    Baseline
  }

  public BaselinePolicy {
    Objects.requireNonNull(onUnversioned, "onUnversioned");
    if (onUnversioned == Action.Baseline && version == null) {
      throw new MigrationException(
          FailureReason.InvalidConfiguration, "the Baseline policy needs the baseline version");
    }
  }

  public static BaselinePolicy fail() {
    return new BaselinePolicy(Action.Fail, null);
  }

  public static BaselinePolicy baselineAt(Version version) {
    return new BaselinePolicy(Action.Baseline, Objects.requireNonNull(version, "version"));
  }

  public boolean allowsBaseline() {
    return onUnversioned == Action.Baseline;
  }
}
