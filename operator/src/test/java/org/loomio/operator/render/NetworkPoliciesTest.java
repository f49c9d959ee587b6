package org.loomio.operator.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.loomio.operator.testing.Fixtures;

/**
 * The NetworkPolicies, read back the way a network plugin enforces them: from the rendered policies this
 * test derives which endpoint may reach which other on which port, over every combination, and compares it
 * with the intended matrix. An accidental opening (or closing) fails here.
 */
class NetworkPoliciesTest {

  /** A pod (namespace, labels) or an address outside the cluster. */
  record Endpoint(String name, String namespace, Map<String, String> labels, String ip) {
    boolean external() {
      return ip != null;
    }
  }


  private static Endpoint pod(String component) {
    return new Endpoint(component, "loomio", Map.of(Labels.INSTANCE, "team", Labels.COMPONENT, component), null);
  }

  private static final List<Endpoint> ENDPOINTS = List.of(
      pod("web"), pod("worker"), pod("hocuspocus"), pod("postgres"), pod("redis"), pod("migrate"),
      new Endpoint("edge", "ingress-nginx", Map.of("app.kubernetes.io/name", "ingress-nginx"), null),
      new Endpoint("dns", "kube-system", Map.of("k8s-app", "kube-dns"), null),
      new Endpoint("other-stack-web", "loomio", Map.of(Labels.INSTANCE, "other", Labels.COMPONENT, "web"), null),
      new Endpoint("unrelated-pod", "loomio", Map.of("app", "something"), null),
      new Endpoint("pod-elsewhere", "elsewhere", Map.of("app", "x"), null),
      new Endpoint("public-ip", null, Map.of(), "203.0.113.10"),
      new Endpoint("private-ip", null, Map.of(), "10.0.0.5"),
      new Endpoint("cloud-metadata", null, Map.of(), "169.254.169.254"));

  private static final List<String> PORTS = List.of("TCP/80", "TCP/8080", "TCP/3000", "TCP/5432", "TCP/6379",
      "UDP/53", "TCP/53", "TCP/587", "TCP/443", "TCP/9000");

  private static Set<String> matrix(String spec) {
    var r = Fixtures.resource("team", spec);
    List<NetworkPolicy> policies = NetworkPolicies.render(
        new RenderContext(r, ClusterCapabilities.newest(), Fixtures.credentials(r), SecretDigests.none()));
    Set<String> allowed = new TreeSet<>();
    for (Endpoint src : ENDPOINTS) {
      for (Endpoint dst : ENDPOINTS) {
        if (src == dst || src.external() || !inStack(src) && !inStack(dst)) {
          continue;
        }
        for (String port : PORTS) {
          if (egressAllowed(policies, src, dst, port) && ingressAllowed(policies, src, dst, port)) {
            allowed.add(src.name() + " -> " + dst.name() + " " + port);
          }
        }
      }
    }
    return allowed;
  }

  private static boolean inStack(Endpoint e) {
    return "team".equals(e.labels().get(Labels.INSTANCE));
  }

  @Test
  void embeddedServicesBehindIngressNginxWithMail() {
    Set<String> dnsForAll = new TreeSet<>();
    for (String c : List.of("web", "worker", "hocuspocus", "postgres", "redis", "migrate")) {
      dnsForAll.add(c + " -> dns UDP/53");
      dnsForAll.add(c + " -> dns TCP/53");
    }
    Set<String> intended = new TreeSet<>(dnsForAll);
    intended.addAll(List.of(
        "edge -> web TCP/8080", "edge -> hocuspocus TCP/80", "hocuspocus -> web TCP/8080",
        "web -> postgres TCP/5432", "worker -> postgres TCP/5432", "migrate -> postgres TCP/5432",
        "web -> redis TCP/6379", "worker -> redis TCP/6379", "migrate -> redis TCP/6379",
        "web -> public-ip TCP/587", "worker -> public-ip TCP/587",
        "web -> public-ip TCP/443", "worker -> public-ip TCP/443"));
    assertThat(matrix("""
        host: a.example.org
        ingress: {className: nginx, tls: {clusterIssuer: letsencrypt}}
        smtp: {host: smtp.example.org}
        """)).containsExactlyElementsOf(intended);
  }

  @Test
  void externalServicesNoInternetOnAGateway() {
    Set<String> actual = matrix("""
        host: a.example.org
        gateway: {name: public, namespace: gateways}
        database: {external: {host: 10.0.0.5, passwordSecretRef: {name: pg, key: password}, version: 16}}
        redis: {mode: none}
        storage: {s3: {endpoint: "https://203.0.113.10:9000", bucket: up, credentialsSecretRef: {name: s3}}}
        networkPolicy: {egress: {internetHTTPS: false}}
        """);
    assertThat(actual).contains("web -> private-ip TCP/5432", "worker -> private-ip TCP/5432",
        "migrate -> private-ip TCP/5432", "web -> public-ip TCP/9000", "worker -> public-ip TCP/9000",
        // with a Gateway (implementation unknown) any pod of the cluster counts as the edge
        "edge -> web TCP/8080", "pod-elsewhere -> web TCP/8080", "unrelated-pod -> hocuspocus TCP/80")
        .doesNotContain("web -> public-ip TCP/443", "migrate -> public-ip TCP/9000", "web -> private-ip TCP/9000")
        .noneMatch(flow -> flow.contains("postgres") || flow.contains("redis") || flow.contains("cloud-metadata"))
        .noneMatch(flow -> flow.endsWith("TCP/3000"));
  }

