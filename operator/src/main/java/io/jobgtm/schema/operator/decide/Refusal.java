package io.jobgtm.schema.operator.decide;

/**
 * The API server refused something the operator asked for: pure data for {@link Decide#refused}.
 *
 * @param action what was refused
 * @param target the name of the object it was about (the Job to create, the Deployment to gate)
 * @param message the API server's message, which names the rule that refused it
 * @param isTransient whether asking again later may succeed (a used-up quota, an overloaded
 *     server), as opposed to a refusal that only a change can lift (a policy, an invalid value)
 */
public record Refusal(Action action, String target, String message, boolean isTransient) {

  /** What the operator asked for. */
  public enum Action {
    /** Creating the migration Job. */
    CREATE_JOB,
    /** Creating a verify Job. */
    CREATE_VERIFY_JOB,
    /** Adding the scheduling gate to a Deployment's pod template. */
    ADD_GATE
  }
}
