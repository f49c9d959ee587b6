package org.loomio.operator.reconcile.dependent;

import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import org.loomio.operator.model.Labels;

/**
 * The ServiceAccounts ({@link org.loomio.operator.render.workload.ServiceAccounts}). Updates that change only what
 * the operator does not read (the token controller's {@code secrets}) do not reconcile the stack ({@link
 * IgnoreUnreadServiceAccountChanges}).
 */
@KubernetesDependent(
    informer =
        @Informer(
            labelSelector = Labels.MANAGED_SELECTOR,
            onUpdateFilter = IgnoreUnreadServiceAccountChanges.class))
public class ServiceAccountsDependent extends StackBulkDependent<ServiceAccount> {
  public ServiceAccountsDependent() {
    super(ServiceAccount.class);
  }
}
