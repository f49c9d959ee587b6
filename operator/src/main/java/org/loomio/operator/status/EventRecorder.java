package org.loomio.operator.status;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Events on a LoomioDeployment (or a LoomioBackup or LoomioRestore) ({@code kubectl describe} and {@code kubectl get events} show
 * them). Messages name fields, objects and keys, never values. Events are written on transitions only,
 * so a converged stack makes no writes. A failure to write an event never fails a reconcile.
 */
public final class EventRecorder {

  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  public static final String COMPONENT = "loomio-operator";

  private final KubernetesClient client;
  private final SecureRandom random = new SecureRandom();

  public EventRecorder(KubernetesClient client) {
    this.client = client;
  }

  public void normal(HasMetadata resource, String reason, String message) {
    record(resource, "Normal", reason, message);
  }

  public void warning(HasMetadata resource, String reason, String message) {
    record(resource, "Warning", reason, message);
  }

  private void record(HasMetadata resource, String type, String reason, String message) {
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    byte[] suffix = new byte[8];
    random.nextBytes(suffix);
    Event event = new EventBuilder()
        .withNewMetadata()
        .withName(resource.getMetadata().getName() + "." + HexFormat.of().formatHex(suffix))
        .withNamespace(resource.getMetadata().getNamespace())
        .endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder()
            .withApiVersion(
                resource.getApiVersion() != null
                    ? resource.getApiVersion()
                    : LoomioDeployment.API_VERSION)
            .withKind(
                resource.getKind() != null
                    ? resource.getKind()
                    : HasMetadata.getKind(resource.getClass()))
            .withName(resource.getMetadata().getName())
            .withNamespace(resource.getMetadata().getNamespace())
            .withUid(resource.getMetadata().getUid())
            .withResourceVersion(resource.getMetadata().getResourceVersion())
            .build())
        .withType(type)
        .withReason(reason)
        .withMessage(Conditions.truncate(message))
        .withFirstTimestamp(now)
        .withLastTimestamp(now)
        .withCount(1)
        .withNewSource()
        .withComponent(COMPONENT)
        .endSource()
        .withReportingComponent(COMPONENT)
        .build();
    try {
      client
          .v1()
          .events()
          .inNamespace(resource.getMetadata().getNamespace())
          .resource(event)
          .create();
    } catch (RuntimeException e) {
      LOG.warn(
          "could not record event {} on {}/{}: {}",
          reason,
          resource.getMetadata().getNamespace(),
          resource.getMetadata().getName(),
          e.getMessage());
    }
  }
}
