package org.loomio.operator.render.edge;

import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPathBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLS;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.loomio.operator.api.v1alpha1.IngressSpec;
import org.loomio.operator.api.v1alpha1.RateLimitSpec;
import org.loomio.operator.api.v1alpha1.TlsSpec;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.base.ObjectMetas;
import org.loomio.operator.render.base.RenderContext;

/**
 * The Ingresses (networking.k8s.io/v1), TLS only:
 *
 * <ul>
 *   <li>{@code <name>-web}: the main host to web, and the internal paths to the closed Service;
 *   <li>{@code <name>-websockets}: {@code /cable} on the main host and all of the hocuspocus host, with
 *       websocket timeouts.
 * </ul>
 *
 * Headers, limits, timeouts and the HTTPS redirect are the controller's: annotations for ingress-nginx
 * (the custom-headers ConfigMap, never a snippet) or Traefik Middlewares. Only the web Ingress carries the
 * cert-manager annotation, so cert-manager issues one certificate for both hosts into one Secret.
 */
public final class Ingresses {

  static final String NGINX = "nginx.ingress.kubernetes.io/";
  static final String TRAEFIK = "traefik.ingress.kubernetes.io/";

  private Ingresses() {}

  public static List<Ingress> render(RenderContext ctx) {
    ResolvedSpec spec = ctx.spec();
    if (spec.ingress().isEmpty()) {
      return List.of();
    }
    if (!ctx.cluster().serves(ClusterCapabilities.INGRESS_V1)) {
      ctx.omit("networking.k8s.io/v1 Ingress", "the stack has no Ingress");
      return List.of();
    }
    IngressSpec ingress = spec.ingress().get();
    String name = ctx.name();
    String web = EdgeRoutes.webService(name);

    List<HTTPIngressPath> webPaths = new ArrayList<>();
    webPaths.add(path("/", web, 80));
    for (String internal : EdgeRoutes.INTERNAL_PATHS) {
      webPaths.add(path(internal, EdgeRoutes.closedService(name), 80));
    }
    List<IngressRule> webRules = List.of(rule(spec.host(), webPaths));
    List<IngressRule> socketRules = new ArrayList<>();
    socketRules.add(rule(spec.host(), List.of(path(EdgeRoutes.CABLE, web, 80))));
    if (spec.hocuspocusEnabled()) {
      socketRules.add(
          rule(spec.hocuspocusHost(), List.of(path("/", EdgeRoutes.hocuspocusService(name), 80))));
    }

    Map<String, String> webAnnotations = annotations(ctx, ingress, false);
    TlsSpec tls = ingress.getTls() == null ? new TlsSpec() : ingress.getTls();
    if (tls.getClusterIssuer() != null) {
      webAnnotations.put("cert-manager.io/cluster-issuer", tls.getClusterIssuer());
    } else if (tls.getIssuer() != null) {
      webAnnotations.put("cert-manager.io/issuer", tls.getIssuer());
    }
    return List.of(
        ingress(ctx, name + "-web", ingress, webAnnotations, webRules),
        ingress(ctx, name + "-websockets", ingress, annotations(ctx, ingress, true), socketRules));
  }

  private static Ingress ingress(
      RenderContext ctx,
      String objectName,
      IngressSpec spec,
      Map<String, String> annotations,
      List<IngressRule> rules) {
    ResolvedSpec s = ctx.spec();
    List<String> hosts = new ArrayList<>(List.of(s.host()));
    if (s.hocuspocusEnabled()) {
      hosts.add(s.hocuspocusHost());
    }
    Ingress ingress = new IngressBuilder()
        .withMetadata(ObjectMetas.of(ctx, objectName, Component.EDGE))
        .withNewSpec()
        .withIngressClassName(spec.getClassName())
        .withTls(new IngressTLS(hosts, s.tlsSecretName()))
        .withRules(rules)
        .endSpec()
        .build();
    ingress.getMetadata().setAnnotations(annotations);
    return ingress;
  }

  /** The controller's annotations: the user's first, then ours (which win). */
  private static Map<String, String> annotations(
      RenderContext ctx, IngressSpec spec, boolean websockets) {
    Map<String, String> a =
        new LinkedHashMap<>(spec.getAnnotations() == null ? Map.of() : spec.getAnnotations());
    RateLimitSpec rate = spec.getRateLimit() == null ? new RateLimitSpec() : spec.getRateLimit();
    boolean limited = !Boolean.FALSE.equals(rate.getEnabled());
    RateLimitSpec d = new RateLimitSpec();
    int rps = rate.getRequestsPerSecond() != null
        ? rate.getRequestsPerSecond()
        : d.getRequestsPerSecond();
    int burst = rate.getBurst() != null ? rate.getBurst() : d.getBurst();
    int connections = rate.getConnections() != null ? rate.getConnections() : d.getConnections();
    if (ctx.spec().ingressController() == IngressSpec.Controller.TRAEFIK) {
      a.put(TRAEFIK + "router.entrypoints", "web,websecure");
      a.put(TRAEFIK + "router.tls", "true");
      List<String> chain = TraefikMiddlewares.chain(ctx, websockets);
      if (!chain.isEmpty()) {
        a.put(TRAEFIK + "router.middlewares", String.join(",", chain));
      }
      return a;
    }
    a.put(NGINX + "ssl-redirect", "true");
    a.put(NGINX + "force-ssl-redirect", "true");
    a.put(NGINX + "proxy-body-size", EdgeRoutes.bodyLimitMB(ctx.spec()) + "m");
    if (!NginxHeadersConfigMap.headers(spec).isEmpty()) {
      a.put(
          NGINX + "custom-headers", ctx.namespace() + "/" + NginxHeadersConfigMap.name(ctx.name()));
    }
    if (limited) {
      a.put(NGINX + "limit-rps", Integer.toString(rps));
      a.put(NGINX + "limit-burst-multiplier", Integer.toString(Math.max(1, burst / rps)));
      a.put(NGINX + "limit-connections", Integer.toString(connections));
    }
    if (websockets) {
      a.put(NGINX + "proxy-read-timeout", Integer.toString(EdgeRoutes.WEBSOCKET_TIMEOUT_SECONDS));
      a.put(NGINX + "proxy-send-timeout", Integer.toString(EdgeRoutes.WEBSOCKET_TIMEOUT_SECONDS));
    }
    return a;
  }

  private static IngressRule rule(String host, List<HTTPIngressPath> paths) {
    return new IngressRuleBuilder()
        .withHost(host)
        .withNewHttp()
        .withPaths(paths)
        .endHttp()
        .build();
  }

  private static HTTPIngressPath path(String path, String service, int port) {
    return new HTTPIngressPathBuilder()
        .withPath(path)
        .withPathType("Prefix")
        .withNewBackend()
        .withNewService()
        .withName(service)
        .withNewPort()
        .withNumber(port)
        .endPort()
        .endService()
        .endBackend()
        .build();
  }
}
