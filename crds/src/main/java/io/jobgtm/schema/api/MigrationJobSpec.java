package io.jobgtm.schema.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.jobgtm.schema.contract.JobEnvironment;
import java.util.Map;
import java.util.Objects;

/** Settings of the migration Job; everything has a default. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MigrationJobSpec {

  /**
   * A PostgreSQL duration: a whole number of at most 9 digits with the unit ms, s, m or h, such as
   * 10s or 500ms (longer numbers would overflow the migrator's and PostgreSQL's settings).
   */
  public static final String DURATION_PATTERN = "^[0-9]{1,9}(ms|s|m|h)$";

  /** The most entries of {@code podAnnotations} and of {@code podLabels}. */
  public static final int MAX_POD_METADATA = 32;

  /** A duration as {@link #DURATION_PATTERN}, greater than zero. */
  public static final String POSITIVE_DURATION_PATTERN = "^0*[1-9][0-9]{0,8}(ms|s|m|h)$";

  @JsonPropertyDescription(
      "Image of the migration Job, [host[:port]/]path[:tag][@digest] with a lowercase path, at"
          + " most 520 characters; defaults to the operator's own image, whose migrator writes the"
          + " result format this operator reads.")
  @Size(max = MigrationImage.MAX_REFERENCE_LENGTH)
  @Pattern(MigrationImage.REFERENCE_PATTERN)
  private String image;

  @JsonPropertyDescription(
      "CPU, memory and ephemeral-storage requests and limits of the migration container; unset:"
          + " the operator's defaults.")
  @SchemaFrom(type = JobResourcesSchema.class)
  private ResourceRequirements resources;

  @JsonPropertyDescription(
      "Service account the Job's pod runs as (its token is not mounted), a DNS-1123 subdomain of"
          + " at most 253 characters; defaults to the namespace's default service account.")
  @Size(max = KubernetesNames.DNS1123_SUBDOMAIN_MAX_LENGTH)
  @Pattern(KubernetesNames.DNS1123_SUBDOMAIN_PATTERN)
  private String serviceAccountName;

  @JsonPropertyDescription("Retries of a failed migration pod before the Job fails.")
  @Default("2")
  @Min(0)
  @Max(10)
  private Integer backoffLimit = 2;

  @JsonPropertyDescription("Seconds the Job may run before Kubernetes stops it.")
  @Default("900")
  @Min(1)
  private Long activeDeadlineSeconds = 900L;

  @JsonPropertyDescription(
      "Seconds a finished Job is kept before Kubernetes deletes it; its outcome stays in status.")
  @Default("3600")
  @Min(0)
  @Max(Integer.MAX_VALUE)
  private Integer ttlSecondsAfterFinished = 3600;

  @JsonPropertyDescription(
      "PostgreSQL lock_timeout of the migration session, such as 10s or 500ms; unset: the"
          + " migrator's default, "
          + JobEnvironment.DEFAULT_LOCK_TIMEOUT
          + ". The server's own setting is not used.")
  @Pattern(DURATION_PATTERN)
  private String lockTimeout;

  @JsonPropertyDescription(
      "PostgreSQL statement_timeout of the migration session, such as 5m or 1h, 0 for none;"
          + " unset: the migrator's default, "
          + JobEnvironment.DEFAULT_STATEMENT_TIMEOUT
          + ", which ends a statement before the default activeDeadlineSeconds ends the Job. Raise"
          + " both together for long index builds: a Job killed mid-statement leaves a concurrent"
          + " index build INVALID.")
  @Pattern(DURATION_PATTERN)
  private String statementTimeout;

  @JsonPropertyDescription(
      "How long the migrator waits for the database to accept connections, such as 30s or 2m;"
          + " unset: the migrator's default, "
          + JobEnvironment.DEFAULT_CONNECT_TIMEOUT
          + ". Running out of it is the transient failure DatabaseUnreachable, which the operator"
          + " retries after a back-off.")
  @Pattern(POSITIVE_DURATION_PATTERN)
  private String connectTimeout;

  @JsonPropertyDescription(
      "How long the migrator waits for another migrator that holds the migration lock of the same"
          + " database and schema, such as 30s or 5m; unset: half of each pod's share of"
          + " activeDeadlineSeconds, at most "
          + JobEnvironment.DEFAULT_LOCK_WAIT_TIMEOUT
          + " (145s with the defaults). Running out of it is the transient failure LockTimeout, which the operator retries"
          + " after a back-off. Keep it below activeDeadlineSeconds.")
  @Pattern(POSITIVE_DURATION_PATTERN)
  private String lockWaitTimeout;

  @JsonPropertyDescription(
      "Annotations of the migration Job's pod, at most 32; for example"
          + " sidecar.istio.io/inject: \"false\" to keep a service mesh's sidecar out of it. A key"
          + " or value the API server refuses is reported as JobRefused with its message.")
  @Size(max = MAX_POD_METADATA)
  private Map<String, String> podAnnotations;

  @JsonPropertyDescription(
      "Labels of the migration Job's pod, at most 32, besides the operator's own"
          + " (app.kubernetes.io/*, schema.jobgtm.io/*), which win over these. A key or value"
          + " the API server refuses is reported as JobRefused with its message.")
  @Size(max = MAX_POD_METADATA)
  private Map<String, String> podLabels;

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public ResourceRequirements getResources() {
    return resources;
  }

  public void setResources(ResourceRequirements resources) {
    this.resources = resources;
  }

  public String getServiceAccountName() {
    return serviceAccountName;
  }

  public void setServiceAccountName(String serviceAccountName) {
    this.serviceAccountName = serviceAccountName;
  }

  public Integer getBackoffLimit() {
    return backoffLimit;
  }

  public void setBackoffLimit(Integer backoffLimit) {
    this.backoffLimit = backoffLimit;
  }

  public Long getActiveDeadlineSeconds() {
    return activeDeadlineSeconds;
  }

  public void setActiveDeadlineSeconds(Long activeDeadlineSeconds) {
    this.activeDeadlineSeconds = activeDeadlineSeconds;
  }

  public Integer getTtlSecondsAfterFinished() {
    return ttlSecondsAfterFinished;
  }

  public void setTtlSecondsAfterFinished(Integer ttlSecondsAfterFinished) {
    this.ttlSecondsAfterFinished = ttlSecondsAfterFinished;
  }

  public String getLockTimeout() {
    return lockTimeout;
  }

  public void setLockTimeout(String lockTimeout) {
    this.lockTimeout = lockTimeout;
  }

  public Map<String, String> getPodAnnotations() {
    return podAnnotations;
  }

  public void setPodAnnotations(Map<String, String> podAnnotations) {
    this.podAnnotations = podAnnotations;
  }

  public Map<String, String> getPodLabels() {
    return podLabels;
  }

  public void setPodLabels(Map<String, String> podLabels) {
    this.podLabels = podLabels;
  }

  public String getConnectTimeout() {
    return connectTimeout;
  }

  public void setConnectTimeout(String connectTimeout) {
    this.connectTimeout = connectTimeout;
  }

  public String getLockWaitTimeout() {
    return lockWaitTimeout;
  }

  public void setLockWaitTimeout(String lockWaitTimeout) {
    this.lockWaitTimeout = lockWaitTimeout;
  }

  public String getStatementTimeout() {
    return statementTimeout;
  }

  public void setStatementTimeout(String statementTimeout) {
    this.statementTimeout = statementTimeout;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MigrationJobSpec that
        && Objects.equals(image, that.image)
        && Objects.equals(resources, that.resources)
        && Objects.equals(serviceAccountName, that.serviceAccountName)
        && Objects.equals(backoffLimit, that.backoffLimit)
        && Objects.equals(activeDeadlineSeconds, that.activeDeadlineSeconds)
        && Objects.equals(ttlSecondsAfterFinished, that.ttlSecondsAfterFinished)
        && Objects.equals(lockTimeout, that.lockTimeout)
        && Objects.equals(lockWaitTimeout, that.lockWaitTimeout)
        && Objects.equals(connectTimeout, that.connectTimeout)
        && Objects.equals(podAnnotations, that.podAnnotations)
        && Objects.equals(podLabels, that.podLabels)
        && Objects.equals(statementTimeout, that.statementTimeout);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        image,
        resources,
        serviceAccountName,
        backoffLimit,
        activeDeadlineSeconds,
        ttlSecondsAfterFinished,
        lockTimeout,
        lockWaitTimeout,
        connectTimeout,
        podAnnotations,
        podLabels,
        statementTimeout);
  }

  @Override
  public String toString() {
    return "MigrationJobSpec{image="
        + image
        + ", resources="
        + resources
        + ", serviceAccountName="
        + serviceAccountName
        + ", backoffLimit="
        + backoffLimit
        + ", activeDeadlineSeconds="
        + activeDeadlineSeconds
        + ", ttlSecondsAfterFinished="
        + ttlSecondsAfterFinished
        + ", lockTimeout="
        + lockTimeout
        + ", lockWaitTimeout="
        + lockWaitTimeout
        + ", connectTimeout="
        + connectTimeout
        + ", podAnnotations="
        + podAnnotations
        + ", podLabels="
        + podLabels
        + ", statementTimeout="
        + statementTimeout
        + '}';
  }
}
