package io.jobgtm.schema.operator.act;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.jobgtm.schema.operator.decide.Refusal;
import org.junit.jupiter.api.Test;

class ApiRefusalTest {

  private static KubernetesClientException failure(int code, String message) {
    return new KubernetesClientException(
        new StatusBuilder().withCode(code).withMessage(message).build());
  }

  @Test
  void aUsedUpQuotaOrABusyServerMayPassAPolicyOrAnInvalidValueWillNot() {
    assertThat(
            refusal(
                403,
                "jobs.batch \"x\" is forbidden: exceeded quota: no-jobs, requested:"
                    + " count/jobs.batch=1"))
        .isTrue();
    assertThat(refusal(429, "too many requests")).isTrue();
    assertThat(refusal(503, "etcdserver: leader changed")).isTrue();
    assertThat(refusal(409, "the object has been modified")).isTrue();

    assertThat(refusal(403, "admission webhook \"policy.example\" denied the request")).isFalse();
    assertThat(refusal(422, "Job.batch \"x\" is invalid: spec.template...")).isFalse();
    assertThat(refusal(403, "jobs.batch \"x\" is forbidden: status unknown for quota: q"))
        .isFalse();
  }

  @Test
  void theRefusalCarriesTheApiServersMessageAndWhatWasRefused() {
    ApiRefusal refusal =
        ApiRefusal.of(
            Refusal.Action.CREATE_JOB,
            "workflow-0123456789",
            failure(422, "ValidatingAdmissionPolicy 'x' denied request: no"));

    assertThat(refusal.refusal().action()).isEqualTo(Refusal.Action.CREATE_JOB);
    assertThat(refusal.refusal().target()).isEqualTo("workflow-0123456789");
    assertThat(refusal.refusal().message())
        .isEqualTo("ValidatingAdmissionPolicy 'x' denied request: no");
    assertThat(refusal.refusal().isTransient()).isFalse();
  }

  private static boolean refusal(int code, String message) {
    return ApiRefusal.of(Refusal.Action.CREATE_JOB, "job", failure(code, message))
        .refusal()
        .isTransient();
  }
}
