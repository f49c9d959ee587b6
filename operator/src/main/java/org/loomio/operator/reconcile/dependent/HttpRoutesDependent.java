package org.loomio.operator.reconcile.dependent;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import org.loomio.operator.model.Labels;

/** The HTTPRoutes ({@link org.loomio.operator.render.edge.HttpRoutes}); active where the Gateway API is installed. */
@KubernetesDependent(informer = @Informer(labelSelector = Labels.MANAGED_SELECTOR))
public class HttpRoutesDependent extends StackBulkDependent<HTTPRoute> {
  public HttpRoutesDependent() {
    super(HTTPRoute.class);
  }
}
