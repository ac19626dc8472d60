package io.jobgtm.schema.operator.decide;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.jobgtm.schema.api.Conditions;
import io.jobgtm.schema.api.MigrationJobSpec;
import io.jobgtm.schema.api.Reasons;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.api.SchemaVersionStatus;
import io.jobgtm.schema.contract.Durations;
import io.jobgtm.schema.contract.JobEnvironment;
import io.jobgtm.schema.operator.Fixtures;
import io.jobgtm.schema.operator.observe.MigrationSource;
import io.jobgtm.schema.operator.observe.Observed;
import io.jobgtm.schema.operator.observe.ObservedJob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Retries, refusals and the retry annotation in situations a platform engineer runs into: a gate
 * refused while a retry waits, a pod that is never created until the deadline, the defaults of a
 * Job waiting for another migrator, retries turned off, and the annotation set at odd moments.
 * Through {@link Decide} as the reconciler uses it.
 */
class RecoveryBreakTest {

  private static final String IMAGE = "registry.test/schema-operator:1.0";
  private static final RetryPolicy POLICY =
      new RetryPolicy(Duration.ofSeconds(30), Duration.ofMinutes(10), 3);
  private static final Instant START = Instant.parse("2026-03-02T09:00:00Z");
  private static final String FINISHED = "2026-03-02T09:01:00Z";

  private final List<ObservedJob> jobs = new ArrayList<>();
  private final List<Deployment> deployments = new ArrayList<>();
  private MigrationSource source = new MigrationSource.Bundled();

  // --- findings of a break-it pass; each failed on the code before its fix

  /**
   * A Deployment named in {@code spec.gate.deployments} whose patch an admission policy refuses,
   * and another migrator holding the lock: the first Job fails with LockTimeout. The refusal is
   * reported, but the retry the same reconciliation scheduled must still happen: the reconciler
   * turns a refused decision without {@code requeueAfter} into {@code withNoRetry()}, so nothing
   * wakes the resource up at {@code status.retries.nextAttemptAt} and the database is never
   * migrated, even after the lock is free.
   */
  @Test
  void aRefusedGateDoesNotCancelTheRetryThatIsDue() {
    SchemaVersion resource = Fixtures.schemaVersion("gate: {deployments: [ledger-api]}");
    deployments.add(deployment("ledger-api"));
    decide(resource, START);
    jobs.add(failed(job(resource, 0), "LockTimeout", FINISHED));
    Instant now = Instant.parse(FINISHED).plusSeconds(1);

    Decision refused = Decide.refused(resource, observed(), gateRefusal(), POLICY, now);

    assertThat(refused.status().getRetries().getNextAttemptAt()).isNotNull();
    assertThat(refused.requeueAfter())
        .as("the retry scheduled at %s must wake the resource", refused.status().getRetries())
        .isNotNull();
  }

  /**
   * The same gate refusal decided twice with nothing changed: the status must be equal (no write,
   * no moved {@code lastTransitionTime}). {@link Decide#refused} computes its conditions from the
   * intermediate decision (Ready=True Migrated), so Ready, Reconciling and Stalled all seem to flip
   * on every reconciliation and every one writes a new {@code lastTransitionTime}.
   */
  @Test
  void aRefusedGateIsNotRewrittenWhenNothingChanged() {
    SchemaVersion resource = Fixtures.schemaVersion("gate: {deployments: [ledger-api]}");
    deployments.add(deployment("ledger-api"));
    decide(resource, START);
    jobs.add(succeeded(job(resource, 0)));
    decide(resource, Instant.parse(FINISHED).plusSeconds(1));

    resource.setStatus(
        Decide.refused(
                resource, observed(), gateRefusal(), POLICY, Instant.parse(FINISHED).plusSeconds(2))
            .status());
    SchemaVersionStatus written = resource.getStatus();
    Decision again =
        Decide.refused(
            resource, observed(), gateRefusal(), POLICY, Instant.parse(FINISHED).plusSeconds(60));

    assertThat(trueReason(again.status(), Conditions.STALLED))
        .isEqualTo(Reasons.GATE_INJECTION_REFUSED);
    assertThat(again.status().getConditions()).isEqualTo(written.getConditions());
    assertThat(again.status()).isEqualTo(written);
  }

