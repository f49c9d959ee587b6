package org.loomio.operator.render.edge;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeader;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPPathMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilterBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRuleBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReferenceBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.loomio.operator.api.v1alpha1.GatewaySpec;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.base.ObjectMetas;
import org.loomio.operator.render.base.RenderContext;

/**
 * HTTPRoutes (gateway.networking.k8s.io/v1) on the user's Gateway:
 *
 * <ul>
 *   <li>{@code <name>-web}: the main host to web (ActionCable's websocket at /cable included), the
 *       internal paths to the closed Service;
 *   <li>{@code <name>-hocuspocus}: the hocuspocus host to hocuspocus;
 *   <li>{@code <name>-https-redirect}: both hosts on the Gateway's plain-HTTP listener, a 301 to HTTPS.
 * </ul>
 *
 * Security headers go through the portable ResponseHeaderModifier filter, once per rule. Core Gateway API
 * has no rate limit or body size; the Edge condition says so.
 */
public final class HttpRoutes {

  private HttpRoutes() {}

  public static List<HTTPRoute> render(RenderContext ctx) {
    ResolvedSpec spec = ctx.spec();
    if (spec.gateway().isEmpty()) {
      return List.of();
    }
    if (!ctx.cluster().serves(ClusterCapabilities.HTTPROUTE_V1)) {
      ctx.omit("gateway.networking.k8s.io/v1 HTTPRoute", "the stack has no routes on the Gateway");
      return List.of();
    }
    GatewaySpec g = spec.gateway().get();
    GatewaySpec d = new GatewaySpec();
    String name = ctx.name();
    ParentReference https =
        parent(ctx, g, g.getHttpsListener() != null ? g.getHttpsListener() : d.getHttpsListener());
    ParentReference http =
        parent(ctx, g, g.getHttpListener() != null ? g.getHttpListener() : d.getHttpListener());
    List<HTTPRouteFilter> headers = headerFilter(g);

    List<HTTPRouteRule> webRules = new ArrayList<>();
    webRules.add(rule(EdgeRoutes.INTERNAL_PATHS, EdgeRoutes.closedService(name), headers));
    webRules.add(rule(List.of("/"), EdgeRoutes.webService(name), headers));
    List<HTTPRoute> routes = new ArrayList<>();
    routes.add(route(ctx, name + "-web", https, List.of(spec.host()), webRules));
    List<String> hosts = new ArrayList<>(List.of(spec.host()));
    if (spec.hocuspocusEnabled()) {
      routes.add(route(
          ctx,
          name + "-hocuspocus",
          https,
          List.of(spec.hocuspocusHost()),
          List.of(rule(List.of("/"), EdgeRoutes.hocuspocusService(name), headers))));
      hosts.add(spec.hocuspocusHost());
    }
    HTTPRouteFilter redirect = new HTTPRouteFilterBuilder()
        .withType("RequestRedirect")
        .withNewRequestRedirect()
        .withScheme("https")
        .withStatusCode(301)
        .endRequestRedirect()
        .build();
    routes.add(route(
        ctx,
        name + "-https-redirect",
        http,
        hosts,
        List.of(new HTTPRouteRuleBuilder().withFilters(redirect).build())));
    return routes;
  }

  private static HTTPRoute route(
      RenderContext ctx,
      String name,
      ParentReference parent,
      List<String> hosts,
      List<HTTPRouteRule> rules) {
    return new HTTPRouteBuilder()
        .withMetadata(ObjectMetas.of(ctx, name, Component.EDGE))
        .withNewSpec()
        .withParentRefs(parent)
        .withHostnames(hosts)
        .withRules(rules)
        .endSpec()
        .build();
  }

  private static HTTPRouteRule rule(
      List<String> prefixes, String service, List<HTTPRouteFilter> filters) {
    List<HTTPRouteMatch> matches = new ArrayList<>();
    for (String p : prefixes) {
      HTTPRouteMatch m = new HTTPRouteMatch();
      m.setPath(new HTTPPathMatch("PathPrefix", p));
      matches.add(m);
    }
    return new HTTPRouteRuleBuilder()
        .withMatches(matches)
        .withFilters(filters)
        .addNewBackendRef()
        .withName(service)
        .withPort(80)
        .endBackendRef()
        .build();
  }

  private static List<HTTPRouteFilter> headerFilter(GatewaySpec g) {
    Map<String, String> headers = SecurityHeaders.of(g.getHeaders());
    if (headers.isEmpty()) {
      return List.of();
    }
    List<HTTPHeader> set = new ArrayList<>();
    headers.forEach((k, v) -> set.add(new HTTPHeader(k, v)));
    return List.of(new HTTPRouteFilterBuilder()
        .withType("ResponseHeaderModifier")
        .withNewResponseHeaderModifier()
        .withSet(set)
        .withRemove(Arrays.asList(SecurityHeaders.REMOVED))
        .endResponseHeaderModifier()
        .build());
  }

  private static ParentReference parent(RenderContext ctx, GatewaySpec g, String section) {
    return new ParentReferenceBuilder()
        .withGroup("gateway.networking.k8s.io")
        .withKind("Gateway")
        .withName(g.getName())
        .withNamespace(g.getNamespace() != null ? g.getNamespace() : ctx.namespace())
        .withSectionName(section)
        .build();
  }
}
