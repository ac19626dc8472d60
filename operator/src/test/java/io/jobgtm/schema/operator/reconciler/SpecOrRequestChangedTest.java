package io.jobgtm.schema.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.api.SchemaVersionStatus;
import io.jobgtm.schema.operator.Fixtures;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpecOrRequestChangedTest {

  private final SpecOrRequestChanged filter = new SpecOrRequestChanged();
  private final SchemaVersion old = Fixtures.schemaVersion();

  private SchemaVersion copy() {
    return Serialization.clone(old);
  }

  @Test
  void aStatusWriteOrAnotherAnnotationStartsNoReconciliation() {
    SchemaVersion statusWritten = copy();
    statusWritten.setStatus(new SchemaVersionStatus());
    statusWritten.getMetadata().setResourceVersion("2");
    SchemaVersion annotated = copy();
    annotated.getMetadata().setAnnotations(new HashMap<>());
    annotated.getMetadata().getAnnotations().put("argocd.argoproj.io/sync-wave", "1");

    assertThat(filter.accept(statusWritten, old)).isFalse();
    assertThat(filter.accept(annotated, old)).isFalse();
  }

  @Test
  void aNewGenerationARetryOrVerifyRequestADeletionOrAFinalizerDo() {
    SchemaVersion newGeneration = copy();
    newGeneration.getMetadata().setGeneration(2L);
    SchemaVersion retryRequested = copy();
    retryRequested.getMetadata().setAnnotations(new HashMap<>());
    retryRequested.getMetadata().getAnnotations().put(SchemaVersion.RETRY_ANNOTATION, "1");
    SchemaVersion verifyRequested = copy();
    verifyRequested.getMetadata().setAnnotations(new HashMap<>());
    verifyRequested.getMetadata().getAnnotations().put(SchemaVersion.VERIFY_ANNOTATION, "1");
    SchemaVersion deleted = copy();
    deleted.getMetadata().setDeletionTimestamp("2026-01-01T10:00:00Z");
    SchemaVersion finalized = copy();
    finalized.getMetadata().setFinalizers(List.of("schemaversions.schema.jobgtm.io/finalizer"));

    assertThat(filter.accept(newGeneration, old)).isTrue();
    assertThat(filter.accept(retryRequested, old)).isTrue();
    assertThat(filter.accept(verifyRequested, old)).isTrue();
    assertThat(filter.accept(deleted, old)).isTrue();
    assertThat(filter.accept(finalized, old)).isTrue();
  }
}
