package io.jobgtm.schema.operator.reconciler;

import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import io.jobgtm.schema.api.SchemaVersion;
import java.util.Map;
import java.util.Objects;

/**
 * Which updates of a SchemaVersion start a reconciliation: a new generation (the spec changed), a
 * new value of the {@value SchemaVersion#RETRY_ANNOTATION} annotation, a deletion, or a changed
 * finalizer. The operator's own status writes do not, so an unchanged resource is never written.
 *
 * <p>JOSDK's generation-aware processing would drop annotation changes (they keep the generation),
 * and a filter of our own cannot pass what it drops, so the controller turns it off and this filter
 * does its work, plus the annotation.
 */
public final class SpecOrRetryRequestChanged implements OnUpdateFilter<SchemaVersion> {

  @Override
  public boolean accept(SchemaVersion updated, SchemaVersion old) {
    return !Objects.equals(updated.getMetadata().getGeneration(), old.getMetadata().getGeneration())
        || !Objects.equals(retryRequest(updated), retryRequest(old))
        || (updated.isMarkedForDeletion() && !old.isMarkedForDeletion())
        || !Objects.equals(
            updated.getMetadata().getFinalizers(), old.getMetadata().getFinalizers());
  }

  private static String retryRequest(SchemaVersion resource) {
    Map<String, String> annotations = resource.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(SchemaVersion.RETRY_ANNOTATION);
  }
}
