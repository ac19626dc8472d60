package io.jobgtm.schema.operator.reconciler;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.FieldSelector;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import io.jobgtm.schema.api.Conditions;
import io.jobgtm.schema.api.MigrationsSpec;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.api.SchemaVersionStatus;
import io.jobgtm.schema.operator.act.ApiRefusal;
import io.jobgtm.schema.operator.act.EventRecorder;
import io.jobgtm.schema.operator.act.GateKeeper;
import io.jobgtm.schema.operator.act.Labels;
import io.jobgtm.schema.operator.act.MigrationJobFactory;
import io.jobgtm.schema.operator.act.OperatorMetrics;
import io.jobgtm.schema.operator.decide.Decide;
import io.jobgtm.schema.operator.decide.Decision;
import io.jobgtm.schema.operator.decide.Gates;
import io.jobgtm.schema.operator.decide.Refusal;
import io.jobgtm.schema.operator.decide.RetryPolicy;
import io.jobgtm.schema.operator.observe.MigrationSource;
import io.jobgtm.schema.operator.observe.Observed;
import io.jobgtm.schema.operator.observe.ObservedJob;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a SchemaVersion: observe (its migration source, Jobs and their pods, gated pods and
 * Deployments, from the informer caches), decide ({@link Decide#decide}, a pure function), act
 * (create the Job, record Events and metrics, add and release gates), and write the status only
 * when it changed. It decides nothing itself.
 */
@ControllerConfiguration(
    name = SchemaVersionReconciler.NAME,
    generationAwareEventProcessing = false,
    informer = @Informer(onUpdateFilter = SpecOrRequestChanged.class))
public final class SchemaVersionReconciler
    implements Reconciler<SchemaVersion>, Cleaner<SchemaVersion> {

  public static final String NAME = "schemaversion";

  private static final Logger LOG = LoggerFactory.getLogger(SchemaVersionReconciler.class);
  private static final String CONFIG_MAP_INDEX = "migrations-configmap";
  private static final String DEPLOYMENT_INDEX = "gated-deployments";
  private static final String MIGRATION_PODS = "migration-pods";
  private static final String GATED_PODS = "gated-pods";
  private static final String FAILED_CREATES = "failed-creates";
  private static final String FAILED_MOUNTS = "failed-mounts";

  /** While a deletion waits for a migration pod: a guard, the pod's events come first. */
  private static final Duration DELETION_RECHECK = Duration.ofSeconds(30);

  private final MigrationJobFactory jobs;
  private final OperatorMetrics metrics;
  private final RetryPolicy retries;
  private final Clock clock;

  public SchemaVersionReconciler(
      MigrationJobFactory jobs, OperatorMetrics metrics, RetryPolicy retries, Clock clock) {
    this.jobs = jobs;
    this.metrics = metrics;
    this.retries = retries;
    this.clock = clock;
  }

  @Override
  public List<EventSource<?, SchemaVersion>> prepareEventSources(
      EventSourceContext<SchemaVersion> context) {
    Set<String> namespaces = context.getControllerConfiguration().getEffectiveNamespaces();
    context
        .getPrimaryCache()
        .addIndexer(
            CONFIG_MAP_INDEX,
            resource ->
                configMapNames(resource).stream()
                    .map(name -> resource.getMetadata().getNamespace() + "/" + name)
                    .toList());
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
                .withItemStore(
                    LeanItemStore.unlessShared(
                        namespaces, () -> LeanItemStore.<Job>trimming(job -> job.setSpec(null))))
                .withLabelSelector(Labels.COMPONENT + "=" + Labels.MIGRATION_COMPONENT)
                .withSecondaryToPrimaryMapper(Mappers.fromOwnerReferences(SchemaVersion.class))
                .build(),
            context);
    InformerEventSource<Pod, SchemaVersion> podSource =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Pod.class, SchemaVersion.class)
                .withName(MIGRATION_PODS)
                // only a migration pod's metadata and status are read (ObservedJob)
                .withItemStore(
                    LeanItemStore.unlessShared(
                        namespaces, () -> LeanItemStore.<Pod>trimming(pod -> pod.setSpec(null))))
                .withLabelSelector(Labels.COMPONENT + "=" + Labels.MIGRATION_COMPONENT)
                .withSecondaryToPrimaryMapper(SchemaVersionReconciler::migratedBy)
                .build(),
            context);
    InformerEventSource<ConfigMap, SchemaVersion> configMapSource =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(ConfigMap.class, SchemaVersion.class)
                .withName("migration-configmaps")
                .withItemStore(LeanItemStore.unlessShared(namespaces, LeanItemStore::of))
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
                    (SchemaVersion resource) ->
                        configMapNames(resource).stream()
                            .map(
                                name -> new ResourceID(name, resource.getMetadata().getNamespace()))
                            .collect(Collectors.toSet()))
                .build(),
            context);
    InformerEventSource<Pod, SchemaVersion> gatedPodSource =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Pod.class, SchemaVersion.class)
                .withName(GATED_PODS)
                // every pod of the namespace is watched; only those carrying a gate are kept
                .withItemStore(LeanItemStore.unlessShared(namespaces, LeanItemStore::gatedPods))
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
                .withItemStore(LeanItemStore.unlessShared(namespaces, LeanItemStore::of))
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
    InformerEventSource<Event, SchemaVersion> failedCreateSource =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Event.class, SchemaVersion.class)
                .withName(FAILED_CREATES)
                // only the Job controller's "cannot create the pod" Events about Jobs
                .withFieldSelector(
                    new FieldSelector(
                        new FieldSelector.Field("reason", ObservedJob.FAILED_CREATE),
                        new FieldSelector.Field("involvedObject.kind", "Job")))
                .withItemStore(LeanItemStore.unlessShared(namespaces, LeanItemStore::of))
                .withSecondaryToPrimaryMapper(
                    event -> {
                      ObjectReference job = event.getInvolvedObject();
                      return job == null || job.getName() == null
                          ? Set.of()
                          : jobSource
                              .get(new ResourceID(job.getName(), job.getNamespace()))
                              .map(
                                  Mappers.fromOwnerReferences(SchemaVersion.class)
                                      ::toPrimaryResourceIDs)
                              .orElse(Set.of());
                    })
                .build(),
            context);
    InformerEventSource<Event, SchemaVersion> failedMountSource =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Event.class, SchemaVersion.class)
                .withName(FAILED_MOUNTS)
                // only the kubelet's "cannot mount a volume" Events about pods, such as a missing
                // Secret or ConfigMap of spec.database.sslRootCert
                .withFieldSelector(
                    new FieldSelector(
                        new FieldSelector.Field("reason", ObservedJob.FAILED_MOUNT),
                        new FieldSelector.Field("involvedObject.kind", "Pod")))
                .withItemStore(LeanItemStore.unlessShared(namespaces, LeanItemStore::of))
                .withSecondaryToPrimaryMapper(
                    event -> {
                      ObjectReference pod = event.getInvolvedObject();
                      return pod == null || pod.getName() == null
                          ? Set.of()
                          : podSource
                              .get(new ResourceID(pod.getName(), pod.getNamespace()))
                              .map(SchemaVersionReconciler::migratedBy)
                              .orElse(Set.of());
                    })
                .build(),
            context);
    return List.of(
        jobSource,
        podSource,
        configMapSource,
        gatedPodSource,
        deploymentSource,
        failedCreateSource,
        failedMountSource);
  }

  @Override
  public UpdateControl<SchemaVersion> reconcile(
      SchemaVersion resource, Context<SchemaVersion> context) {
    metrics.reconciled();
    Decision decision =
        Decide.decide(resource, observe(resource, context), retries, clock.instant());
    EventRecorder events = events(context);
    GateKeeper gates = new GateKeeper(context.getClient(), events);
    // Gates first: a Job the API server refuses must not leave a Deployment ungated.
    List<ApiRefusal> refused = gates.inject(resource, decision.injections());
    if (decision.createJob() != null) {
      createJob(resource, decision.createJob(), context, events);
    }
    decision.events().forEach(event -> events.record(resource, event));
    for (Decision.JobToEnd end : decision.ends()) {
      context
          .getClient()
          .batch()
          .v1()
          .jobs()
          .inNamespace(resource.getMetadata().getNamespace())
          .withName(end.name())
          .withPropagationPolicy(DeletionPropagation.BACKGROUND)
          .delete();
      if (end.ended() != null) {
        events.record(resource, end.ended());
      }
    }
    record(resource, decision);
    gates.release(resource, decision.releases());
    if (!refused.isEmpty()) {
      throw refused.get(0);
    }
    // Last: a refused verify Job changes the drift findings only, the rest is carried out.
    if (decision.verifyJob() != null) {
      createVerifyJob(resource, decision.verifyJob(), context, events);
    }

    SchemaVersionStatus status = decision.status();
    UpdateControl<SchemaVersion> control;
    if (Objects.equals(status, resource.getStatus())) {
      control = UpdateControl.noUpdate();
    } else {
      LOG.info(
          "{}/{}: {} ({})",
          resource.getMetadata().getNamespace(),
          resource.getMetadata().getName(),
          decision.reason(),
          decision.message());
      resource.setStatus(status);
      control = UpdateControl.patchStatus(resource);
    }
    return decision.requeueAfter() == null
        ? control
        : control.rescheduleAfter(decision.requeueAfter());
  }

  /**
   * Reports a refusal of the API server ({@link ApiRefusal}) in the status and an Event, through
   * {@link Decide#refused}; a transient one is retried at the back-off the decision gives (a
   * Deployment that changed under the gate's patch after the initial retry delay, without a
   * status), a permanent one when something changes ({@link Decide#refused} decides which). Any
   * other error takes JOSDK's retries.
   */
  @Override
  public ErrorStatusUpdateControl<SchemaVersion> updateErrorStatus(
      SchemaVersion resource, Context<SchemaVersion> context, Exception e) {
    if (!(e instanceof ApiRefusal refusal)) {
      return ErrorStatusUpdateControl.defaultErrorProcessing();
    }
    Decision decision =
        Decide.refused(
            resource, observe(resource, context), refusal.refusal(), retries, clock.instant());
    if (!decision.events().isEmpty()) {
      LOG.warn(
          "{}/{}: {} ({})",
          resource.getMetadata().getNamespace(),
          resource.getMetadata().getName(),
          decision.reason(),
          decision.message());
    }
    EventRecorder events = events(context);
    decision.events().forEach(event -> events.record(resource, event));
    record(resource, decision);
    ErrorStatusUpdateControl<SchemaVersion> control;
    if (Objects.equals(decision.status(), resource.getStatus())) {
      control = ErrorStatusUpdateControl.noStatusUpdate();
    } else {
      resource.setStatus(decision.status());
      control = ErrorStatusUpdateControl.patchStatus(resource);
    }
    return decision.requeueAfter() == null
        ? control.withNoRetry()
        : control.rescheduleAfter(decision.requeueAfter());
  }

  /**
   * The SchemaVersion is being deleted: its gates go at once (pods no longer wait for it), but a
   * migration pod that runs is never killed halfway (a concurrent index build would be left
   * INVALID): the finalizer stays until the pod ends, which its Job's deadline bounds, and every
   * event of the Job or its pods looks again. Then the finalizer goes, and the garbage collector
   * removes the Jobs and their pods through their owner references.
   */
  @Override
  public DeleteControl cleanup(SchemaVersion resource, Context<SchemaVersion> context) {
    EventRecorder events = events(context);
    GateKeeper gates = new GateKeeper(context.getClient(), events);
    gates.release(
        resource, Decide.onDeletion(resource, List.copyOf(pods(context, GATED_PODS, resource))));
    gates.uninject(resource, context.getSecondaryResources(Deployment.class));
    List<Pod> migrationPods = List.copyOf(pods(context, MIGRATION_PODS, resource));
    Optional<Decision.Event> waiting = Decide.deletionWaitsFor(resource, migrationPods);
    if (waiting.isPresent()) {
      events.record(resource, waiting.get());
      return DeleteControl.<SchemaVersion>noFinalizerRemoval().rescheduleAfter(DELETION_RECHECK);
    }
    metrics.removed(resource.getMetadata().getNamespace(), resource.getMetadata().getName());
    return DeleteControl.defaultDelete();
  }

  /** Everything the decision needs, from the informer caches. */
  private Observed observe(SchemaVersion resource, Context<SchemaVersion> context) {
    List<Pod> pods = List.copyOf(pods(context, MIGRATION_PODS, resource));
    Map<Boolean, List<ObservedJob>> byKind =
        context.getSecondaryResources(Job.class).stream()
            .collect(
                Collectors.partitioningBy(
                    SchemaVersionReconciler::isVerifyJob,
                    Collectors.mapping(
                        job -> {
                          List<Pod> own = podsOf(job, pods);
                          return ObservedJob.of(job, own, events(context, job, own));
                        },
                        Collectors.toList())));
    return new Observed(
        source(resource, context),
        jobs.image(resource),
        byKind.get(false),
        List.copyOf(pods(context, GATED_PODS, resource)),
        List.copyOf(context.getSecondaryResources(Deployment.class)),
        context
            .getPrimaryCache()
            .list(resource.getMetadata().getNamespace())
            .filter(
                other -> !other.getMetadata().getName().equals(resource.getMetadata().getName()))
            .toList(),
        byKind.get(true));
  }

  private static boolean isVerifyJob(Job job) {
    Map<String, String> labels = job.getMetadata().getLabels();
    return labels != null && Labels.VERIFY_KIND.equals(labels.get(Labels.JOB_KIND));
  }

  private void createJob(
      SchemaVersion resource,
      Decision.JobToCreate create,
      Context<SchemaVersion> context,
      EventRecorder events) {
    Job job = jobs.build(resource, source(resource, context), create.name(), create.specHash());
    try {
      context.getClient().resource(job).create();
      events.record(resource, create.created());
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw ApiRefusal.of(Refusal.Action.CREATE_JOB, create.name(), e);
      }
      // The Job exists already (created before a restart, not yet in the cache): adopt it.
    }
  }

  private void createVerifyJob(
      SchemaVersion resource,
      Decision.JobToCreate create,
      Context<SchemaVersion> context,
      EventRecorder events) {
    Job job =
        jobs.buildVerify(resource, source(resource, context), create.name(), create.specHash());
    try {
      context.getClient().resource(job).create();
      events.record(resource, create.created());
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw ApiRefusal.of(Refusal.Action.CREATE_VERIFY_JOB, create.name(), e);
      }
      // Created before, not yet in the cache: the same verification, adopted.
    }
  }

  /** The metrics of what this reconciliation decided. */
  private void record(SchemaVersion resource, Decision decision) {
    String namespace = resource.getMetadata().getNamespace();
    String name = resource.getMetadata().getName();
    if (decision.status().getCurrentVersion() != null) {
      metrics.currentVersion(namespace, name, decision.status().getCurrentVersion());
    }
    metrics.drifted(
        namespace,
        name,
        Conditions.find(decision.status().getConditions(), Conditions.DRIFTED)
            .map(condition -> condition.getStatus())
            .orElse(null));
    Decision.FinishedJob finished = decision.finished();
    if (finished != null) {
      metrics.jobFinished(
          namespace,
          name,
          finished.outcome(),
          finished.failureReason(),
          finished.applied(),
          finished.duration());
    }
  }

  /**
   * The Job controller's FailedCreate Events about a Job and the kubelet's FailedMount Events about
   * its pods, from the informer caches, matched by UID.
   */
  @SuppressWarnings("unchecked")
  private static List<Event> events(Context<SchemaVersion> context, Job job, List<Pod> pods) {
    Set<String> uids = new java.util.HashSet<>();
    uids.add(job.getMetadata().getUid());
    pods.forEach(pod -> uids.add(pod.getMetadata().getUid()));
    List<Event> events = new java.util.ArrayList<>();
    for (String name : List.of(FAILED_CREATES, FAILED_MOUNTS)) {
      InformerEventSource<Event, SchemaVersion> source =
          (InformerEventSource<Event, SchemaVersion>)
              context.eventSourceRetriever().getEventSourceFor(Event.class, name);
      source
          .list(
              job.getMetadata().getNamespace(),
              event ->
                  event.getInvolvedObject() != null
                      && uids.contains(event.getInvolvedObject().getUid()))
          .forEach(events::add);
    }
    return events;
  }

  /** The SchemaVersion a migration pod migrates for, by its label. */
  private static Set<ResourceID> migratedBy(Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    String owner = labels == null ? null : labels.get(Labels.SCHEMA_VERSION);
    return owner == null
        ? Set.of()
        : Set.of(new ResourceID(owner, pod.getMetadata().getNamespace()));
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
    if (migrations != null && migrations.getConfigMapRefs() != null) {
      Map<String, ConfigMap> found =
          context.getSecondaryResources(ConfigMap.class).stream()
              .collect(
                  Collectors.toMap(
                      configMap -> configMap.getMetadata().getName(),
                      configMap -> configMap,
                      (a, b) -> a));
      return new MigrationSource.FromConfigMaps(
          migrations.getConfigMapRefs().stream()
              .map(
                  ref -> new MigrationSource.FromConfigMap(ref.getName(), found.get(ref.getName())))
              .toList());
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

  /** The ConfigMaps of the migration set: configMapRef's, or configMapRefs' in order. */
  private static List<String> configMapNames(SchemaVersion resource) {
    MigrationsSpec migrations =
        resource.getSpec() == null ? null : resource.getSpec().getMigrations();
    if (migrations == null) {
      return List.of();
    }
    if (migrations.getConfigMapRef() != null) {
      return List.of(migrations.getConfigMapRef().getName());
    }
    return migrations.getConfigMapRefs() == null
        ? List.of()
        : migrations.getConfigMapRefs().stream().map(ref -> ref.getName()).toList();
  }
}