  /**
   * A Job whose pod Kubernetes never created (a ResourceQuota on pods, a policy on pods) reaches
   * its {@code activeDeadlineSeconds}: Stalled {@code PodCreationRefused} turns into {@code
   * DeadlineExceeded} with "a statement may have been cut halfway" and the advice to look for
   * INVALID indexes, although no pod and no statement ever ran; the refusal that is the real cause
   * is no longer in the status.
   */
  @Test
  void aJobWhosePodWasNeverCreatedIsNotReportedAsAStatementCutHalfway() {
    SchemaVersion resource = Fixtures.schemaVersion();
    decide(resource, START);
    String name = job(resource, 0);
    Job job =
        new JobBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace("apps")
            .withUid("job-uid-1")
            .endMetadata()
            .withNewStatus()
            .withStartTime("2026-03-02T09:00:01Z")
            .addNewCondition()
            .withType("FailureTarget")
            .withStatus("True")
            .withReason(ObservedJob.DEADLINE_EXCEEDED)
            .withMessage("Job was active longer than specified deadline")
            .withLastTransitionTime("2026-03-02T09:15:01Z")
            .endCondition()
            .addNewCondition()
            .withType("Failed")
            .withStatus("True")
            .withReason(ObservedJob.DEADLINE_EXCEEDED)
            .withMessage("Job was active longer than specified deadline")
            .withLastTransitionTime("2026-03-02T09:15:01Z")
            .endCondition()
            .endStatus()
            .build();
    Event refused =
        new EventBuilder()
            .withNewMetadata()
            .withName(name + ".1")
            .withNamespace("apps")
            .endMetadata()
            .withNewInvolvedObject()
            .withKind("Job")
            .withName(name)
            .withNamespace("apps")
            .withUid("job-uid-1")
            .endInvolvedObject()
            .withReason(ObservedJob.FAILED_CREATE)
            .withMessage(
                "Error creating: pods \""
                    + name
                    + "-x7k2p\" is forbidden: exceeded quota: no-pods, requested: pods=1,"
                    + " used: pods=0, limited: pods=0")
            .withLastTimestamp("2026-03-02T09:14:00Z")
            .build();
    jobs.add(ObservedJob.of(job, List.of(), List.of(refused)));

    Decision decision = decide(resource, Instant.parse("2026-03-02T09:15:02Z"));

    String stalled = trueMessage(decision.status(), Conditions.STALLED);
    assertThat(stalled).doesNotContain("cut halfway").contains("exceeded quota");
  }

  /**
   * With every default (backoffLimit 2, activeDeadlineSeconds 900, lockWaitTimeout 5m) another
   * migrator that holds the lock through the whole Job should end the Job as LockTimeout, which the
   * operator retries. But three pods of 5 minutes each plus the Job controller's pod back-off (10
   * s, 20 s) take 930 s: the third pod is killed at 900 s, and the resource is Stalled {@code
   * DeadlineExceeded} (not retried, "a statement may have been cut halfway") after one Job.
   */
  @Test
  void withTheDefaultsAJobWaitingForTheLockEndsAsLockTimeoutBeforeItsDeadline() {
    MigrationJobSpec defaults = new MigrationJobSpec();
    Job job =
        new io.jobgtm.schema.operator.act.MigrationJobFactory("registry.test/schema-operator:1.0")
            .build(
                Fixtures.schemaVersion(),
                new io.jobgtm.schema.operator.observe.MigrationSource.Bundled(),
                "workflow-0123456789",
                "0123456789");
    Duration lockWait =
        Durations.parse(
            job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .filter(env -> env.getName().equals(JobEnvironment.LOCK_WAIT_TIMEOUT))
                .findFirst()
                .orElseThrow()
                .getValue());
    int pods = defaults.getBackoffLimit() + 1;
    Duration podBackOff = Duration.ZERO;
    for (int i = 0; i < defaults.getBackoffLimit(); i++) {
      podBackOff = podBackOff.plus(Duration.ofSeconds(10L << i)); // the Job controller's back-off
    }

    Duration lastPodFails = lockWait.multipliedBy(pods).plus(podBackOff);

    assertThat(lastPodFails)
        .as("when the last pod of a Job waiting for the lock gives up")
        .isLessThan(Duration.ofSeconds(defaults.getActiveDeadlineSeconds()));
  }

  // --- confirmed: these pass on the current code

  /** Retries turned off (limit 0): Stalled RetriesExhausted at once, no Job, nothing rewritten. */
  @Test
  void withRetriesOffATransientFailureStallsAtOnceAndStaysQuiet() {
    RetryPolicy none = new RetryPolicy(Duration.ofSeconds(30), Duration.ofMinutes(10), 0);
    SchemaVersion resource = Fixtures.schemaVersion();
    decide(resource, START, none);
    jobs.add(failed(job(resource, 0), "DatabaseUnreachable", FINISHED));

    Decision stalled = decide(resource, Instant.parse(FINISHED).plusSeconds(1), none);

    assertThat(stalled.createJob()).isNull();
    assertThat(stalled.requeueAfter()).isNull();
    assertThat(trueReason(stalled.status(), Conditions.STALLED))
        .isEqualTo(Reasons.RETRIES_EXHAUSTED);
    assertThat(stalled.status().getLastJob().getReason()).isEqualTo("DatabaseUnreachable");
    SchemaVersionStatus written = resource.getStatus();
    Decision later = decide(resource, Instant.parse(FINISHED).plusSeconds(7200), none);
    assertThat(later.createJob()).isNull();
    assertThat(later.status()).isEqualTo(written);
    assertThat(later.events()).isEmpty();
  }

