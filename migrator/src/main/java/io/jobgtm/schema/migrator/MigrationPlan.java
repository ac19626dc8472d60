package io.jobgtm.schema.migrator;

import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.contract.Outcome;
import java.util.List;

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
 */
public record MigrationPlan(
    MigrationResult result,
    String baselineVersion,
    List<MigrationScript> pending,
    List<MigrationScript> undo,
    List<String> outsideTransaction,
    List<MigrationScript> callbacks) {

  public MigrationPlan {
    pending = List.copyOf(pending);
    undo = List.copyOf(undo);
    outsideTransaction = List.copyOf(outsideTransaction);
    callbacks = List.copyOf(callbacks);
  }
}
