package io.jobgtm.schema.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobgtm.schema.operator.decide.RetryPolicy;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OperatorConfigTest {

  @Test
  void defaultsWatchEverythingWithLeaderElection() {
    OperatorConfig config = OperatorConfig.from(Map.of());

    assertThat(config.watchNamespaces()).isEmpty();
    assertThat(config.httpPort()).isEqualTo(8080);
    assertThat(config.leaderElection()).isTrue();
    assertThat(config.leaseNamespace()).isNull();
    assertThat(config.retries()).isEqualTo(RetryPolicy.DEFAULT);
    assertThat(config.shadowImage()).isEqualTo("docker.io/library/postgres:17");
  }

  @Test
  void theShadowImageIsAnImageReference() {
    assertThat(
            OperatorConfig.from(
                    Map.of(
                        "SCHEMA_OPERATOR_SHADOW_IMAGE", "mirror.internal:5000/library/postgres:17"))
                .shadowImage())
        .isEqualTo("mirror.internal:5000/library/postgres:17");
    assertThatThrownBy(
            () -> OperatorConfig.from(Map.of("SCHEMA_OPERATOR_SHADOW_IMAGE", "Postgres 17")))
        .hasMessageStartingWith("SCHEMA_OPERATOR_SHADOW_IMAGE='Postgres 17' is not valid");
  }

  @Test
  void readsTheRetryPolicy() {
    OperatorConfig config =
        OperatorConfig.from(
            Map.of(
                "SCHEMA_OPERATOR_RETRY_INITIAL_DELAY", "5s",
                "SCHEMA_OPERATOR_RETRY_MAX_DELAY", "2m",
                "SCHEMA_OPERATOR_RETRY_LIMIT", "0"));

    assertThat(config.retries())
        .isEqualTo(new RetryPolicy(Duration.ofSeconds(5), Duration.ofMinutes(2), 0));
  }

  @Test
  void retrySettingsThatDoNotFitTogetherAreRefusedNamingThem() {
    assertThatThrownBy(
            () ->
                OperatorConfig.from(
                    Map.of(
                        "SCHEMA_OPERATOR_RETRY_INITIAL_DELAY", "5m",
                        "SCHEMA_OPERATOR_RETRY_MAX_DELAY", "1m")))
        .hasMessageContaining("SCHEMA_OPERATOR_RETRY_MAX_DELAY")
        .hasMessageContaining("shorter than the initial one");
    assertThatThrownBy(() -> OperatorConfig.from(Map.of("SCHEMA_OPERATOR_RETRY_LIMIT", "-1")))
        .hasMessageContaining("must not be negative");
    assertThatThrownBy(
            () -> OperatorConfig.from(Map.of("SCHEMA_OPERATOR_RETRY_INITIAL_DELAY", "soon")))
        .hasMessageStartingWith("SCHEMA_OPERATOR_RETRY_INITIAL_DELAY='soon' is not valid");
  }

  @Test
  void readsEveryOptionFromTheEnvironment() {
    OperatorConfig config =
        OperatorConfig.from(
            Map.of(
                "SCHEMA_OPERATOR_WATCH_NAMESPACES", "apps, billing ,",
                "SCHEMA_OPERATOR_MIGRATOR_IMAGE", "registry.test/schema-operator:1.0",
                "SCHEMA_OPERATOR_HTTP_PORT", "9090",
                "SCHEMA_OPERATOR_LEADER_ELECTION", "false"));

    assertThat(config.watchNamespaces()).containsExactlyInAnyOrder("apps", "billing");
    assertThat(config.migratorImage()).isEqualTo("registry.test/schema-operator:1.0");
    assertThat(config.httpPort()).isEqualTo(9090);
    assertThat(config.leaderElection()).isFalse();
  }

  @Test
  void badValuesNameTheirVariable() {
    assertThatThrownBy(
            () -> OperatorConfig.from(Map.of("SCHEMA_OPERATOR_LEADER_ELECTION", "maybe")))
        .hasMessageStartingWith("SCHEMA_OPERATOR_LEADER_ELECTION='maybe' is not valid");
    assertThatThrownBy(() -> OperatorConfig.from(Map.of("SCHEMA_OPERATOR_HTTP_PORT", "http")))
        .hasMessageStartingWith("SCHEMA_OPERATOR_HTTP_PORT='http' is not valid");
  }

  @Test
  void everyOptionIsDescribed() {
    assertThat(OperatorConfig.OPTIONS)
        .allSatisfy(option -> assertThat(option.description()).isNotBlank());
  }
}
