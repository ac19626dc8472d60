package io.jobgtm.schema.operator.runtime;

import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.VersionInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;

/**
 * The optional Kubernetes features the operator may build on, as the API server it talks to offers
 * them. The chart supports Kubernetes 1.31 and newer; these features came later or are off on some
 * clusters, so they are read from the server's discovery at start-up, never assumed from a version
 * when discovery can tell.
 *
 * <p>{@link #of} is pure (served resources and server version in, features out); {@link #discover}
 * reads them from the server. Discovery ({@code /version}, {@code /apis}) is open to every
 * authenticated user (the {@code system:discovery} role), so it needs no RBAC of the operator's.
 *
 * @param serverVersion the server's git version, e.g. {@code v1.31.4}, or why it is unknown
 * @param features one entry per optional feature, in a fixed order
 */
public record ClusterFeatures(String serverVersion, List<Feature> features) {

  /**
   * One optional feature.
   *
   * @param name its Kubernetes name
   * @param available whether the server offers it
   * @param evidence how that was decided, for a person reading the log
   */
  public record Feature(String name, boolean available, String evidence) {

    /** The start-up log line. */
    public String describe() {
      return "cluster feature "
          + name
          + ": "
          + (available ? "available" : "unavailable")
          + " ("
          + evidence
          + ")";
    }
  }

  public static final String VALIDATING_ADMISSION_POLICY = "ValidatingAdmissionPolicy";
  public static final String MUTATING_ADMISSION_POLICY = "MutatingAdmissionPolicy";
  public static final String SIDECAR_CONTAINERS = "SidecarContainers";
  public static final String CEL_QUANTITY_LIBRARY = "CELQuantityLibrary";

  static final String ADMISSION_GROUP = "admissionregistration.k8s.io";

  /** MutatingAdmissionPolicy's versions, preferred first: alpha in 1.32, beta 1.34, GA 1.36. */
  static final List<String> MUTATING_ADMISSION_POLICY_VERSIONS =
      List.of("v1", "v1beta1", "v1alpha1");

  private static final Pattern MINOR = Pattern.compile("^(\\d+)");

  /**
   * The features, from what discovery found.
   *
   * @param gitVersion the server's {@code gitVersion}, for the log
   * @param major the server's major version ({@code "1"})
   * @param minor the server's minor version ({@code "31"}; some distributions add a {@code +})
   * @param servedResources the served resources as {@code group/version/plural} (no subresources)
   */
  public static ClusterFeatures of(
      String gitVersion, String major, String minor, Set<String> servedResources) {
    Optional<Integer> minorOfOne = minorOfVersionOne(major, minor);
    String version = gitVersion == null || gitVersion.isBlank() ? major + "." + minor : gitVersion;
    List<Feature> features = new ArrayList<>();

    String vap = ADMISSION_GROUP + "/v1/validatingadmissionpolicies";
    features.add(
        servedResources.contains(vap)
            ? new Feature(VALIDATING_ADMISSION_POLICY, true, "discovery: " + vap + " is served")
            : new Feature(
                VALIDATING_ADMISSION_POLICY, false, "discovery: " + vap + " is not served"));

    Optional<String> map =
        MUTATING_ADMISSION_POLICY_VERSIONS.stream()
            .map(v -> ADMISSION_GROUP + "/" + v + "/mutatingadmissionpolicies")
            .filter(servedResources::contains)
            .findFirst();
    features.add(
        map.map(
                served ->
                    new Feature(
                        MUTATING_ADMISSION_POLICY, true, "discovery: " + served + " is served"))
            .orElseGet(
                () ->
                    new Feature(
                        MUTATING_ADMISSION_POLICY,
                        false,
                        "discovery: "
                            + ADMISSION_GROUP
                            + " serves no mutatingadmissionpolicies in "
                            + String.join(", ", MUTATING_ADMISSION_POLICY_VERSIONS))));

    features.add(sidecarContainers(version, minorOfOne));
    features.add(celQuantityLibrary(version, minorOfOne));
    return new ClusterFeatures(version, List.copyOf(features));
  }

