package org.loomio.operator.reconcile.dependent;

import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import org.loomio.operator.model.Labels;

/** The ServiceAccounts ({@link org.loomio.operator.render.workload.ServiceAccounts}). */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class ServiceAccountsDependent extends StackBulkDependent<ServiceAccount> {
  public ServiceAccountsDependent() {
    super(ServiceAccount.class);
  }
}
