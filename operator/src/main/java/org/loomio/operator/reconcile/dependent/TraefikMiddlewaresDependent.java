package org.loomio.operator.reconcile.dependent;

import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import org.loomio.operator.model.Labels;
import org.loomio.operator.thirdparty.TraefikMiddleware;

/**
 * Traefik Middlewares ({@link org.loomio.operator.render.edge.TraefikMiddlewares}); active only where
 * traefik.io/v1alpha1 is served ({@link ServedApi.TraefikMiddlewares}).
 */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class TraefikMiddlewaresDependent extends StackBulkDependent<TraefikMiddleware> {
  public TraefikMiddlewaresDependent() {
    super(TraefikMiddleware.class);
  }
}
