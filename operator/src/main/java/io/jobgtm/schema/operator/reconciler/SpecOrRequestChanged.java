package io.jobgtm.schema.operator.reconciler;

import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import io.jobgtm.schema.api.SchemaVersion;
import java.util.Map;
import java.util.Objects;

/**
 * Which updates of a SchemaVersion start a reconciliation: a new generation (the spec changed), a
 * new value of the {@value SchemaVersion#RETRY_ANNOTATION} or {@value
 * SchemaVersion#VERIFY_ANNOTATION} annotation, a deletion, or a changed finalizer. The operator's
 * own status writes do not, so an unchanged resource is never written.
 *
 * <p>JOSDK's generation-aware processing would drop annotation changes (they keep the generation),
 * and a filter of our own cannot pass what it drops, so the controller turns it off and this filter
 * does its work, plus the annotations.
 */
public final class SpecOrRequestChanged implements OnUpdateFilter<SchemaVersion> {

  @Override
  public boolean accept(SchemaVersion updated, SchemaVersion old) {
    return !Objects.equals(updated.getMetadata().getGeneration(), old.getMetadata().getGeneration())
        || !Objects.equals(
            annotation(updated, SchemaVersion.RETRY_ANNOTATION),
            annotation(old, SchemaVersion.RETRY_ANNOTATION))
        || !Objects.equals(
            annotation(updated, SchemaVersion.VERIFY_ANNOTATION),
            annotation(old, SchemaVersion.VERIFY_ANNOTATION))
        || (updated.isMarkedForDeletion() && !old.isMarkedForDeletion())
        || !Objects.equals(
            updated.getMetadata().getFinalizers(), old.getMetadata().getFinalizers());
  }

  private static String annotation(SchemaVersion resource, String name) {
    Map<String, String> annotations = resource.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(name);
  }
}
