package io.jobgtm.schema.operator.decide;

import io.jobgtm.schema.api.DatabaseSpec;
import io.jobgtm.schema.api.SchemaVersion;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Two SchemaVersions of one namespace that migrate the same schema: equal database host (ignoring
 * case and a trailing dot), port, database name and schema. The oldest (by creation time, then
 * name) keeps working; the others are Stalled naming it. Host equality misses aliases (a Service
 * name, its FQDN, an IP address); the migrator's recorded owner catches those, and resources in
 * other namespaces, when the second one runs (see {@code SchemaOwner}).
 */
final class Conflicts {

  private Conflicts() {}

  /** The oldest other resource of the namespace on the same schema, when it is older. */
  static Optional<SchemaVersion> olderOnTheSameSchema(
      SchemaVersion resource, List<SchemaVersion> neighbours) {
    String key = key(resource);
    return neighbours.stream()
        .filter(
            other -> !Objects.equals(other.getMetadata().getUid(), resource.getMetadata().getUid()))
        .filter(other -> other.getMetadata().getDeletionTimestamp() == null)
        .filter(other -> key.equals(key(other)))
        .min(Conflicts.OLDEST_FIRST)
        .filter(oldest -> OLDEST_FIRST.compare(oldest, resource) < 0);
  }

  private static final Comparator<SchemaVersion> OLDEST_FIRST =
      Comparator.comparing(
              (SchemaVersion resource) ->
                  String.valueOf(resource.getMetadata().getCreationTimestamp()))
          .thenComparing(resource -> resource.getMetadata().getName());

  private static String key(SchemaVersion resource) {
    DatabaseSpec database = resource.getSpec() == null ? null : resource.getSpec().getDatabase();
    if (database == null) {
      return "";
    }
    String host = database.getHost() == null ? "" : database.getHost().toLowerCase(Locale.ROOT);
    while (host.endsWith(".")) {
      host = host.substring(0, host.length() - 1);
    }
    return host + ":" + database.getPort() + "/" + database.getName() + "/" + database.getSchema();
  }
}
