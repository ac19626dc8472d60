package io.jobgtm.schema.operator.decide;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobgtm.schema.api.Conditions;
import io.jobgtm.schema.api.Reasons;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.operator.Fixtures;
import io.jobgtm.schema.operator.observe.MigrationSource;
import io.jobgtm.schema.operator.observe.Observed;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Two SchemaVersions of one namespace on one schema: the oldest works, the others wait. */
class ConflictsTest {

  private static final String IMAGE = "registry.test/schema-operator:1.0";
  private static final Instant NOW = Instant.parse("2026-01-01T10:00:00Z");

  private static SchemaVersion resource(String name, String uid, String created, String host) {
    SchemaVersion resource = Fixtures.schemaVersion();
    resource.getMetadata().setName(name);
    resource.getMetadata().setUid(uid);
    resource.getMetadata().setCreationTimestamp(created);
    resource.getSpec().getDatabase().setHost(host);
    return resource;
  }

  private static Decision decide(SchemaVersion resource, SchemaVersion... neighbours) {
    return Decide.decide(
        resource,
        new Observed(
            new MigrationSource.Bundled(),
            IMAGE,
            List.of(),
            List.of(),
            List.of(),
            List.of(neighbours)),
        RetryPolicy.DEFAULT,
        NOW);
  }

  @Test
  void theNewerOneIsStalledNamingTheOlderAndRunsNoJob() {
    SchemaVersion older = resource("orders", "uid-1", "2026-01-01T09:00:00Z", "postgres.apps.svc");
    SchemaVersion newer =
        resource("orders-copy", "uid-2", "2026-01-01T09:30:00Z", "Postgres.Apps.Svc.");

    Decision stalled = decide(newer, older);
    Decision working = decide(older, newer);

    assertThat(stalled.createJob()).isNull();
    assertThat(Conditions.find(stalled.status().getConditions(), Conditions.STALLED).orElseThrow())
        .satisfies(
            c -> {
              assertThat(c.getStatus()).isEqualTo("True");
              assertThat(c.getReason()).isEqualTo(Reasons.CONFLICTING_SCHEMA_VERSION);
              assertThat(c.getMessage()).contains("SchemaVersion orders (older)");
            });
    assertThat(stalled.requeueAfter()).isEqualTo(Decide.CONFLICT_RECHECK);
    assertThat(working.createJob()).isNotNull();
  }

  @Test
  void anotherSchemaPortOrDatabaseIsNoConflict() {
    SchemaVersion older = resource("orders", "uid-1", "2026-01-01T09:00:00Z", "postgres.apps.svc");
    SchemaVersion otherSchema =
        resource("billing", "uid-2", "2026-01-01T09:30:00Z", "postgres.apps.svc");
    otherSchema.getSpec().getDatabase().setSchema("billing");
    SchemaVersion otherPort =
        resource("replica", "uid-3", "2026-01-01T09:30:00Z", "postgres.apps.svc");
    otherPort.getSpec().getDatabase().setPort(5433);

    assertThat(decide(otherSchema, older).createJob()).isNotNull();
    assertThat(decide(otherPort, older).createJob()).isNotNull();
  }

  @Test
  void anOlderOneBeingDeletedNoLongerHoldsTheSchema() {
    SchemaVersion older = resource("orders", "uid-1", "2026-01-01T09:00:00Z", "postgres.apps.svc");
    older.getMetadata().setDeletionTimestamp("2026-01-01T09:59:00Z");
    SchemaVersion newer =
        resource("orders-copy", "uid-2", "2026-01-01T09:30:00Z", "postgres.apps.svc");

    assertThat(decide(newer, older).createJob()).isNotNull();
  }
}
