package io.jobgtm.schema.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
