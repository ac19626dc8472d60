package io.jobgtm.schema.operator.decide;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.jobgtm.schema.api.Conditions;
import io.jobgtm.schema.api.Reasons;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.api.SchemaVersionStatus;
import io.jobgtm.schema.operator.Fixtures;
import io.jobgtm.schema.operator.observe.MigrationSource;
import io.jobgtm.schema.operator.observe.Observed;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@link Decide#refused} makes of a refusal of the API server. */
class RefusalTest {

  private static final String IMAGE = "registry.test/schema-operator:1.0";
  private static final RetryPolicy POLICY =
      new RetryPolicy(Duration.ofSeconds(30), Duration.ofMinutes(10), 3);
  private static final Instant NOW = Instant.parse("2026-01-01T10:00:00Z");

  private static Observed nothing() {
    return new Observed(new MigrationSource.Bundled(), IMAGE, List.of(), List.of(), List.of());
  }

  private static String job(SchemaVersion resource) {
    return JobIdentity.current(
        resource, JobIdentity.specHash(resource, new MigrationSource.Bundled(), IMAGE));
  }

  private static String trueReason(SchemaVersionStatus status, String type) {
    return Conditions.find(status.getConditions(), type)
        .filter(c -> "True".equals(c.getStatus()))
        .map(c -> c.getReason())
        .orElse(null);
  }

  @Test
  void aJobThePolicyRefusesIsStalledAndStaysSoUntilSomethingChanges() {
    SchemaVersion resource = Fixtures.schemaVersion();
    Refusal refusal =
        new Refusal(Refusal.Action.CREATE_JOB, job(resource), "denied: needs a ticket", false);

    Decision decision = Decide.refused(resource, nothing(), refusal, POLICY, NOW);

    assertThat(trueReason(decision.status(), Conditions.STALLED)).isEqualTo(Reasons.JOB_REFUSED);
    assertThat(decision.message()).contains("denied: needs a ticket");
    assertThat(decision.status().getLastJob().getName()).isEqualTo(job(resource));
    assertThat(decision.status().getLastJob().getReason()).isEqualTo(Reasons.JOB_REFUSED);
    assertThat(decision.events())
        .extracting(Decision.Event::reason)
        .containsExactly(Reasons.JOB_REFUSED);
    assertThat(decision.requeueAfter()).isNull();
    assertThat(decision.createJob()).isNull();

    // Reconciled again with nothing changed: no new attempt.
    resource.setStatus(decision.status());
    Decision later = Decide.decide(resource, nothing(), POLICY, NOW.plusSeconds(3600));
    assertThat(later.createJob()).isNull();
    assertThat(later.status()).isEqualTo(decision.status());
  }

  @Test
  void aUsedUpQuotaIsRetriedAfterTheBackOff() {
    SchemaVersion resource = Fixtures.schemaVersion();
    Refusal refusal =
        new Refusal(Refusal.Action.CREATE_JOB, job(resource), "exceeded quota: no-jobs", true);

    Decision decision = Decide.refused(resource, nothing(), refusal, POLICY, NOW);

    assertThat(trueReason(decision.status(), Conditions.RECONCILING))
        .isEqualTo(Reasons.RETRY_SCHEDULED);
    assertThat(decision.status().getLastJob().getReason()).isEqualTo(Reasons.JOB_CREATE_FAILED);
    assertThat(decision.status().getRetries().getCount()).isEqualTo(1);
    assertThat(decision.requeueAfter()).isBetween(Duration.ofSeconds(24), Duration.ofSeconds(30));

    resource.setStatus(decision.status());
    Decision retried =
        Decide.decide(
            resource,
            nothing(),
            POLICY,
            Instant.parse(decision.status().getRetries().getNextAttemptAt()));
    assertThat(retried.createJob()).isNotNull();
    assertThat(retried.createJob().name()).isNotEqualTo(job(Fixtures.schemaVersion()));
  }

  @Test
  void aRetryThatIsRefusedAgainCountsAsTheNextRetryOfItsOwnAttempt() {
    SchemaVersion resource = Fixtures.schemaVersion();
    resource.setStatus(
        Decide.refused(
                resource,
                nothing(),
                new Refusal(Refusal.Action.CREATE_JOB, job(resource), "exceeded quota", true),
                POLICY,
                NOW)
            .status());
    Instant due = Instant.parse(resource.getStatus().getRetries().getNextAttemptAt());
    Decision retry = Decide.decide(resource, nothing(), POLICY, due);
    String attempt1 = retry.createJob().name();

    // The reconciliation that asked for attempt 1 wrote nothing: its creation was refused too.
    Decision refusedAgain =
        Decide.refused(
            resource,
            nothing(),
            new Refusal(Refusal.Action.CREATE_JOB, attempt1, "exceeded quota", true),
            POLICY,
            due);

    assertThat(refusedAgain.status().getLastJob().getName()).isEqualTo(attempt1);
    assertThat(refusedAgain.status().getLastJob().getAttempt()).isEqualTo(1);
    assertThat(refusedAgain.status().getRetries().getCount()).isEqualTo(2);
    assertThat(trueReason(refusedAgain.status(), Conditions.RECONCILING))
        .isEqualTo(Reasons.RETRY_SCHEDULED);
    assertThat(refusedAgain.requeueAfter()).isPositive();
  }

  @Test
  void aRefusedGateStallsNamingTheDeploymentAndActsOnNothing() {
    SchemaVersion resource = Fixtures.schemaVersion("gate: {deployments: [payments-api]}");
    Deployment deployment =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName("payments-api")
            .withNamespace("apps")
            .endMetadata()
            .withNewSpec()
            .withNewTemplate()
            .withNewSpec()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    Observed observed =
        new Observed(
            new MigrationSource.Bundled(), IMAGE, List.of(), List.of(), List.of(deployment));
    Refusal refusal =
        new Refusal(Refusal.Action.ADD_GATE, "payments-api", "frozen for quarter end", false);

    Decision decision = Decide.refused(resource, observed, refusal, POLICY, NOW);

    assertThat(trueReason(decision.status(), Conditions.STALLED))
        .isEqualTo(Reasons.GATE_INJECTION_REFUSED);
    assertThat(decision.message())
        .contains("Deployment payments-api")
        .contains("frozen for quarter end");
    assertThat(decision.injections()).isEmpty();
    assertThat(decision.releases()).isEmpty();
    assertThat(decision.createJob()).isNull();
    assertThat(decision.events())
        .extracting(Decision.Event::reason)
        .contains(Reasons.GATE_INJECTION_REFUSED);
  }

  @Test
  void aGatePatchThatMayPassIsTriedAgainWithoutReportingOrWritingAnything() {
    SchemaVersion resource = Fixtures.schemaVersion("gate: {deployments: [payments-api]}");
    resource.setStatus(Decide.decide(resource, nothing(), POLICY, NOW).status());
    Refusal conflict =
        new Refusal(Refusal.Action.ADD_GATE, "payments-api", "the object has been modified", true);

    Decision decision = Decide.refused(resource, nothing(), conflict, POLICY, NOW);

    assertThat(decision.status()).isEqualTo(resource.getStatus());
    assertThat(decision.events()).isEmpty();
    assertThat(decision.requeueAfter()).isEqualTo(POLICY.initialDelay());
    assertThat(decision.createJob()).isNull();
  }
}