  /**
   * Native sidecars (init containers with {@code restartPolicy: Always}) are a field, not a
   * resource, and their feature gate is not in discovery: decided from the server version. Beta and
   * on by default from 1.29, GA (always on) from 1.33; on 1.29 to 1.32 a cluster may have turned
   * the {@code SidecarContainers} gate off, which the log line says.
   */
  private static Feature sidecarContainers(String version, Optional<Integer> minor) {
    if (minor.isEmpty()) {
      return new Feature(
          SIDECAR_CONTAINERS, false, "server version " + version + " is not readable as 1.x");
    }
    int m = minor.get();
    if (m >= 33) {
      return new Feature(SIDECAR_CONTAINERS, true, "server version " + version + ": GA since 1.33");
    }
    if (m >= 29) {
      return new Feature(
          SIDECAR_CONTAINERS,
          true,
          "server version "
              + version
              + ": beta and on by default since 1.29; discovery does not show whether the"
              + " SidecarContainers feature gate was turned off");
    }
    return new Feature(
        SIDECAR_CONTAINERS, false, "server version " + version + ": needs 1.29 or newer");
  }

  /**
   * Kubernetes' CEL {@code quantity()} library (CRD rules, admission policies) is part of the API
   * server's base CEL environment, which discovery does not list: decided from the server version.
   * New expressions may use it from 1.29 (introduced in 1.28 for stored expressions only).
   */
  private static Feature celQuantityLibrary(String version, Optional<Integer> minor) {
    if (minor.isEmpty()) {
      return new Feature(
          CEL_QUANTITY_LIBRARY, false, "server version " + version + " is not readable as 1.x");
    }
    return minor.get() >= 29
        ? new Feature(
            CEL_QUANTITY_LIBRARY,
            true,
            "server version " + version + ": in Kubernetes CEL for new expressions since 1.29")
        : new Feature(
            CEL_QUANTITY_LIBRARY, false, "server version " + version + ": needs 1.29 or newer");
  }

  /** The minor version of a 1.x server; empty for anything else ({@code "31+"} reads as 31). */
  static Optional<Integer> minorOfVersionOne(String major, String minor) {
    if (!"1".equals(major == null ? null : major.trim()) || minor == null) {
      return Optional.empty();
    }
    Matcher matcher = MINOR.matcher(minor.trim());
    return matcher.find() ? Optional.of(Integer.parseInt(matcher.group(1))) : Optional.empty();
  }

  /**
   * Reads the server version and the resources of {@value #ADMISSION_GROUP}'s served versions.
   *
   * @throws KubernetesClientException if discovery fails
   */
  public static ClusterFeatures discover(KubernetesClient client) {
    VersionInfo version = client.getKubernetesVersion();
    Set<String> served = new TreeSet<>();
    APIGroup group = client.getApiGroup(ADMISSION_GROUP);
    if (group != null && group.getVersions() != null) {
      for (GroupVersionForDiscovery groupVersion : group.getVersions()) {
        APIResourceList resources = client.getApiResources(groupVersion.getGroupVersion());
        if (resources == null || resources.getResources() == null) {
          continue;
        }
        for (APIResource resource : resources.getResources()) {
          if (!resource.getName().contains("/")) {
            served.add(groupVersion.getGroupVersion() + "/" + resource.getName());
          }
        }
      }
    }
    return of(version.getGitVersion(), version.getMajor(), version.getMinor(), served);
  }

  /** The feature of that name. */
  public Feature feature(String name) {
    return features.stream()
        .filter(feature -> feature.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no feature " + name));
  }

  /** Logs one INFO line per feature. */
  public void log(Logger log) {
    features.forEach(feature -> log.info("{}", feature.describe()));
  }

  /**
   * Reads and logs the features at start-up. A failed discovery is logged as a warning, with every
   * feature reported unavailable: the operator starts either way, it only never builds on a feature
   * it could not see.
   */
  static ClusterFeatures discoverAndLog(KubernetesClient client, Logger log) {
    ClusterFeatures features;
    try {
      features = discover(client);
      log.info(
          "Kubernetes {}: optional features as the API server offers them",
          features.serverVersion());
    } catch (KubernetesClientException e) {
      log.warn(
          "cannot read the API server's discovery ({}); optional features count as unavailable",
          e.getMessage());
      features = unknown("discovery failed: " + e.getMessage());
    }
    features.log(log);
    return features;
  }

  /** Every feature unavailable, with one reason. */
  static ClusterFeatures unknown(String reason) {
    return new ClusterFeatures(
        "unknown",
        List.of(
                VALIDATING_ADMISSION_POLICY,
                MUTATING_ADMISSION_POLICY,
                SIDECAR_CONTAINERS,
                CEL_QUANTITY_LIBRARY)
            .stream()
            .map(name -> new Feature(name, false, reason))
            .toList());
  }
}