  /** The annotation present from the start is recorded, and not spent on the first failure. */
  @Test
  void aRetryAnnotationSetBeforeAnyFailureDoesNotRerunTheFirstPermanentFailure() {
    SchemaVersion resource = Fixtures.schemaVersion();
    resource.getMetadata().setAnnotations(Map.of(SchemaVersion.RETRY_ANNOTATION, "from-git"));
    decide(resource, START);
    assertThat(resource.getStatus().getRetries().getRequest()).isEqualTo("from-git");
    jobs.add(failed(job(resource, 0), "MigrationFailed", FINISHED));

    Decision stalled = decide(resource, Instant.parse(FINISHED).plusSeconds(1));

    assertThat(stalled.createJob()).isNull();
    assertThat(trueReason(stalled.status(), Conditions.STALLED)).isEqualTo("MigrationFailed");
  }

  /** Set on a Ready resource, the value is not spent on a failure of a later spec. */
  @Test
  void aRetryAnnotationSetWhileReadyIsNotSpentOnALaterFailure() {
    SchemaVersion resource = Fixtures.schemaVersion();
    decide(resource, START);
    jobs.add(succeeded(job(resource, 0)));
    decide(resource, Instant.parse(FINISHED));
    resource.getMetadata().setAnnotations(Map.of(SchemaVersion.RETRY_ANNOTATION, "monday"));
    decide(resource, Instant.parse(FINISHED).plusSeconds(10));

    resource.getSpec().setTargetVersion("3");
    Decision created = decide(resource, Instant.parse(FINISHED).plusSeconds(20));
    jobs.add(failed(created.createJob().name(), "MigrationFailed", "2026-03-02T09:05:00Z"));
    Decision stalled = decide(resource, Instant.parse("2026-03-02T09:05:01Z"));

    assertThat(stalled.createJob()).isNull();
    assertThat(trueReason(stalled.status(), Conditions.STALLED)).isEqualTo("MigrationFailed");
    assertThat(reasons(stalled)).doesNotContain(Reasons.RETRY_REQUESTED);
  }

  /** As documented: a value set while the Job runs is only recorded; the back-off still applies. */
  @Test
  void aRetryAnnotationSetWhileTheJobRunsIsOnlyRecorded() {
    SchemaVersion resource = Fixtures.schemaVersion();
    decide(resource, START);
    resource.getMetadata().setAnnotations(Map.of(SchemaVersion.RETRY_ANNOTATION, "impatient"));
    decide(resource, START.plusSeconds(5));
    jobs.add(failed(job(resource, 0), "LockTimeout", FINISHED));

    Decision decision = decide(resource, Instant.parse(FINISHED).plusSeconds(1));

    assertThat(decision.createJob()).isNull();
    assertThat(trueReason(decision.status(), Conditions.RECONCILING))
        .isEqualTo(Reasons.RETRY_SCHEDULED);
    assertThat(decision.status().getRetries().getRequest()).isEqualTo("impatient");
  }

  /** The failed Job deleted by hand while a retry waits: the same wait, then the next attempt. */
  @Test
  void aFailedJobDeletedDuringTheBackOffKeepsTheScheduleAndTheCount() {
    SchemaVersion resource = Fixtures.schemaVersion();
    decide(resource, START);
    jobs.add(failed(job(resource, 0), "LockTimeout", FINISHED));
    Decision scheduled = decide(resource, Instant.parse(FINISHED).plusSeconds(1));
    String next = scheduled.status().getRetries().getNextAttemptAt();

    jobs.clear();
    Decision waiting = decide(resource, Instant.parse(FINISHED).plusSeconds(2));
    assertThat(waiting.status()).isEqualTo(scheduled.status());
    assertThat(waiting.createJob()).isNull();
    Decision retried = decide(resource, Instant.parse(next));

    assertThat(retried.createJob().name()).isEqualTo(job(resource, 1));
    assertThat(retried.status().getRetries().getCount()).isEqualTo(1);
  }

