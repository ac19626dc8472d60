package io.jobgtm.schema.operator.runtime;

import static io.jobgtm.schema.operator.runtime.ClusterFeatures.CEL_QUANTITY_LIBRARY;
import static io.jobgtm.schema.operator.runtime.ClusterFeatures.MUTATING_ADMISSION_POLICY;
import static io.jobgtm.schema.operator.runtime.ClusterFeatures.SIDECAR_CONTAINERS;
import static io.jobgtm.schema.operator.runtime.ClusterFeatures.VALIDATING_ADMISSION_POLICY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.jobgtm.schema.operator.runtime.ClusterFeatures.Feature;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClusterFeaturesTest {

  private static final String VAP_V1 =
      "admissionregistration.k8s.io/v1/validatingadmissionpolicies";
  private static final String VAP_V1BETA1 =
      "admissionregistration.k8s.io/v1beta1/validatingadmissionpolicies";

  /** What discovery of a 1.31 server lists in admissionregistration.k8s.io (resources only). */
  private static final Set<String> SERVED_1_31 =
      Set.of(
          "admissionregistration.k8s.io/v1/mutatingwebhookconfigurations",
          "admissionregistration.k8s.io/v1/validatingwebhookconfigurations",
          VAP_V1,
          "admissionregistration.k8s.io/v1/validatingadmissionpolicybindings");

  @Test
  void onTheOldestSupportedVersionOnlyMutatingAdmissionPolicyIsMissing() {
    ClusterFeatures features = ClusterFeatures.of("v1.31.4", "1", "31", SERVED_1_31);

    assertThat(features.serverVersion()).isEqualTo("v1.31.4");
    assertThat(features.features())
        .extracting(Feature::name, Feature::available)
        .containsExactly(
            tuple(VALIDATING_ADMISSION_POLICY, true),
            tuple(MUTATING_ADMISSION_POLICY, false),
            tuple(SIDECAR_CONTAINERS, true),
            tuple(CEL_QUANTITY_LIBRARY, true));
    assertThat(features.feature(MUTATING_ADMISSION_POLICY).describe())
        .isEqualTo(
            "cluster feature MutatingAdmissionPolicy: unavailable (discovery:"
                + " admissionregistration.k8s.io serves no mutatingadmissionpolicies in v1,"
                + " v1beta1, v1alpha1)");
    assertThat(features.feature(VALIDATING_ADMISSION_POLICY).describe())
        .isEqualTo(
            "cluster feature ValidatingAdmissionPolicy: available (discovery: "
                + VAP_V1
                + " is served)");
  }

  @Test
  void mutatingAdmissionPolicyNamesThePreferredServedVersion() {
    Set<String> betaOnly =
        Set.of(VAP_V1, "admissionregistration.k8s.io/v1beta1/mutatingadmissionpolicies");
    Set<String> all =
        Set.of(
            VAP_V1,
            "admissionregistration.k8s.io/v1alpha1/mutatingadmissionpolicies",
            "admissionregistration.k8s.io/v1beta1/mutatingadmissionpolicies",
            "admissionregistration.k8s.io/v1/mutatingadmissionpolicies");

    assertThat(
            ClusterFeatures.of("v1.34.2", "1", "34", betaOnly).feature(MUTATING_ADMISSION_POLICY))
        .isEqualTo(
            new Feature(
                MUTATING_ADMISSION_POLICY,
                true,
                "discovery: admissionregistration.k8s.io/v1beta1/mutatingadmissionpolicies is"
                    + " served"));
    assertThat(ClusterFeatures.of("v1.37.2", "1", "37", all).feature(MUTATING_ADMISSION_POLICY))
        .extracting(Feature::evidence)
        .isEqualTo(
            "discovery: admissionregistration.k8s.io/v1/mutatingadmissionpolicies is served");
  }

  @Test
  void validatingAdmissionPolicyCountsOnlyInV1() {
    Feature vap =
        ClusterFeatures.of("v1.29.6", "1", "29", Set.of(VAP_V1BETA1))
            .feature(VALIDATING_ADMISSION_POLICY);

    assertThat(vap.available()).isFalse();
    assertThat(vap.evidence()).isEqualTo("discovery: " + VAP_V1 + " is not served");
  }

  @Test
  void discoveryDecidesEvenWhenTheVersionWouldSuggestOtherwise() {
    // A 1.37 server with MutatingAdmissionPolicy and ValidatingAdmissionPolicy switched off
    // (--runtime-config) reports them unavailable: the version alone is never taken as proof.
    ClusterFeatures features = ClusterFeatures.of("v1.37.2", "1", "37", Set.of());

    assertThat(features.feature(VALIDATING_ADMISSION_POLICY).available()).isFalse();
    assertThat(features.feature(MUTATING_ADMISSION_POLICY).available()).isFalse();
  }

  @Test
  void sidecarContainersFollowTheServerVersionAndSayWhy() {
    assertThat(sidecars("28")).extracting(Feature::available).isEqualTo(false);
    assertThat(sidecars("28").evidence()).isEqualTo("server version v1.28.0: needs 1.29 or newer");
    assertThat(sidecars("29").available()).isTrue();
    assertThat(sidecars("32").evidence())
        .isEqualTo(
            "server version v1.32.0: beta and on by default since 1.29; discovery does not show"
                + " whether the SidecarContainers feature gate was turned off");
    assertThat(sidecars("33").evidence()).isEqualTo("server version v1.33.0: GA since 1.33");
  }

  @Test
  void celQuantityLibraryFollowsTheServerVersion() {
    assertThat(ClusterFeatures.of("v1.28.0", "1", "28", Set.of()).feature(CEL_QUANTITY_LIBRARY))
        .extracting(Feature::available)
        .isEqualTo(false);
    assertThat(ClusterFeatures.of("v1.29.0", "1", "29", Set.of()).feature(CEL_QUANTITY_LIBRARY))
        .extracting(Feature::available)
        .isEqualTo(true);
  }

  @Test
  void readsDistributionMinorVersionsAndRefusesUnknownOnes() {
    assertThat(ClusterFeatures.minorOfVersionOne("1", "31+")).contains(31);
    assertThat(ClusterFeatures.minorOfVersionOne("1", " 33 ")).contains(33);
    assertThat(ClusterFeatures.minorOfVersionOne("2", "0")).isEmpty();
    assertThat(ClusterFeatures.minorOfVersionOne("1", "")).isEmpty();
    assertThat(ClusterFeatures.minorOfVersionOne(null, null)).isEqualTo(Optional.empty());

    Feature sidecars = ClusterFeatures.of("v2.0.0", "2", "0", Set.of()).feature(SIDECAR_CONTAINERS);
    assertThat(sidecars.available()).isFalse();
    assertThat(sidecars.evidence()).isEqualTo("server version v2.0.0 is not readable as 1.x");
  }

  @Test
  void withoutDiscoveryEveryFeatureIsUnavailableWithTheReason() {
    ClusterFeatures features = ClusterFeatures.unknown("discovery failed: Forbidden");

    assertThat(features.features())
        .extracting(Feature::name)
        .containsExactly(
            VALIDATING_ADMISSION_POLICY,
            MUTATING_ADMISSION_POLICY,
            SIDECAR_CONTAINERS,
            CEL_QUANTITY_LIBRARY);
    assertThat(features.features())
        .allSatisfy(
            feature -> {
              assertThat(feature.available()).isFalse();
              assertThat(feature.evidence()).isEqualTo("discovery failed: Forbidden");
            });
  }

  private static Feature sidecars(String minor) {
    return ClusterFeatures.of("v1." + minor + ".0", "1", minor, Set.of())
        .feature(SIDECAR_CONTAINERS);
  }
}
