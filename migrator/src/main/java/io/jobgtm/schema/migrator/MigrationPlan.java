package io.jobgtm.schema.migrator;

import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.contract.Outcome;
import java.util.List;
import java.util.Map;

/**
 * What {@code migrate} would do now, computed without changing anything.
 *
 * @param result the plan as a result document (outcome {@link Outcome#Planned}, or {@link
 *     Outcome#Failed} with the refusal {@code migrate} would meet)
 * @param baselineVersion the version an unversioned database would be stamped with, or null
 * @param pending the scripts {@code migrate} would apply, in Flyway's order: versioned migrations,
 *     then the repeatable ones that are new or changed
 * @param undo the undo scripts a permitted downgrade would run, in order
 * @param outsideTransaction the file names of {@code pending} that Flyway runs outside a
 *     transaction (a statement such as {@code CREATE INDEX CONCURRENTLY} cannot run in one), so
 *     that a failure of theirs is not rolled back
 * @param callbacks the SQL callbacks {@code migrate} hands to Flyway, which runs each when its
 *     event fires ({@code beforeMigrate} and {@code afterMigrate} on every migrate); none for a
 *     downgrade
 * @param sql the text that runs for each script above, by file name: its SQL with placeholders
 *     replaced where replacement is on (Flyway's built-in {@code ${flyway:timestamp}} is the time
 *     of the plan), else as written
 * @param prediction what {@code migrate} would meet, found in the shadow database; null without a
 *     shadow, for a downgrade, and when the plan is a refusal
 */
public record MigrationPlan(
    MigrationResult result,
    String baselineVersion,
    List<MigrationScript> pending,
    List<MigrationScript> undo,
    List<String> outsideTransaction,
    List<MigrationScript> callbacks,
    Map<String, String> sql,
    PlanPrediction prediction) {

  public MigrationPlan {
    pending = List.copyOf(pending);
    undo = List.copyOf(undo);
    outsideTransaction = List.copyOf(outsideTransaction);
    callbacks = List.copyOf(callbacks);
    sql = Map.copyOf(sql);
  }

  /** The text that runs for one of the plan's scripts ({@link #sql()}), else its SQL as written. */
  public String sqlOf(MigrationScript script) {
    return sql.getOrDefault(script.fileName(), script.sql());
  }
}