  /** New migrations in the ConfigMap while a retry waits: they run at once, as attempt 0. */
  @Test
  void aConfigMapChangeDuringTheBackOffRunsTheNewMigrationsAtOnce() {
    SchemaVersion resource =
        Fixtures.schemaVersion("migrations: {configMapRef: {name: ledger-migrations}}");
    source = new MigrationSource.FromConfigMap("ledger-migrations", configMap("V1__a.sql"));
    decide(resource, START);
    jobs.add(failed(job(resource, 0), "DatabaseUnreachable", FINISHED));
    decide(resource, Instant.parse(FINISHED).plusSeconds(1));
    assertThat(resource.getStatus().getRetries().getNextAttemptAt()).isNotNull();

    source =
        new MigrationSource.FromConfigMap("ledger-migrations", configMap("V1__a.sql", "V2__b.sql"));
    Decision changed = decide(resource, Instant.parse(FINISHED).plusSeconds(2));

    assertThat(changed.createJob().name()).isEqualTo(job(resource, 0));
    assertThat(changed.status().getRetries()).isNull();
    assertThat(changed.status().getLastJob().getAttempt()).isNull();
  }

  /** A retry that fails permanently stops the retries: Stalled, no Job, no wake-up. */
  @Test
  void aTransientFailureThatTurnsPermanentStopsRetrying() {
    SchemaVersion resource = Fixtures.schemaVersion();
    decide(resource, START);
    jobs.add(failed(job(resource, 0), "DatabaseUnreachable", FINISHED));
    Decision scheduled = decide(resource, Instant.parse(FINISHED).plusSeconds(1));
    decide(resource, Instant.parse(scheduled.status().getRetries().getNextAttemptAt()));
    jobs.add(failed(job(resource, 1), "MigrationFailed", "2026-03-02T09:03:00Z"));

    Decision stalled = decide(resource, Instant.parse("2026-03-02T09:03:01Z"));

    assertThat(trueReason(stalled.status(), Conditions.STALLED)).isEqualTo("MigrationFailed");
    assertThat(stalled.requeueAfter()).isNull();
    assertThat(decide(resource, Instant.parse("2026-03-02T12:00:00Z")).createJob()).isNull();
  }

  // --- vocabulary

  private Observed observed() {
    return new Observed(source, IMAGE, List.copyOf(jobs), List.of(), List.copyOf(deployments));
  }

  private Decision decide(SchemaVersion resource, Instant now) {
    return decide(resource, now, POLICY);
  }

  private Decision decide(SchemaVersion resource, Instant now, RetryPolicy policy) {
    Decision decision = Decide.decide(resource, observed(), policy, now);
    resource.setStatus(decision.status());
    return decision;
  }

  private String job(SchemaVersion resource, int attempt) {
    return JobIdentity.name(
        resource.getMetadata().getName(), JobIdentity.specHash(resource, source, IMAGE), attempt);
  }

  private static Refusal gateRefusal() {
    return new Refusal(
        Refusal.Action.ADD_GATE,
        "ledger-api",
        "ValidatingAdmissionPolicy 'freeze' denied request: ledger-api is frozen",
        false);
  }

  private static Deployment deployment(String name) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("apps")
        .endMetadata()
        .withNewSpec()
        .withNewTemplate()
        .withNewSpec()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static ConfigMap configMap(String... files) {
    ConfigMapBuilder builder =
        new ConfigMapBuilder().withNewMetadata().withName("ledger-migrations").endMetadata();
    for (String file : files) {
      builder.addToData(file, "SELECT 1;\n");
    }
    return builder.build();
  }

  private static ObservedJob failed(String name, String reason, String finishedAt) {
    return new ObservedJob(
        name,
        null,
        ObservedJob.Phase.Failed,
        "BackoffLimitExceeded",
        "BackoffLimitExceeded: Job has reached the specified backoff limit",
        Fixtures.result("Failed", "2", reason),
        1,
        null,
        null,
        "2026-03-02T09:00:00Z",
        finishedAt,
        false);
  }

  private static ObservedJob succeeded(String name) {
    return new ObservedJob(
        name,
        null,
        ObservedJob.Phase.Succeeded,
        null,
        null,
        Fixtures.result("Migrated", "2", null),
        0,
        null,
        null,
        "2026-03-02T09:00:00Z",
        FINISHED,
        false);
  }

  private static String trueReason(SchemaVersionStatus status, String type) {
    return Conditions.find(status.getConditions(), type)
        .filter(c -> "True".equals(c.getStatus()))
        .map(c -> c.getReason())
        .orElse(null);
  }

  private static String trueMessage(SchemaVersionStatus status, String type) {
    return Conditions.find(status.getConditions(), type)
        .filter(c -> "True".equals(c.getStatus()))
        .map(c -> c.getMessage())
        .orElse(null);
  }

  private static List<String> reasons(Decision decision) {
    return decision.events().stream().map(Decision.Event::reason).toList();
  }
}
