package org.loomio.operator.reconcile.dependent;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import org.loomio.operator.model.Labels;

/** The settings ConfigMap ({@link org.loomio.operator.render.workload.SettingsConfigMap}). */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class ConfigMapsDependent extends StackBulkDependent<ConfigMap> {
  public ConfigMapsDependent() {
    super(ConfigMap.class);
  }
}
