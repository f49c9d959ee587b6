package org.loomio.operator.reconcile.dependent;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Set;
import org.loomio.operator.model.Labels;

/** Maps an object without owner reference to its LoomioDeployment by the instance label and namespace. */
public final class InstanceLabel {

  private InstanceLabel() {}

  public static Set<ResourceID> toPrimary(HasMetadata object) {
    var labels = object.getMetadata().getLabels();
    String instance = labels == null ? null : labels.get(Labels.INSTANCE);
    return instance == null
        ? Set.of()
        : Set.of(new ResourceID(instance, object.getMetadata().getNamespace()));
  }
}
