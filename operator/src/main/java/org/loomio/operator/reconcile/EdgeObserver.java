package org.loomio.operator.reconcile;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.loomio.operator.api.v1alpha1.IngressSpec;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.Stack;
import org.loomio.operator.render.edge.NginxHeadersConfigMap;
import org.loomio.operator.status.Conditions;
import org.loomio.operator.status.EdgeReason;

/**
 * What can be seen of the edge, for the Edge condition: are the Ingress/HTTPRoute objects in place, does
 * the TLS Secret exist, has the Gateway accepted the routes, does ingress-nginx allow the security headers.
 * Where the operator cannot see something it says Unknown rather than guess.
 */
final class EdgeObserver {

  /** The Edge condition before it gets its generation and time. */
  record EdgeState(String status, String reason, String message) {}

  static final String NGINX_ALLOWED_HEADERS = "global-allowed-response-headers";

  private EdgeObserver() {}

  /**
   * @param nginxConfigMap the one ingress-nginx controller ConfigMap ({@code namespace/name}) the operator is
   *     configured to read (the chart grants get on it by name), or null: a spec naming any other is not read, so
   *     no message ever tells a tenant whether a ConfigMap exists in another namespace
   */
  static EdgeState observe(
      ResolvedSpec spec,
      Stack stack,
      ClusterCapabilities cluster,
      Context<LoomioDeployment> context,
      String nginxConfigMap) {
    KubernetesClient client = context.getClient();
    if (spec.isolated() && (spec.ingress().isPresent() || spec.gateway().isPresent())) {
      return new EdgeState(
          Conditions.FALSE,
          EdgeReason.ISOLATED.value(),
          "the edge (Ingress or HTTPRoutes) is removed"
              + " while the stack is isolated; it comes back when spec.isolation is false");
    }
    if (spec.ingress().isPresent()) {
      return ingress(spec, stack, cluster, context, client, nginxConfigMap);
    }
    if (spec.gateway().isPresent()) {
      return gateway(spec, stack, cluster, context);
    }
    return new EdgeState(
        Conditions.UNKNOWN,
        EdgeReason.NOT_CONFIGURED.value(),
        "no spec.ingress or spec.gateway: route https://"
            + spec.host() + " to Service " + spec.name() + "-web and wss://" + spec.hocuspocusHost()
            + " to Service "
            + spec.name() + "-hocuspocus yourself (docs/networking.md)");
  }

  private static EdgeState ingress(
      ResolvedSpec spec,
      Stack stack,
      ClusterCapabilities cluster,
      Context<LoomioDeployment> context,
      KubernetesClient client,
      String nginxConfigMap) {
    List<Ingress> wanted = stack.all(Ingress.class);
    Optional<EdgeState> notYet = ingressesInPlace(wanted, stack, cluster, context)
        .or(() -> tlsSecret(spec, cluster, client));
    if (notYet.isPresent()) {
      return notYet.get();
    }
    String ready = "Ingresses "
        + Conditions.inWords(wanted.stream().map(i -> i.getMetadata().getName()).toList())
        + " in place, TLS Secret " + spec.tlsSecretName() + " present";
    if (spec.ingressController() != IngressSpec.Controller.NGINX) {
      return new EdgeState(Conditions.TRUE, EdgeReason.EDGE_READY.value(), ready);
    }
    return securityHeaders(spec.ingress().get(), ready, client, nginxConfigMap);
  }

  /** The stack's Ingresses, where the cluster serves the API, as the informer sees them; empty when all are. */
  private static Optional<EdgeState> ingressesInPlace(
      List<Ingress> wanted,
      Stack stack,
      ClusterCapabilities cluster,
      Context<LoomioDeployment> context) {
    if (wanted.isEmpty() || !missingApis(stack).isEmpty()) {
      return Optional.of(new EdgeState(
          Conditions.FALSE,
          EdgeReason.API_MISSING.value(),
          "the cluster lacks " + Conditions.inWords(missingApis(stack))));
    }
    Set<String> seen = cluster.serves(ClusterCapabilities.INGRESS_V1)
        ? context
            .getSecondaryResourcesAsStream(Ingress.class)
            .map(i -> i.getMetadata().getName())
            .collect(Collectors.toSet())
        : Set.of();
    List<String> absent = wanted.stream()
        .map(i -> i.getMetadata().getName())
        .filter(n -> !seen.contains(n))
        .toList();
    if (!absent.isEmpty()) {
      return Optional.of(new EdgeState(
          Conditions.FALSE,
          EdgeReason.EDGE_OBJECTS_MISSING.value(),
          (absent.size() == 1 ? "Ingress " : "Ingresses ") + Conditions.inWords(absent)
              + (absent.size() == 1 ? " is" : " are") + " not in place yet"));
    }
    return Optional.empty();
  }

