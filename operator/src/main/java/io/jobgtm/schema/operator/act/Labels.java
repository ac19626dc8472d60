package io.jobgtm.schema.operator.act;

import io.jobgtm.schema.api.SchemaVersion;

/** Label and annotation keys the operator writes and selects on, in one place. */
public final class Labels {

  /** On a migration Job and its pods: the SchemaVersion they migrate for. */
  public static final String SCHEMA_VERSION = SchemaVersion.GROUP + "/schemaversion";

  /** On a migration Job: the hash of everything that decides its outcome. */
  public static final String SPEC_HASH = SchemaVersion.GROUP + "/spec-hash";

  /** On a migration Job: the SchemaVersion generation it was created for. */
  public static final String GENERATION = SchemaVersion.GROUP + "/generation";

  /**
   * On a verify Job and its pods: {@value #VERIFY_KIND}. Verify Jobs carry the migration component
   * label too (the same informers, cleanup and deletion rules); this label tells them apart.
   */
  public static final String JOB_KIND = SchemaVersion.GROUP + "/job-kind";

  /** The value of {@link #JOB_KIND} on a verify Job. */
  public static final String VERIFY_KIND = "verify";

  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String COMPONENT = "app.kubernetes.io/component";
  public static final String OPERATOR_NAME = "schema-operator";
  public static final String MIGRATION_COMPONENT = "migration";

  private Labels() {}
}
