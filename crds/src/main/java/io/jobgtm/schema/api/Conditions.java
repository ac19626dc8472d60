package io.jobgtm.schema.api;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Computes {@code status.conditions} the Kubernetes way (as apimachinery's {@code
 * meta.SetStatusCondition} does): a condition keeps its {@code lastTransitionTime} while its status
 * does not change, and every condition set carries the generation it was computed from. Pure: the
 * time is passed in, the previous list is never modified.
 *
 * <pre>{@code
 * List<Condition> conditions =
 *     Conditions.from(previous.getConditions(), resource.getMetadata().getGeneration(), now)
 *         .set(Conditions.READY, Conditions.FALSE, "MigrationFailed", "V3 failed: ...")
 *         .set(Conditions.RECONCILING, Conditions.FALSE, "MigrationFailed", "")
 *         .set(Conditions.STALLED, Conditions.TRUE, "MigrationFailed", "V3 failed: ...")
 *         .toList();
 * }</pre>
 */
public final class Conditions {

  /** The database is at the desired version; what {@code kubectl wait} and Flux wait for. */
  public static final String READY = "Ready";

  /** The operator is working towards the desired version (kstatus "abnormal-true"). */
  public static final String RECONCILING = "Reconciling";

  /** The operator cannot make progress without a change by a person (kstatus "abnormal-true"). */
  public static final String STALLED = "Stalled";

  /**
   * Whether the live schema differs from what the migration set makes at its version: an extra
   * condition, set once a verification has run, that kstatus and {@code kubectl wait
   * --for=condition=Ready} leave aside ({@code Ready} keeps its meaning).
   */
  public static final String DRIFTED = "Drifted";

  public static final String TRUE = "True";
  public static final String FALSE = "False";
  public static final String UNKNOWN = "Unknown";

  private static final Set<String> STATUSES = Set.of(TRUE, FALSE, UNKNOWN);

  private final Map<String, Condition> byType = new LinkedHashMap<>();
  private final long observedGeneration;
  private final String now;

  private Conditions(List<Condition> previous, long observedGeneration, Instant now) {
    if (previous != null) {
      previous.forEach(c -> byType.put(c.getType(), c));
    }
    this.observedGeneration = observedGeneration;
    this.now = now.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /**
   * Starts from the previous conditions (null for none), which are kept unless {@link #set}
   * replaces them.
   *
   * @param observedGeneration the {@code metadata.generation} the new conditions are computed from
   * @param now the time of this reconciliation; the {@code lastTransitionTime} of changed
   *     conditions
   */
  public static Conditions from(List<Condition> previous, long observedGeneration, Instant now) {
    return new Conditions(previous, observedGeneration, Objects.requireNonNull(now, "now"));
  }

  /**
   * Sets the condition of {@code type}. Its {@code lastTransitionTime} stays as it was when the
   * previous condition of that type had the same status, and is {@code now} otherwise.
   *
   * @param status {@link #TRUE}, {@link #FALSE} or {@link #UNKNOWN}
   * @param reason a CamelCase word saying why
   * @param message details for a person, may be empty
   */
  public Conditions set(String type, String status, String reason, String message) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(reason, "reason");
    if (!STATUSES.contains(status)) {
      throw new IllegalArgumentException(
          "condition status must be True, False or Unknown, not " + status);
    }
    Condition previous = byType.get(type);
    String lastTransitionTime =
        previous != null
                && status.equals(previous.getStatus())
                && previous.getLastTransitionTime() != null
            ? previous.getLastTransitionTime()
            : now;
    byType.put(
        type,
        new ConditionBuilder()
            .withType(type)
            .withStatus(status)
            .withReason(reason)
            .withMessage(message == null ? "" : message)
            .withLastTransitionTime(lastTransitionTime)
            .withObservedGeneration(observedGeneration)
            .build());
    return this;
  }

  /** The conditions: the previous ones in their order, new types appended in the order set. */
  public List<Condition> toList() {
    List<Condition> conditions = new ArrayList<>(byType.size());
    byType.values().forEach(c -> conditions.add(new ConditionBuilder(c).build()));
    return conditions;
  }

  /** The condition of {@code type} in {@code conditions} (null for none), if any. */
  public static Optional<Condition> find(List<Condition> conditions, String type) {
    if (conditions == null) {
      return Optional.empty();
    }
    return conditions.stream().filter(c -> Objects.equals(type, c.getType())).findFirst();
  }

  /** Whether {@code conditions} has a condition of {@code type} whose status is True. */
  public static boolean isTrue(List<Condition> conditions, String type) {
    return find(conditions, type).map(c -> TRUE.equals(c.getStatus())).orElse(false);
  }
}
