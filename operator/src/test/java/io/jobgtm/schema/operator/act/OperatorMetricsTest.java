package io.jobgtm.schema.operator.act;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OperatorMetricsTest {

  private static final String SERIES =
      "schema_operator_schema_drifted{name=\"workflow\",namespace=\"apps\"}";

  @Test
  void theDriftGaugeFollowsTheDriftedCondition() {
    OperatorMetrics metrics = new OperatorMetrics();

    metrics.drifted("apps", "workflow", null);
    assertThat(metrics.scrape()).doesNotContain("schema_operator_schema_drifted");

    metrics.drifted("apps", "workflow", "True");
    assertThat(metrics.scrape()).contains(SERIES + " 1.0");

    metrics.drifted("apps", "workflow", "False");
    assertThat(metrics.scrape()).contains(SERIES + " 0.0");

    metrics.drifted("apps", "workflow", "Unknown");
    assertThat(metrics.scrape()).doesNotContain("schema_operator_schema_drifted{");

    metrics.drifted("apps", "workflow", "True");
    metrics.removed("apps", "workflow");
    assertThat(metrics.scrape()).doesNotContain("schema_operator_schema_drifted{");
  }
}
