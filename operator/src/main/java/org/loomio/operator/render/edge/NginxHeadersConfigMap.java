package org.loomio.operator.render.edge;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.loomio.operator.api.v1alpha1.IngressSpec;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.base.ObjectMetas;
import org.loomio.operator.render.base.RenderContext;

/**
 * The security headers for ingress-nginx's {@code custom-headers} annotation: a ConfigMap in the
 * Ingress's namespace, header name to value. HSTS is left out: ingress-nginx sends it itself on TLS hosts
 * ({@code hsts} in the controller ConfigMap, on by default with max-age=31536000 and includeSubDomains),
 * and it must not appear twice. The controller only sends names listed in its
 * {@code global-allowed-response-headers}: see docs/networking.md.
 */
public final class NginxHeadersConfigMap {

  private NginxHeadersConfigMap() {}

  public static String name(String instance) {
    return instance + "-edge-headers";
  }

  /** The headers ingress-nginx must send from the ConfigMap (all but HSTS). */
  public static Map<String, String> headers(IngressSpec ingress) {
    Map<String, String> headers = new LinkedHashMap<>(SecurityHeaders.of(ingress.getHeaders()));
    headers.remove(SecurityHeaders.HSTS);
    return headers;
  }

  public static List<ConfigMap> render(RenderContext ctx) {
    ResolvedSpec spec = ctx.spec();
    if (spec.ingress().isEmpty()
        || spec.ingressController() != IngressSpec.Controller.NGINX
        || !ctx.cluster().serves(ClusterCapabilities.INGRESS_V1)) {
      return List.of();
    }
    Map<String, String> headers = headers(spec.ingress().get());
    if (headers.isEmpty()) {
      return List.of();
    }
    return List.of(new ConfigMapBuilder()
        .withMetadata(ObjectMetas.of(ctx, name(ctx.name()), Component.EDGE))
        .withData(headers)
        .build());
  }
}
