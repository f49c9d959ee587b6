package org.loomio.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.lang.reflect.Proxy;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.Stack;
import org.loomio.operator.status.Conditions;
import org.loomio.operator.testing.Fixtures;
import org.loomio.operator.testing.MockCluster;

/** The Edge condition's messages, as a user reads them in {@code kubectl describe loomio}. */
class EdgeObserverTest {

  private static MockCluster cluster;

  @BeforeAll
  static void start() {
    cluster = new MockCluster();
    cluster.namespace("loomio");
    cluster.namespace("with-tls");
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  /** A reconcile's context that sees the given owned objects and talks to the mock server. */
  @SuppressWarnings("unchecked")
  private static Context<LoomioDeployment> context(List<? extends HasMetadata> seen) {
    return (Context<LoomioDeployment>) Proxy.newProxyInstance(
        Context.class.getClassLoader(),
        new Class<?>[] {Context.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "getClient" -> cluster.client();
          case "getSecondaryResources" -> {
            Set<HasMetadata> of = new HashSet<>();
            seen.stream().filter(o -> ((Class<?>) args[0]).isInstance(o)).forEach(of::add);
            yield of;
          }
          case "getSecondaryResourcesAsStream" ->
            seen.stream().filter(o -> ((Class<?>) args[0]).isInstance(o));
          default -> throw new UnsupportedOperationException(method.getName());
        });
  }

  private static ClusterCapabilities without(String api) {
    ClusterCapabilities newest = ClusterCapabilities.newest();
    Set<String> served = new HashSet<>(newest.servedApis());
    served.remove(api);
    return new ClusterCapabilities(newest.major(), newest.minor(), served);
  }

  private static EdgeObserver.EdgeState observe(String spec, ClusterCapabilities cluster) {
    return observe("loomio", spec, cluster);
  }

  private static EdgeObserver.EdgeState observe(
      String namespace, String spec, ClusterCapabilities cluster) {
    LoomioDeployment resource = Fixtures.resource("team", spec);
    resource.getMetadata().setNamespace(namespace);
    Stack stack = Fixtures.render(resource, cluster);
    List<HasMetadata> seen = new java.util.ArrayList<>(stack.all(Ingress.class));
    seen.addAll(stack.all(HTTPRoute.class));
    return EdgeObserver.observe(
        ResolvedSpec.of(resource, ImageDefaults.BUILT_IN), stack, cluster, context(seen), null);
  }

  @Test
  void withoutCertManagerItSaysCertManagerIsNotInstalled() {
    EdgeObserver.EdgeState state = observe(
        "host: team.example.org\ningress: {className: nginx, tls: {clusterIssuer: le}}",
        without(ClusterCapabilities.CERT_MANAGER_CERTIFICATE));
    assertThat(state.status()).isEqualTo(Conditions.FALSE);
    assertThat(state.reason()).isEqualTo("CertManagerMissing");
    assertThat(state.message())
        .isEqualTo(
            "cert-manager is not installed (this cluster serves no cert-manager.io/v1"
                + " Certificate), so nothing issues the TLS Secret team-tls that spec.ingress.tls.clusterIssuer le asks for:"
                + " install cert-manager, or remove the issuer and give spec.ingress.tls.secretName a TLS Secret of your own");
    assertThat(state.message()).doesNotContain("kubectl describe certificate");
  }

  @Test
  void withCertManagerItWaitsAndGivesACommandThatWorksVerbatim() {
    EdgeObserver.EdgeState state = observe(
        "host: team.example.org\ningress: {className: nginx, tls: {issuer: ca}}",
        ClusterCapabilities.newest());
    assertThat(state.reason()).isEqualTo("CertificatePending");
    assertThat(state.message())
        .isEqualTo("waiting for cert-manager to issue the TLS Secret team-tls for"
            + " spec.ingress.tls.issuer ca (kubectl -n loomio describe certificate team-tls)");
  }

  @Test
  void gatewayMessagesNameTheRoutesInWords() {
    EdgeObserver.EdgeState state =
        observe("host: team.example.org\ngateway: {name: public}", ClusterCapabilities.newest());
    assertThat(state.reason()).isEqualTo("RoutePending");
    assertThat(state.message())
        .startsWith("HTTPRoutes team-web, team-hocuspocus and team-https-redirect await Gateway"
            + " public (no controller status yet")
        .doesNotContain("[", "]");
  }

  @Test
  void ingressMessagesNameObjectsAndHeadersInWords() {
    cluster
        .client()
        .resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
            .withNewMetadata()
            .withName("team-tls")
            .withNamespace("with-tls")
            .endMetadata()
            .withType("kubernetes.io/tls")
            .addToData("tls.crt", "Yw==")
            .addToData("tls.key", "aw==")
            .build())
        .createOr(r -> r.update());
    EdgeObserver.EdgeState state = observe(
        "with-tls",
        "host: team.example.org\ningress: {className: nginx, tls:" + " {clusterIssuer: le}}",
        ClusterCapabilities.newest());
    assertThat(state.reason()).isEqualTo("HeadersUnverified");
    assertThat(state.message())
        .startsWith("Ingresses team-web and team-websockets in place, TLS Secret team-tls present")
        .contains("must list Content-Security-Policy, ")
        .doesNotContain("[", "]");
  }
}