  /** The TLS Secret the Ingresses name, or what issues it; empty when it exists. */
  private static Optional<EdgeState> tlsSecret(
      ResolvedSpec spec, ClusterCapabilities cluster, KubernetesClient client) {
    IngressSpec ingress = spec.ingress().get();
    String secret = spec.tlsSecretName();
    if (client.secrets().inNamespace(spec.namespace()).withName(secret).get() == null) {
      String issuer = ingress.getTls() == null
          ? null
          : ingress.getTls().getClusterIssuer() != null
              ? "spec.ingress.tls.clusterIssuer " + ingress.getTls().getClusterIssuer()
              : ingress.getTls().getIssuer() != null
                  ? "spec.ingress.tls.issuer " + ingress.getTls().getIssuer()
                  : null;
      if (issuer == null) {
        return Optional.of(new EdgeState(
            Conditions.FALSE,
            EdgeReason.TLS_SECRET_MISSING.value(),
            "the TLS Secret " + secret + " does not exist:" + " HTTPS on " + spec.host()
                + " has no certificate"));
      }
      if (!cluster.serves(ClusterCapabilities.CERT_MANAGER_CERTIFICATE)) {
        return Optional.of(new EdgeState(
            Conditions.FALSE,
            EdgeReason.CERT_MANAGER_MISSING.value(),
            "cert-manager is not installed (this cluster"
                + " serves no cert-manager.io/v1 Certificate), so nothing issues the TLS Secret "
                + secret + " that "
                + issuer
                + " asks for: install cert-manager, or remove the issuer and give spec.ingress.tls.secretName"
                + " a TLS Secret of your own"));
      }
      return Optional.of(new EdgeState(
          Conditions.FALSE,
          EdgeReason.CERTIFICATE_PENDING.value(),
          "waiting for cert-manager to issue the TLS Secret " + secret + " for " + issuer
              + " (kubectl -n " + spec.namespace() + " describe certificate " + secret + ")"));
    }
    return Optional.empty();
  }

  /**
   * Whether ingress-nginx sends the Ingress's security headers: its allowed-headers list in the ConfigMap the
   * installation names (never another, so no message tells a tenant what another namespace holds).
   */
  private static EdgeState securityHeaders(
      IngressSpec ingress, String ready, KubernetesClient client, String nginxConfigMap) {
    List<String> headers =
        new ArrayList<>(NginxHeadersConfigMap.headers(ingress).keySet());
    if (headers.isEmpty()) {
      return new EdgeState(
          Conditions.TRUE,
          EdgeReason.EDGE_READY.value(),
          ready + "; security headers are switched off");
    }
    String cm = ingress.getNginxControllerConfigMap();
    if (cm == null || !cm.contains("/")) {
      return new EdgeState(
          Conditions.UNKNOWN,
          EdgeReason.HEADERS_UNVERIFIED.value(),
          ready + "; cannot tell whether ingress-nginx sends the"
              + " security headers: its " + NGINX_ALLOWED_HEADERS + " must list "
              + Conditions.inWords(headers)
              + " (set spec.ingress.nginxControllerConfigMap to have it checked)");
    }
    if (!cm.equals(nginxConfigMap)) {
      return new EdgeState(
          Conditions.UNKNOWN,
          EdgeReason.HEADERS_UNVERIFIED.value(),
          ready + "; cannot tell whether ingress-nginx sends the"
              + " security headers: the operator reads only the ingress-nginx ConfigMap its installation names (chart value"
              + " tenancy.nginxControllerConfigMap"
              + (nginxConfigMap == null ? ", not set" : ": " + nginxConfigMap) + "), and "
              + cm + " is not it; its " + NGINX_ALLOWED_HEADERS + " must list "
              + Conditions.inWords(headers));
    }
    ConfigMap controller;
    try {
      controller = client
          .configMaps()
          .inNamespace(cm.substring(0, cm.indexOf('/')))
          .withName(cm.substring(cm.indexOf('/') + 1))
          .get();
    } catch (KubernetesClientException e) {
      return new EdgeState(
          Conditions.UNKNOWN,
          EdgeReason.HEADERS_UNVERIFIED.value(),
          ready + "; cannot read " + cm + ": " + e.getCode());
    }
    return headersAllowed(controller, cm, headers, ready);
  }

