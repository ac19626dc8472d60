package io.jobgtm.schema.operator.act;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.jobgtm.schema.operator.decide.Refusal;

/**
 * The API server refused an action of the operator's; thrown out of the reconciliation so that
 * JOSDK's error-status hook ({@code updateErrorStatus}) reports it in the SchemaVersion's status
 * instead of only in the log. {@link #refusal()} says what was refused and whether asking again
 * later may succeed.
 *
 * <p>Transient: HTTP 429 (throttled), 5xx, a timeout, a conflict, and 403 for a used-up
 * ResourceQuota ({@code exceeded quota}: another workload may free it). Everything else is
 * permanent until something changes: 400/403/422 from validation, a LimitRange, an admission
 * webhook or a ValidatingAdmissionPolicy; 404 for a namespace that is going away.
 */
public final class ApiRefusal extends RuntimeException {

  private final transient Refusal refusal;

  private ApiRefusal(Refusal refusal, KubernetesClientException cause) {
    super(refusal.action() + " " + refusal.target() + ": " + refusal.message(), cause);
    this.refusal = refusal;
  }

  /** Classifies a failed request of the client. */
  public static ApiRefusal of(
      Refusal.Action action, String target, KubernetesClientException failure) {
    String message =
        failure.getStatus() != null && failure.getStatus().getMessage() != null
            ? failure.getStatus().getMessage()
            : failure.getMessage();
    return new ApiRefusal(
        new Refusal(action, target, message, isTransient(failure.getCode(), message)), failure);
  }

  /** Whether asking again later may succeed, from the HTTP code and the API server's message. */
  static boolean isTransient(int code, String message) {
    if (code == 0 || code == 408 || code == 409 || code == 429 || code >= 500) {
      return true; // no response at all, a timeout, a conflict, throttled, the server's fault
    }
    return code == 403 && message != null && message.contains("exceeded quota");
  }

  public Refusal refusal() {
    return refusal;
  }
}
