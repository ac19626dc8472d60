package io.jobgtm.schema.operator;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.jobgtm.schema.api.SchemaVersion;

/** SchemaVersions and result documents for pure tests. */
final class Fixtures {

  private Fixtures() {}

  static SchemaVersion schemaVersion(String extraSpec) {
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

  static SchemaVersion schemaVersion() {
    return schemaVersion("");
  }

  static String result(String outcome, String versionAfter, String failureReason) {
    String failure =
        failureReason == null
            ? ""
            : ", \"failure\": {\"reason\": \""
                + failureReason
                + "\", \"version\": \"3\","
                + " \"message\": \"V3__x.sql failed: ERROR: boom\"}";
    return "{\"apiVersion\": \"migrator.schema.jobgtm.io/v1\", \"command\": \"migrate\","
        + " \"outcome\": \""
        + outcome
        + "\", \"databaseState\": \"Fresh\","
        + (versionAfter == null ? "" : " \"versionAfter\": \"" + versionAfter + "\",")
        + " \"appliedCount\": 2, \"applied\": [{\"version\": \"1\", \"description\": \"initial schema\","
        + " \"durationMs\": 12}, {\"version\": \"2\", \"description\": \"add is remote\", \"durationMs\": 3}],"
        + " \"pending\": [], \"durationMs\": 40, \"truncated\": false"
        + failure
        + "}";
  }
}
