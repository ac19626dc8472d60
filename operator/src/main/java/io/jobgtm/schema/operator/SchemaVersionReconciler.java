package io.jobgtm.schema.operator;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.jobgtm.schema.api.MigrationJobStatus;
import io.jobgtm.schema.api.MigrationsSpec;
import io.jobgtm.schema.api.Reasons;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.api.SchemaVersionStatus;
import io.jobgtm.schema.contract.MigrationResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a SchemaVersion: observe its migration source, Jobs and their pods; let {@link
 * MigrationPlanner} decide; create the Job when told to; write the status that {@link
 * StatusFactory} builds, and only when it changed.
 */
@ControllerConfiguration(name = SchemaVersionReconciler.NAME)
public final class SchemaVersionReconciler
    implements Reconciler<SchemaVersion>, Cleaner<SchemaVersion> {

  public static final String NAME = "schemaversion";

  private static final Logger LOG = LoggerFactory.getLogger(SchemaVersionReconciler.class);
  private static final String CONFIG_MAP_INDEX = "migrations-configmap";
  private static final String DEPLOYMENT_INDEX = "gated-deployments";
  private static final String MIGRATION_PODS = "migration-pods";
  private static final String GATED_PODS = "gated-pods";

  private final MigrationJobFactory jobs;
  private final OperatorMetrics metrics;
  private final Clock clock;

  public SchemaVersionReconciler(MigrationJobFactory jobs, OperatorMetrics metrics, Clock clock) {
    this.jobs = jobs;
    this.metrics = metrics;
    this.clock = clock;
  }

  @Override
  public List<EventSource<?, SchemaVersion>> prepareEventSources(
      EventSourceContext<SchemaVersion> context) {
    context
        .getPrimaryCache()
        .addIndexer(
            CONFIG_MAP_INDEX,
            resource -> {
              String name = configMapName(resource);
              return name == null
                  ? List.of()
                  : List.of(resource.getMetadata().getNamespace() + "/" + name);
            });
    context
        .getPrimaryCache()
        .addIndexer(
            DEPLOYMENT_INDEX,
            resource ->
                gatedDeploymentNames(resource).stream()
                    .map(name -> resource.getMetadata().getNamespace() + "/" + name)
                    .toList());
    InformerEventSource<Job, SchemaVersion> jobSource =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Job.class, SchemaVersion.class)
                .withName("jobs")
                // only a Job's metadata and status are read (ObservedJob)
                .withItemStore(LeanItemStore.<Job>trimming(job -> job.setSpec(null)))
                .withLabelSelector(Labels.COMPONENT + "=" + Labels.MIGRATION_COMPONENT)
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(SchemaVersion.class))
                .build(),
            context);
    InformerEventSource<Pod, SchemaVersion> podSource =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Pod.class, SchemaVersion.class)
                .withName(MIGRATION_PODS)
                // only a migration pod's metadata and status are read (ObservedJob)
                .withItemStore(LeanItemStore.<Pod>trimming(pod -> pod.setSpec(null)))
                .withLabelSelector(Labels.COMPONENT + "=" + Labels.MIGRATION_COMPONENT)
                .withSecondaryToPrimaryMapper(
                    pod -> {
                      Map<String, String> labels = pod.getMetadata().getLabels();
                      String owner = labels == null ? null : labels.get(Labels.SCHEMA_VERSION);
                      return owner == null
                          ? Set.of()
                          : Set.of(new ResourceID(owner, pod.getMetadata().getNamespace()));
                    })
                .build(),
            context);
    InformerEventSource<ConfigMap, SchemaVersion> configMapSource =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(ConfigMap.class, SchemaVersion.class)
                .withName("migration-configmaps")
                .withItemStore(LeanItemStore.of())
                .withSecondaryToPrimaryMapper(
                    configMap ->
                        context
                            .getPrimaryCache()
                            .byIndex(
                                CONFIG_MAP_INDEX,
                                configMap.getMetadata().getNamespace()
                                    + "/"
                                    + configMap.getMetadata().getName())
                            .stream()
                            .map(ResourceID::fromResource)
                            .collect(Collectors.toSet()))
                .withPrimaryToSecondaryMapper(
                    (SchemaVersion resource) -> {
                      String name = configMapName(resource);
                      return name == null
                          ? Set.of()
                          : Set.of(new ResourceID(name, resource.getMetadata().getNamespace()));
                    })
                .build(),
            context);
    InformerEventSource<Pod, SchemaVersion> gatedPodSource =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Pod.class, SchemaVersion.class)
                .withName(GATED_PODS)
                .withItemStore(Gates.gatedPodStore())
                .withSecondaryToPrimaryMapper(
                    pod ->
                        Gates.awaitedBy(pod).stream()
                            .map(name -> new ResourceID(name, pod.getMetadata().getNamespace()))
                            .collect(Collectors.toSet()))
                .build(),
            context);
    InformerEventSource<Deployment, SchemaVersion> deploymentSource =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Deployment.class, SchemaVersion.class)
                .withName("gated-deployments")
                .withItemStore(LeanItemStore.of())
                .withSecondaryToPrimaryMapper(
                    deployment ->
                        context
                            .getPrimaryCache()
                            .byIndex(
                                DEPLOYMENT_INDEX,
                                deployment.getMetadata().getNamespace()
                                    + "/"
                                    + deployment.getMetadata().getName())
                            .stream()
                            .map(ResourceID::fromResource)
                            .collect(Collectors.toSet()))
                .withPrimaryToSecondaryMapper(
                    (SchemaVersion resource) ->
                        gatedDeploymentNames(resource).stream()
                            .map(
                                name -> new ResourceID(name, resource.getMetadata().getNamespace()))
                            .collect(Collectors.toSet()))
                .build(),
            context);
    return List.of(jobSource, podSource, configMapSource, gatedPodSource, deploymentSource);
  }

  @Override
  public UpdateControl<SchemaVersion> reconcile(
      SchemaVersion resource, Context<SchemaVersion> context) {
    metrics.reconciled();
    MigrationSource source = source(resource, context);
    String desiredJob =
        MigrationJobFactory.jobName(
            resource.getMetadata().getName(), jobs.specHash(resource, source));
    List<Pod> pods = List.copyOf(pods(context, MIGRATION_PODS, resource));
    List<ObservedJob> observed =
        context.getSecondaryResources(Job.class).stream()
            .map(job -> ObservedJob.of(job, podsOf(job, pods)))
            .toList();

    MigrationPlan plan = MigrationPlanner.plan(resource, source, desiredJob, observed);
    if (plan.action() == MigrationPlan.Action.CREATE_JOB) {
      createJob(resource, source, context);
    }
    ObservedJob running = observed.stream().filter(job -> !job.finished()).findFirst().orElse(null);
    SchemaVersionStatus status = StatusFactory.build(resource, plan, running, clock.instant());
    report(resource, plan, status, context);
    GateKeeper gates = new GateKeeper(context.getClient(), events(context));
    gates.inject(resource, context.getSecondaryResources(Deployment.class));
    status.setGatedPods(
        gates.release(
            resource,
            pods(context, GATED_PODS, resource),
            status.getCurrentVersion(),
            plan.state() == MigrationPlan.State.READY));

    if (Objects.equals(status, resource.getStatus())) {
      return UpdateControl.noUpdate();
    }
    LOG.info(
        "{}/{}: {} ({})",
        resource.getMetadata().getNamespace(),
        resource.getMetadata().getName(),
        plan.reason(),
        plan.message());
    resource.setStatus(status);
    return UpdateControl.patchStatus(resource);
  }

  @Override
  public DeleteControl cleanup(SchemaVersion resource, Context<SchemaVersion> context) {
    GateKeeper gates = new GateKeeper(context.getClient(), events(context));
    gates.releaseAll(resource, pods(context, GATED_PODS, resource));
    gates.uninject(resource, context.getSecondaryResources(Deployment.class));
    metrics.removed(resource.getMetadata().getNamespace(), resource.getMetadata().getName());
    return DeleteControl.defaultDelete();
  }

  private void createJob(
      SchemaVersion resource, MigrationSource source, Context<SchemaVersion> context) {
    Job job = jobs.build(resource, source);
    try {
      context.getClient().resource(job).create();
      events(context)
          .record(
              resource,
              job.getMetadata().getName(),
              EventRecorder.NORMAL,
              Reasons.MIGRATION_STARTED,
              "created migration Job "
                  + job.getMetadata().getName()
                  + " for target "
                  + resource.getSpec().getTargetVersion());
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      // The Job exists already (created before a restart, not yet in the cache): adopt it.
    }
  }

  /** Events and metrics for an outcome recorded by this reconciliation, once. */
  private void report(
      SchemaVersion resource,
      MigrationPlan plan,
      SchemaVersionStatus status,
      Context<SchemaVersion> context) {
    MigrationJobStatus before =
        resource.getStatus() == null ? null : resource.getStatus().getLastJob();
    ObservedJob finished = plan.finished();
    String namespace = resource.getMetadata().getNamespace();
    String name = resource.getMetadata().getName();
    if (status.getCurrentVersion() != null) {
      metrics.currentVersion(namespace, name, status.getCurrentVersion());
    }
    if (finished == null || !StatusFactory.isNewer(finished, before)) {
      return;
    }
    MigrationResult result = finished.result();
    boolean succeeded = finished.phase() == ObservedJob.Phase.Succeeded;
    String outcome = StatusFactory.outcomeOf(finished);
    String reason =
        succeeded
            ? outcome
            : result != null && result.failure() != null && result.failure().reason() != null
                ? result.failure().reason().name()
                : Reasons.JOB_FAILED;
    String message =
        succeeded
                && plan.state() == MigrationPlan.State.READY
                && plan.jobName().equals(finished.name())
            ? plan.message()
            : describe(finished);
    events(context)
        .record(
            resource,
            finished.name(),
            succeeded ? EventRecorder.NORMAL : EventRecorder.WARNING,
            reason,
            message);
    if (result != null && result.baselineVersion() != null && succeeded) {
      events(context)
          .record(
              resource,
              finished.name(),
              EventRecorder.NORMAL,
              Reasons.BASELINED_EVENT,
              "the unversioned schema was stamped with version " + result.baselineVersion());
    }
    metrics.jobFinished(
        namespace,
        name,
        outcome,
        succeeded ? null : reason,
        result == null ? 0 : result.appliedCount(),
        duration(finished));
  }

  private static String describe(ObservedJob job) {
    MigrationResult result = job.result();
    if (result != null && result.failure() != null) {
      return "migration Job "
          + job.name()
          + " failed"
          + (result.failure().version() == null ? "" : " at version " + result.failure().version())
          + ": "
          + result.failure().message();
    }
    if (job.phase() == ObservedJob.Phase.Succeeded) {
      return "migration Job " + job.name() + " finished: " + StatusFactory.outcomeOf(job);
    }
    return "migration Job " + job.name() + " failed: " + job.failure();
  }

  private static Duration duration(ObservedJob job) {
    if (job.startedAt() == null || job.finishedAt() == null) {
      return null;
    }
    return Duration.between(Instant.parse(job.startedAt()), Instant.parse(job.finishedAt()));
  }

  private static List<Pod> podsOf(Job job, List<Pod> pods) {
    String uid = job.getMetadata().getUid();
    return pods.stream()
        .filter(
            pod ->
                pod.getMetadata().getOwnerReferences() != null
                    && pod.getMetadata().getOwnerReferences().stream()
                        .anyMatch(owner -> Objects.equals(owner.getUid(), uid)))
        .toList();
  }

  private static MigrationSource source(SchemaVersion resource, Context<SchemaVersion> context) {
    MigrationsSpec migrations = resource.getSpec().getMigrations();
    if (migrations != null && migrations.getConfigMapRef() != null) {
      String name = migrations.getConfigMapRef().getName();
      return new MigrationSource.FromConfigMap(
          name, context.getSecondaryResource(ConfigMap.class).orElse(null));
    }
    if (migrations != null && migrations.getImage() != null) {
      return new MigrationSource.FromImage(
          migrations.getImage().getReference(), migrations.getImage().getPath());
    }
    return new MigrationSource.Bundled();
  }

  private EventRecorder events(Context<SchemaVersion> context) {
    return new EventRecorder(context.getClient(), clock);
  }

  @SuppressWarnings("unchecked")
  private static Set<Pod> pods(
      Context<SchemaVersion> context, String source, SchemaVersion resource) {
    return ((InformerEventSource<Pod, SchemaVersion>)
            context.eventSourceRetriever().getEventSourceFor(Pod.class, source))
        .getSecondaryResources(resource);
  }

  private static List<String> gatedDeploymentNames(SchemaVersion resource) {
    if (resource.getSpec() == null
        || resource.getSpec().getGate() == null
        || resource.getSpec().getGate().getDeployments() == null) {
      return List.of();
    }
    return resource.getSpec().getGate().getDeployments();
  }

  private static String configMapName(SchemaVersion resource) {
    MigrationsSpec migrations =
        resource.getSpec() == null ? null : resource.getSpec().getMigrations();
    return migrations == null || migrations.getConfigMapRef() == null
        ? null
        : migrations.getConfigMapRef().getName();
  }
}