  /** The headers the controller's ConfigMap allows, against those the Ingress sends. */
  private static EdgeState headersAllowed(
      ConfigMap controller, String cm, List<String> headers, String ready) {
    if (controller == null) {
      return new EdgeState(
          Conditions.FALSE,
          EdgeReason.HEADERS_NOT_ALLOWED.value(),
          "the ingress-nginx ConfigMap " + cm + " does not exist");
    }
    String allowed = controller.getData() == null
        ? ""
        : controller.getData().getOrDefault(NGINX_ALLOWED_HEADERS, "");
    Set<String> allowedNames = Arrays.stream(allowed.split(","))
        .map(String::trim)
        .map(h -> h.toLowerCase(Locale.ROOT))
        .collect(Collectors.toSet());
    List<String> refused = headers.stream()
        .filter(h -> !allowedNames.contains(h.toLowerCase(Locale.ROOT)))
        .toList();
    if (!refused.isEmpty()) {
      return new EdgeState(
          Conditions.FALSE,
          EdgeReason.HEADERS_NOT_ALLOWED.value(),
          "ingress-nginx (" + cm + ") does not allow " + Conditions.inWords(refused) + " in "
              + NGINX_ALLOWED_HEADERS
              + ": it refuses the Ingress's custom headers (docs/networking.md)");
    }
    return new EdgeState(
        Conditions.TRUE,
        EdgeReason.EDGE_READY.value(),
        ready + "; ingress-nginx allows the security headers");
  }

  private static EdgeState gateway(
      ResolvedSpec spec,
      Stack stack,
      ClusterCapabilities cluster,
      Context<LoomioDeployment> context) {
    List<HTTPRoute> wanted = stack.all(HTTPRoute.class);
    if (wanted.isEmpty()) {
      return new EdgeState(
          Conditions.FALSE,
          EdgeReason.API_MISSING.value(),
          "the cluster lacks " + Conditions.inWords(missingApis(stack)));
    }
    List<HTTPRoute> seen = cluster.serves(ClusterCapabilities.HTTPROUTE_V1)
        ? new ArrayList<>(context.getSecondaryResources(HTTPRoute.class))
        : List.of();
    String gateway = spec.gateway().get().getName();
    List<String> pending = new ArrayList<>();
    for (HTTPRoute want : wanted) {
      HTTPRoute got = seen.stream()
          .filter(r -> r.getMetadata().getName().equals(want.getMetadata().getName()))
          .findFirst()
          .orElse(null);
      if (got == null) {
        return new EdgeState(
            Conditions.FALSE,
            EdgeReason.EDGE_OBJECTS_MISSING.value(),
            "HTTPRoute " + want.getMetadata().getName() + " not in place yet");
      }
      var accepted = got.getStatus() == null || got.getStatus().getParents() == null
          ? null
          : got.getStatus().getParents().stream()
              .flatMap(p -> p.getConditions().stream())
              .filter(c -> "Accepted".equals(c.getType()))
              .findFirst()
              .orElse(null);
      if (accepted == null) {
        pending.add(want.getMetadata().getName());
      } else if (!"True".equals(accepted.getStatus())) {
        return new EdgeState(
            Conditions.FALSE,
            EdgeReason.ROUTE_NOT_ACCEPTED.value(),
            "Gateway " + gateway + " did not accept HTTPRoute "
                + want.getMetadata().getName() + ": " + accepted.getReason() + " "
                + accepted.getMessage());
      }
    }
    String limits =
        "; core Gateway API has no rate limit or request body limit: set them with your Gateway"
            + " implementation's policy resources";
    if (!pending.isEmpty()) {
      return new EdgeState(
          Conditions.UNKNOWN,
          EdgeReason.ROUTE_PENDING.value(),
          (pending.size() == 1 ? "HTTPRoute " : "HTTPRoutes ")
              + Conditions.inWords(pending) + (pending.size() == 1 ? " awaits" : " await")
              + " Gateway " + gateway
              + " (no controller status yet; TLS is the Gateway listener's)" + limits);
    }
    return new EdgeState(
        Conditions.TRUE,
        EdgeReason.EDGE_READY.value(),
        "Gateway " + gateway + " accepted the HTTPRoutes (TLS is the" + " Gateway listener's)"
            + limits);
  }

  private static List<String> missingApis(Stack stack) {
    return stack.omissions().stream()
        .filter(o -> o.api().contains("Ingress")
            || o.api().contains("HTTPRoute")
            || o.api().contains("traefik"))
        .map(o -> o.api())
        .toList();
  }
}