  @Test
  void theDefaultDenySelectsTheWholeStackOnly() {
    var r = Fixtures.minimal("team");
    NetworkPolicy deny = NetworkPolicies.render(
        new RenderContext(r, ClusterCapabilities.newest(), Fixtures.credentials(r), SecretDigests.none())).get(0);
    assertThat(deny.getMetadata().getName()).isEqualTo("team-default-deny");
    assertThat(deny.getSpec().getPodSelector().getMatchLabels()).containsExactly(Map.entry(Labels.INSTANCE, "team"));
    assertThat(deny.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
    assertThat(deny.getSpec().getIngress()).isNullOrEmpty();
    assertThat(deny.getSpec().getEgress()).isNullOrEmpty();
    assertThat(NetworkPolicies.render(new RenderContext(Fixtures.resource("team",
        "host: a.example.org\nnetworkPolicy: {enabled: false}"), ClusterCapabilities.newest(), Fixtures.credentials(r),
        SecretDigests.none()))).isEmpty();
  }

  // --- a small NetworkPolicy evaluator (the semantics of networking.k8s.io/v1) ---

  private static boolean egressAllowed(List<NetworkPolicy> policies, Endpoint src, Endpoint dst, String port) {
    if (src.external()) {
      return true;
    }
    List<NetworkPolicy> selecting = selecting(policies, src, "Egress");
    if (selecting.isEmpty()) {
      return true; // not isolated for egress
    }
    return selecting.stream().flatMap(p -> p.getSpec().getEgress() == null ? java.util.stream.Stream.empty()
        : p.getSpec().getEgress().stream())
        .anyMatch(rule -> ports(rule.getPorts(), port) && peers(rule.getTo(), dst));
  }

  private static boolean ingressAllowed(List<NetworkPolicy> policies, Endpoint src, Endpoint dst, String port) {
    if (dst.external()) {
      return true;
    }
    List<NetworkPolicy> selecting = selecting(policies, dst, "Ingress");
    if (selecting.isEmpty()) {
      return true;
    }
    return selecting.stream().flatMap(p -> p.getSpec().getIngress() == null ? java.util.stream.Stream.empty()
        : p.getSpec().getIngress().stream())
        .anyMatch(rule -> ports(rule.getPorts(), port) && peers(rule.getFrom(), src));
  }

  private static List<NetworkPolicy> selecting(List<NetworkPolicy> policies, Endpoint pod, String type) {
    List<NetworkPolicy> out = new ArrayList<>();
    for (NetworkPolicy p : policies) {
      if ("loomio".equals(pod.namespace()) && p.getSpec().getPolicyTypes().contains(type)
          && matches(p.getSpec().getPodSelector(), pod.labels())) {
        out.add(p);
      }
    }
    return out;
  }

  private static boolean ports(List<NetworkPolicyPort> ports, String port) {
    if (ports == null || ports.isEmpty()) {
      return true;
    }
    String[] pp = port.split("/");
    return ports.stream().anyMatch(p -> (p.getProtocol() == null ? "TCP" : p.getProtocol()).equals(pp[0])
        && (p.getPort() == null || Integer.valueOf(pp[1]).equals(p.getPort().getIntVal())));
  }

  private static boolean peers(List<NetworkPolicyPeer> peers, Endpoint e) {
    if (peers == null || peers.isEmpty()) {
      return true;
    }
    for (NetworkPolicyPeer peer : peers) {
      if (peer.getIpBlock() != null) {
        if (e.external() && inCidr(e.ip(), peer.getIpBlock().getCidr())
            && (peer.getIpBlock().getExcept() == null
                || peer.getIpBlock().getExcept().stream().noneMatch(x -> inCidr(e.ip(), x)))) {
          return true;
        }
        continue;
      }
      if (e.external()) {
        continue;
      }
      boolean nsOk = peer.getNamespaceSelector() == null ? "loomio".equals(e.namespace())
          : matches(peer.getNamespaceSelector(), Map.of("kubernetes.io/metadata.name", e.namespace()));
      boolean podOk = peer.getPodSelector() == null || matches(peer.getPodSelector(), e.labels());
      if (nsOk && podOk) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(LabelSelector s, Map<String, String> labels) {
    if (s == null) {
      return true;
    }
    if (s.getMatchLabels() != null && !s.getMatchLabels().entrySet().stream()
        .allMatch(en -> en.getValue().equals(labels.get(en.getKey())))) {
      return false;
    }
    for (LabelSelectorRequirement r : s.getMatchExpressions() == null ? List.<LabelSelectorRequirement>of()
        : s.getMatchExpressions()) {
      throw new AssertionError("matchExpressions not used by the operator: " + r);
    }
    return true;
  }

  private static boolean inCidr(String ip, String cidr) {
    try {
      String[] parts = cidr.split("/");
      byte[] a = InetAddress.getByName(ip).getAddress();
      byte[] n = InetAddress.getByName(parts[0]).getAddress();
      if (a.length != n.length) {
        return false;
      }
      int bits = Integer.parseInt(parts[1]);
      BigInteger mask = bits == 0 ? BigInteger.ZERO
          : BigInteger.ONE.shiftLeft(a.length * 8).subtract(BigInteger.ONE).shiftRight(bits).not()
              .and(BigInteger.ONE.shiftLeft(a.length * 8).subtract(BigInteger.ONE));
      return new BigInteger(1, a).and(mask).equals(new BigInteger(1, n).and(mask));
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

}
