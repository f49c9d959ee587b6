package org.loomio.operator.thirdparty;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.Map;

/**
 * Traefik's Middleware (traefik.io/v1alpha1), as a typed resource with a free-form spec. Typed, so the
 * client knows its plural without asking the server: clusters without Traefik's CRDs (where the dependent is
 * not activated) must not be asked. Not ours: the CRD generator leaves this package out.
 */
@Group("traefik.io")
@Version("v1alpha1")
@Kind("Middleware")
@Plural("middlewares")
public class TraefikMiddleware extends CustomResource<Map<String, Object>, Void>
    implements Namespaced {

  @Override
  protected Map<String, Object> initSpec() {
    return null;
  }

  @Override
  protected Void initStatus() {
    return null;
  }
}
