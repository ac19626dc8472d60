package io.jobgtm.schema.operator;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.contract.AppliedMigration;
import io.jobgtm.schema.contract.DatabaseState;
import io.jobgtm.schema.contract.Failure;
import io.jobgtm.schema.contract.FailureReason;
import io.jobgtm.schema.contract.MigrationResult;
import io.jobgtm.schema.contract.Outcome;
import java.util.List;

/** SchemaVersions and migrator results for pure tests. */
public final class Fixtures {

  private Fixtures() {}

  public static SchemaVersion schemaVersion(String extraSpec) {
    SchemaVersion resource =
        Serialization.unmarshal(
            """
            apiVersion: schema.jobgtm.io/v1alpha1
            kind: SchemaVersion
            metadata:
              name: workflow
              namespace: apps
              uid: 0b1c2d3e-0000-4000-8000-000000000001
              generation: 1
            spec:
              database:
                host: postgres.apps.svc
                name: jobgtm
                credentialsSecretRef:
                  name: workflow-db
            """
                + extraSpec.indent(2),
            SchemaVersion.class);
    return resource;
  }

  public static SchemaVersion schemaVersion() {
    return schemaVersion("");
  }

  /**
   * A migrator result as the contract's record: the outcome, the version after, and when {@code
   * failureReason} is set a failure of version 3. Two migrations applied, nothing pending.
   */
  public static MigrationResult result(String outcome, String versionAfter, String failureReason) {
    return new MigrationResult(
        MigrationResult.API_VERSION,
        "migrate",
        Outcome.valueOf(outcome),
        DatabaseState.Fresh,
        null,
        versionAfter,
        "latest",
        null,
        List.of(
            new AppliedMigration("1", "initial schema", 12),
            new AppliedMigration("2", "add is remote", 3)),
        2,
        List.of(),
        List.of(),
        0,
        List.of(),
        List.of(),
        null,
        failureReason == null
            ? null
            : new Failure(
                FailureReason.valueOf(failureReason), "3", "V3__x.sql failed: ERROR: boom"),
        40,
        false);
  }
}
