package io.jobgtm.schema.operator.act;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.jobgtm.schema.api.SchemaVersion;
import io.jobgtm.schema.operator.decide.Decision;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records Kubernetes Events on a SchemaVersion. Each event has a name derived from what it reports
 * (resource, Job, reason), so a reconciliation repeated before its status write lands records it
 * once, not twice.
 */
public final class EventRecorder {

  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  private static final int MAX_MESSAGE = 1024;

  private final KubernetesClient client;
  private final Clock clock;

  public EventRecorder(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  /** Records an Event once per resource, subject (a Job, a pod) and reason. */
  public void record(SchemaVersion resource, Decision.Event decided) {
    String type = decided.type();
    String reason = decided.reason();
    String message = decided.message();
    String name =
        (resource.getMetadata().getName()
                + "."
                + decided.subject()
                + "."
                + reason.toLowerCase(Locale.ROOT))
            .replaceAll("[^a-z0-9.-]", "-");
    if (name.length() > 253) {
      name = name.substring(0, 253);
    }
    String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    Event event =
        new EventBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(resource.getMetadata().getNamespace())
            .endMetadata()
            .withNewInvolvedObject()
            .withApiVersion(resource.getApiVersion())
            .withKind(resource.getKind())
            .withName(resource.getMetadata().getName())
            .withNamespace(resource.getMetadata().getNamespace())
            .withUid(resource.getMetadata().getUid())
            .endInvolvedObject()
            .withType(type)
            .withReason(reason)
            .withMessage(
                message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE) : message)
            .withFirstTimestamp(now)
            .withLastTimestamp(now)
            .withCount(1)
            .withNewSource()
            .withComponent(Labels.OPERATOR_NAME)
            .endSource()
            .withReportingComponent(Labels.OPERATOR_NAME)
            .build();
    try {
      client
          .v1()
          .events()
          .inNamespace(resource.getMetadata().getNamespace())
          .resource(event)
          .create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        // An event is a courtesy: failing to record one must not fail the reconciliation.
        LOG.warn(
            "cannot record event {} on {}: {}",
            reason,
            resource.getMetadata().getName(),
            e.getMessage());
      }
    }
  }
}
