package org.loomio.operator.render.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.loomio.operator.model.CloudNativePGSettings;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.model.Labels;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.model.SecretDigests;
import org.loomio.operator.render.base.RenderContext;
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
    return new Endpoint(
        component, "loomio", Map.of(Labels.INSTANCE, "team", Labels.COMPONENT, component), null);
  }

  private static final List<Endpoint> ENDPOINTS = List.of(
      pod("web"),
      pod("worker"),
      pod("hocuspocus"),
      pod("postgres"),
      pod("redis"),
      pod("migrate"),
      pod("backup"),
      new Endpoint(
          "edge", "ingress-nginx", Map.of("app.kubernetes.io/name", "ingress-nginx"), null),
      new Endpoint("traefik", "traefik", Map.of("app.kubernetes.io/name", "traefik"), null),
      new Endpoint("traefik-k3s", "kube-system", Map.of("app.kubernetes.io/name", "traefik"), null),
      new Endpoint(
          "traefik-lookalike", "tenant", Map.of("app.kubernetes.io/name", "traefik"), null),
      new Endpoint(
          "gateway-proxy",
          "gateways",
          Map.of("gateway.networking.k8s.io/gateway-name", "public"),
          null),
      new Endpoint("dns", "kube-system", Map.of("k8s-app", "kube-dns"), null),
      new Endpoint(
          "other-stack-web",
          "loomio",
          Map.of(Labels.INSTANCE, "other", Labels.COMPONENT, "web"),
          null),
      new Endpoint("unrelated-pod", "loomio", Map.of("app", "something"), null),
      new Endpoint("pod-elsewhere", "elsewhere", Map.of("app", "x"), null),
      new Endpoint("pg-in-cluster", "databases", Map.of("app", "pg"), null),
      // CloudNativePG: an instance of the stack's Cluster (its label, and the instance label
      // inheritedMetadata puts on
      // it), an instance of another stack's, its operator, a pod that only looks like it,
      // Prometheus
      new Endpoint(
          "cnpg-instance",
          "loomio",
          Map.of("cnpg.io/cluster", "team-postgres", Labels.INSTANCE, "team"),
          null),
      new Endpoint(
          "cnpg-replica",
          "loomio",
          Map.of("cnpg.io/cluster", "team-postgres", Labels.INSTANCE, "team"),
          null),
      new Endpoint(
          "cnpg-other-instance",
          "loomio",
          Map.of("cnpg.io/cluster", "other-postgres", Labels.INSTANCE, "other"),
          null),
      new Endpoint(
          "cnpg-operator", "cnpg-system", Map.of("app.kubernetes.io/name", "cloudnative-pg"), null),
      new Endpoint(
          "cnpg-lookalike", "tenant", Map.of("app.kubernetes.io/name", "cloudnative-pg"), null),
      new Endpoint("prometheus", "monitoring", Map.of("app", "prometheus"), null),
      new Endpoint("api-server", null, Map.of(), "172.20.0.1"),
      new Endpoint("redis-in-cluster", "caches", Map.of("app", "redis"), null),
      new Endpoint("public-ip", null, Map.of(), "203.0.113.10"),
      new Endpoint("public-ipv6", null, Map.of(), "2001:db8::10"),
      new Endpoint("private-ip", null, Map.of(), "10.0.0.5"),
      new Endpoint("cloud-metadata", null, Map.of(), "169.254.169.254"),
      new Endpoint("alibaba-metadata", null, Map.of(), "100.100.100.200"),
      new Endpoint("aws-metadata-ipv6", null, Map.of(), "fd00:ec2::254"),
      new Endpoint("this-network", null, Map.of(), "0.0.0.7"),
      new Endpoint("mapped-metadata", null, Map.of(), "::ffff:a9fe:a9fe"),
      new Endpoint("nat64-metadata", null, Map.of(), "64:ff9b::a9fe:a9fe"));

  /** Endpoints that are not the stack's own and must never be reached or reach in, whatever the spec. */
  private static final Set<String> NEVER = Set.of(
      "cloud-metadata",
      "alibaba-metadata",
      "aws-metadata-ipv6",
      "this-network",
      "mapped-metadata",
      "nat64-metadata",
      "traefik-lookalike",
      "cnpg-lookalike");

  private static final List<String> PORTS = List.of(
      "TCP/80",
      "TCP/8080",
      "TCP/3000",
      "TCP/5432",
      "TCP/6379",
      "UDP/53",
      "TCP/53",
      "TCP/587",
      "TCP/443",
      "TCP/9000",
      "TCP/8000",
      "TCP/9187",
      "TCP/6443");

  private static List<NetworkPolicy> policies(String spec) {
    return policies(spec, CloudNativePGSettings.DEFAULTS);
  }

  private static List<NetworkPolicy> policies(String spec, CloudNativePGSettings settings) {
    var r = Fixtures.resource("team", spec);
    return NetworkPolicies.render(new RenderContext(
            r, ClusterCapabilities.newest(), Fixtures.credentials(r), SecretDigests.none())
        .withCloudNativePGSettings(settings));
  }

  private static Set<String> matrix(String spec) {
    return matrix(spec, CloudNativePGSettings.DEFAULTS);
  }

  private static Set<String> matrix(String spec, CloudNativePGSettings settings) {
    List<NetworkPolicy> policies = policies(spec, settings);
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
    assertThat(allowed)
        .as("flows to or from what no spec may open")
        .noneMatch(flow -> NEVER.stream()
            .anyMatch(n -> flow.startsWith(n + " ") || flow.contains("-> " + n + " ")));
    return allowed;
  }

  /** The sources that may open connections to a component's port. */
  private static Set<String> reaching(Set<String> matrix, String component, String port) {
    Set<String> sources = new TreeSet<>();
    for (String flow : matrix) {
      if (flow.endsWith(" -> " + component + " " + port)) {
        sources.add(flow.substring(0, flow.indexOf(" -> ")));
      }
    }
    return sources;
  }

  /** Where a component may connect on a port. */
  private static Set<String> reachedBy(Set<String> matrix, String component, String port) {
    Set<String> destinations = new TreeSet<>();
    for (String flow : matrix) {
      if (flow.startsWith(component + " -> ") && flow.endsWith(" " + port)) {
        destinations.add(flow.substring(flow.indexOf(" -> ") + 4, flow.lastIndexOf(' ')));
      }
    }
    return destinations;
  }

  private static boolean inStack(Endpoint e) {
    return "team".equals(e.labels().get(Labels.INSTANCE));
  }

  private static List<String> assumptions(String spec) {
    return NetworkPolicies.assumptions(
        ResolvedSpec.of(Fixtures.resource("team", spec), ImageDefaults.BUILT_IN));
  }

  private static final String EXTERNAL_DB =
      "database: {external: {host: %s, passwordSecretRef: {name: pg, key: password},"
          + " version: 16}}\n";

  @Test
  void embeddedServicesBehindIngressNginxWithMail() {
    Set<String> dnsForAll = new TreeSet<>();
    for (String c :
        List.of("web", "worker", "hocuspocus", "postgres", "redis", "migrate", "backup")) {
      dnsForAll.add(c + " -> dns UDP/53");
      dnsForAll.add(c + " -> dns TCP/53");
    }
    Set<String> intended = new TreeSet<>(dnsForAll);
    intended.addAll(List.of(
        "edge -> web TCP/8080",
        "edge -> hocuspocus TCP/80",
        "hocuspocus -> web TCP/8080",
        "web -> postgres TCP/5432",
        "worker -> postgres TCP/5432",
        "migrate -> postgres TCP/5432",
        "backup -> postgres TCP/5432",
        "web -> redis TCP/6379",
        "worker -> redis TCP/6379",
        "migrate -> redis TCP/6379",
        "web -> public-ip TCP/587",
        "worker -> public-ip TCP/587",
        "web -> public-ipv6 TCP/587",
        "worker -> public-ipv6 TCP/587",
        "web -> public-ip TCP/443",
        "worker -> public-ip TCP/443",
        "web -> public-ipv6 TCP/443",
        "worker -> public-ipv6 TCP/443"));
    assertThat(matrix("""
        host: a.example.org
        ingress: {className: nginx, tls: {clusterIssuer: letsencrypt}}
        smtp: {host: smtp.example.org}
        """)).containsExactlyElementsOf(intended);
  }

  /**
   * CloudNativePG: the stack's database clients reach the instances (by CloudNativePG's pod label, not a Service:
   * the primary moves) on 5432; the instances reach each other on 5432 and 8000, the API server at the
   * installation's addresses only, and nothing else; CloudNativePG's operator (its namespace and pods) reaches them
   * on 8000 and 5432, Prometheus on 9187 only with monitoring on.
   */
  /**
   * Redis' own policy admits the Rails processes that use it and no other database client: the
   * backup, restore and rotation pods are kept out on both sides, not only by their egress.
   */
  @Test
  void redisAdmitsOnlyTheRailsProcessesOnItsOwnSide() {
    List<NetworkPolicy> policies = policies("host: a.example.org");
    Set<String> admitted = new TreeSet<>();
    List<Endpoint> sources = new ArrayList<>(ENDPOINTS);
    for (Component job :
        List.of(Component.RESTORE, Component.DRILL, Component.ROTATE, Component.DB_ROLES)) {
      sources.add(pod(job.label()));
    }
    for (Endpoint src : sources) {
      if (!src.external()
          && !src.name().equals("redis")
          && ingressAllowed(policies, src, pod("redis"), "TCP/6379")) {
        admitted.add(src.name());
      }
    }
    assertThat(admitted).containsExactlyInAnyOrder("web", "worker", "migrate");
  }

  @Test
  void cloudNativePGInstancesGetExactlyWhatCloudNativePGNeeds() {
    String spec = "host: a.example.org\ndatabase: {cloudNativePG: {}}\nredis: {mode: none}\n";
    CloudNativePGSettings settings = new CloudNativePGSettings(
        "cnpg-system",
        true,
        List.of("monitoring"),
        List.of(new org.loomio.operator.api.v1alpha1.CidrBlock("172.20.0.1/32", List.of())),
        List.of(443, 6443));
    Set<String> m = matrix(spec, settings);
    Set<String> intended = new TreeSet<>(List.of(
        "web -> cnpg-instance TCP/5432",
        "worker -> cnpg-instance TCP/5432",
        "migrate -> cnpg-instance TCP/5432",
        "backup -> cnpg-instance TCP/5432",
        "cnpg-instance -> dns UDP/53",
        "cnpg-instance -> dns TCP/53",
        "cnpg-instance -> cnpg-replica TCP/5432",
        "cnpg-instance -> cnpg-replica TCP/8000",
        "cnpg-instance -> api-server TCP/443",
        "cnpg-instance -> api-server TCP/6443",
        "cnpg-operator -> cnpg-instance TCP/8000",
        "cnpg-operator -> cnpg-instance TCP/5432",
        "prometheus -> cnpg-instance TCP/9187"));
    assertThat(m)
        .filteredOn(flow ->
            (flow.contains("cnpg") || flow.contains("prometheus") || flow.contains("api-server"))
                    && !flow.contains("cnpg-replica")
                || flow.startsWith("cnpg-instance -> cnpg-replica"))
        .containsExactlyInAnyOrderElementsOf(intended);
    assertThat(m)
        .noneMatch(flow -> flow.contains(" -> postgres "))
        .noneMatch(flow -> flow.contains("-> public-ip TCP/5432"));
    // monitoring off, no API-server address known: no metrics port, no API server, and the status
    // says so
    Set<String> plain = matrix(spec);
    assertThat(plain)
        .doesNotContain(
            "prometheus -> cnpg-instance TCP/9187", "cnpg-instance -> api-server TCP/443")
        .contains("cnpg-operator -> cnpg-instance TCP/8000", "web -> cnpg-instance TCP/5432");
    assertThat(NetworkPolicies.assumptions(
            ResolvedSpec.of(Fixtures.resource("team", spec), ImageDefaults.BUILT_IN),
            CloudNativePGSettings.DEFAULTS))
        .containsExactly(NetworkPolicies.API_SERVER_UNKNOWN);
    assertThat(NetworkPolicies.assumptions(
            ResolvedSpec.of(Fixtures.resource("team", spec), ImageDefaults.BUILT_IN), settings))
        .isEmpty();
    // the continuous backup's bucket, from the instances only
    Set<String> withBackup = matrix(
        spec + "networkPolicy: {egress: {backupS3: [{cidr: 10.0.0.0/24}]}}\n"
            + "database: {cloudNativePG: {backup: {s3: {endpoint: \"https://s3.example.org\", bucket: wal,"
            + " credentialsSecretRef: {name: s3}}}}}\n",
        settings);
    assertThat(reachedBy(withBackup, "cnpg-instance", "TCP/443"))
        .containsExactlyInAnyOrder("private-ip", "api-server");
  }

  @Test
  void anIsolatedCloudNativePGClusterReachesNothingAndOnlyTheJobsAtWorkReachIt() {
    Set<String> m = matrix("host: a.example.org\ndatabase: {cloudNativePG: {}}\nisolation: true\n");
    assertThat(m).noneMatch(flow -> flow.contains("cnpg"));
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
    assertThat(actual)
        .contains(
            "web -> private-ip TCP/5432",
            "worker -> private-ip TCP/5432",
            "migrate -> private-ip TCP/5432",
            "backup -> private-ip TCP/5432",
            "web -> public-ip TCP/9000",
            "worker -> public-ip TCP/9000",
            "gateway-proxy -> web TCP/8080",
            "gateway-proxy -> hocuspocus TCP/80")
        .doesNotContain(
            "web -> public-ip TCP/443",
            "migrate -> public-ip TCP/9000",
            "web -> private-ip TCP/9000",
            "web -> public-ip TCP/5432",
            "pod-elsewhere -> web TCP/8080",
            "unrelated-pod -> hocuspocus TCP/80")
        .noneMatch(flow -> flow.contains("postgres") || flow.contains("redis"))
        .noneMatch(flow -> flow.endsWith("TCP/3000"));
    assertThat(assumptions(
            "host: a.example.org\n" + EXTERNAL_DB.formatted("10.0.0.5") + "redis: {mode: none}"))
        .isEmpty();
  }

  /** hocuspocus reports its errors to Sentry only when a DSN reaches it: then public HTTPS, else web only. */
  @Test
  void hocuspocusReachesPublicHttpsOnlyWithASentryDsn() {
    assertThat(matrix("host: a.example.org"))
        .filteredOn(flow -> flow.startsWith("hocuspocus -> "))
        .containsExactlyInAnyOrder(
            "hocuspocus -> web TCP/8080", "hocuspocus -> dns UDP/53", "hocuspocus -> dns TCP/53");
    for (String sentry : List.of(
        "env: [{name: SENTRY_PUBLIC_DSN, value: \"https://k@o1.ingest.sentry.io/1\"}]",
        "secretEnv: [{name: SENTRY_DSN, secretKeyRef: {name: sentry, key: dsn}}]")) {
      assertThat(matrix("host: a.example.org\n" + sentry))
          .as(sentry)
          .contains("hocuspocus -> public-ip TCP/443", "hocuspocus -> public-ipv6 TCP/443")
          .doesNotContain(
              "hocuspocus -> private-ip TCP/443",
              "hocuspocus -> cloud-metadata TCP/443",
              "hocuspocus -> postgres TCP/5432");
      assertThat(matrix(
              "host: a.example.org\nnetworkPolicy: {egress: {internetHTTPS: false}}\n" + sentry))
          .as("internetHTTPS: false holds for hocuspocus too")
          .doesNotContain("hocuspocus -> public-ip TCP/443");
    }
  }

  // --- external servers: pinned by their host, never every address ---

  @Test
  void aDatabaseNamedByAnInClusterServiceIsReachedInItsNamespaceOnly() {
    for (String host : List.of(
        "pg-rw.databases.svc",
        "pg-rw.databases.svc.cluster.local",
        "pg-0.pg-headless.databases.svc.cluster.local")) {
      Set<String> m = matrix("host: a.example.org\n" + EXTERNAL_DB.formatted(host));
      for (String client : List.of("web", "worker", "migrate", "backup")) {
        assertThat(reachedBy(m, client, "TCP/5432"))
            .as(host + " from " + client)
            .containsExactly("pg-in-cluster");
      }
      assertThat(assumptions("host: a.example.org\n" + EXTERNAL_DB.formatted(host)))
          .as(host)
          .isEmpty();
    }
    assertThat(NetworkPolicies.serviceNamespace("pg.databases.svc")).contains("databases");
    assertThat(NetworkPolicies.serviceNamespace("databases.svc")).isEmpty();
    assertThat(NetworkPolicies.serviceNamespace("pg.databases.svc.example.org")).isEmpty();
    assertThat(NetworkPolicies.serviceNamespace("pg.example.org")).isEmpty();
  }

  @Test
  void
      aDatabaseNamedByAnyOtherHostIsReachedAtPublicAddressesOnlyAndTheStatusSaysHowToGiveItsRange() {
    String spec = "host: a.example.org\n" + EXTERNAL_DB.formatted("pg.example.org");
    Set<String> m = matrix(spec);
    for (String client : List.of("web", "worker", "migrate", "backup")) {
      assertThat(reachedBy(m, client, "TCP/5432"))
          .as(client)
          .containsExactlyInAnyOrder("public-ip", "public-ipv6");
    }
    assertThat(assumptions(spec))
        .singleElement()
        .satisfies(a -> assertThat(a)
            .contains("pg.example.org:5432")
            .contains("spec.networkPolicy.egress.database")
            .contains("<service>.<namespace>.svc"));
    // the documented fix: its range
    String pinned = spec + "networkPolicy: {egress: {database: [{cidr: 10.0.0.0/24}]}}";
    assertThat(reachedBy(matrix(pinned), "web", "TCP/5432")).containsExactly("private-ip");
    assertThat(assumptions(pinned)).isEmpty();
  }

  @Test
  void aDatabaseGivenByAddressIsReachedAtExactlyThatAddress() {
    Set<String> m = matrix("host: a.example.org\n" + EXTERNAL_DB.formatted("203.0.113.10"));
    assertThat(reachedBy(m, "web", "TCP/5432")).containsExactly("public-ip");
    NetworkPolicyPeer peer =
        NetworkPolicies.externalServer("203.0.113.10", null).peers().get(0);
    assertThat(peer.getIpBlock().getCidr()).isEqualTo("203.0.113.10/32");
    assertThat(peer.getIpBlock().getExcept()).isNullOrEmpty();
    assertThat(NetworkPolicies.externalServer("2001:db8::10", null)
            .peers()
            .get(0)
            .getIpBlock()
            .getCidr())
        .isEqualTo("2001:db8::10/128");
  }

  @Test
  void anExternalRedisIsPinnedByItsHostOrReachedAtPublicAddressesOnly() {
    String base =
        "host: a.example.org\nredis: {mode: external, external: {urlSecretRef: {name: r, key: url}%s}}\n";
    Set<String> noHost = matrix(base.formatted(""));
    assertThat(reachedBy(noHost, "web", "TCP/6379"))
        .containsExactlyInAnyOrder("public-ip", "public-ipv6");
    assertThat(assumptions(base.formatted("")))
        .singleElement()
        .satisfies(a -> assertThat(a)
            .contains("spec.redis.external.host is not set")
            .contains("spec.networkPolicy.egress.redis"));
    String inCluster = base.formatted(", host: redis-master.caches.svc");
    for (String client : List.of("web", "worker", "migrate")) {
      assertThat(reachedBy(matrix(inCluster), client, "TCP/6379"))
          .containsExactly("redis-in-cluster");
    }
    assertThat(assumptions(inCluster)).isEmpty();
    assertThat(reachedBy(matrix(base.formatted(", host: 10.0.0.5")), "worker", "TCP/6379"))
        .containsExactly("private-ip");
    assertThat(reachedBy(
            matrix(base.formatted("") + "networkPolicy: {egress: {redis: [{cidr: 10.0.0.0/8}]}}"),
            "web",
            "TCP/6379"))
        .containsExactly("private-ip");
  }

  /** No ipBlock of any rendered policy admits a whole address family unless the spec wrote it. */
  @Test
  void noRuleAdmitsEveryAddressUnlessTheSpecSaysSo() {
    for (String spec : List.of(
        "host: a.example.org\n" + EXTERNAL_DB.formatted("pg.example.org")
            + "redis: {mode: external, external: {urlSecretRef: {name: r, key: url}}}\nsmtp: {host: smtp.example.org}",
        "host: a.example.org\n" + EXTERNAL_DB.formatted("pg.databases.svc")
            + "backup: {s3: {endpoint: https://s3.example.org, bucket: b, credentialsSecretRef: {name: s3}}}",
        "host: a.example.org")) {
      for (NetworkPolicy p : policies(spec)) {
        for (var rule : p.getSpec().getEgress() == null
            ? List.<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule>of()
            : p.getSpec().getEgress()) {
          assertThat(rule.getTo())
              .as(p.getMetadata().getName() + ": a rule without peers admits everyone")
              .isNotEmpty();
          for (NetworkPolicyPeer peer : rule.getTo()) {
            if (peer.getIpBlock() != null && peer.getIpBlock().getCidr().endsWith("/0")) {
              assertThat(peer.getIpBlock().getExcept())
                  .as(p.getMetadata().getName())
                  .isNotEmpty();
            }
          }
        }
      }
    }
  }

  /**
   * Every ipBlock the operator renders passes the API server's validation of except entries: each strictly
   * within its cidr as Go's {@code IPNet.Contains} reads it, so never an IPv4-mapped entry under an IPv6 cidr
   * (the real API server refused {@code ::ffff:0:0/96} under {@code ::/0} with "must be a strict subset").
   */
  @Test
  void everyExceptIsOneTheApiServerAccepts() {
    for (String spec : List.of(
        "host: a.example.org\nsmtp: {host: smtp.example.org}\n"
            + "env: [{name: SENTRY_DSN, value: x}]\n"
            + "backup: {s3: {endpoint: https://s3.example.org, bucket: b, credentialsSecretRef: {name: s3}}}\n"
            + EXTERNAL_DB.formatted("pg.example.org")
            + "redis: {mode: external, external: {urlSecretRef: {name: r, key: url}}}",
        "host: a.example.org")) {
      for (NetworkPolicy p : policies(spec)) {
        for (var rule : p.getSpec().getEgress() == null
            ? List.<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule>of()
            : p.getSpec().getEgress()) {
          for (NetworkPolicyPeer peer : rule.getTo()) {
            if (peer.getIpBlock() == null || peer.getIpBlock().getExcept() == null) {
              continue;
            }
            var cidr = org.loomio.operator.api.v1alpha1.Cidrs.parse(
                    peer.getIpBlock().getCidr())
                .orElseThrow();
            for (String except : peer.getIpBlock().getExcept()) {
              var e = org.loomio.operator.api.v1alpha1.Cidrs.parse(except).orElseThrow();
              assertThat(cidr.strictlyContains(e))
                  .as(p.getMetadata().getName() + " " + except)
                  .isTrue();
              assertThat(e.ipv4Mapped() && !cidr.ipv4Mapped())
                  .as(p.getMetadata().getName() + " " + except)
                  .isFalse();
            }
          }
        }
      }
    }
  }

  // --- the edge: web and hocuspocus accept the edge's pods, and web also the stack's hocuspocus
  // ---

  @Test
  void ingressNginxByDefault() {
    Set<String> m =
        matrix("host: a.example.org\ningress: {className: nginx, tls: {clusterIssuer: le}}");
    assertThat(reaching(m, "web", "TCP/8080")).containsExactly("edge", "hocuspocus");
    assertThat(reaching(m, "hocuspocus", "TCP/80")).containsExactly("edge");
  }

  @Test
  void traefikInItsOwnNamespaceOrK3sKubeSystemButNotATenantsLookalike() {
    Set<String> m =
        matrix("host: a.example.org\ningress: {className: traefik, tls: {clusterIssuer: le}}");
    assertThat(reaching(m, "web", "TCP/8080"))
        .containsExactly("hocuspocus", "traefik", "traefik-k3s");
    assertThat(reaching(m, "hocuspocus", "TCP/80")).containsExactly("traefik", "traefik-k3s");
  }

  @Test
  void aGatewaysNamespaceByDefault() {
    Set<String> m = matrix("host: a.example.org\ngateway: {name: public, namespace: gateways}");
    assertThat(reaching(m, "web", "TCP/8080")).containsExactly("gateway-proxy", "hocuspocus");
    assertThat(reaching(m, "hocuspocus", "TCP/80")).containsExactly("gateway-proxy");
    // a Gateway in the stack's namespace: that namespace's pods (the documented default; narrow it
    // with edge)
    Set<String> local = matrix("host: a.example.org\ngateway: {name: public}");
    assertThat(reaching(local, "hocuspocus", "TCP/80"))
        .containsExactly("cnpg-other-instance", "other-stack-web", "unrelated-pod");
  }

  @Test
  void withoutAnEdgeOnlyTheStacksOwnPods() {
    Set<String> m = matrix("host: a.example.org");
    assertThat(reaching(m, "web", "TCP/8080")).containsExactly("hocuspocus");
    assertThat(reaching(m, "hocuspocus", "TCP/80")).isEmpty();
    NetworkPolicy hocuspocus = policies("host: a.example.org").stream()
        .filter(p -> p.getMetadata().getName().equals("team-hocuspocus"))
        .findFirst()
        .orElseThrow();
    assertThat(hocuspocus.getSpec().getIngress())
        .as("no rule at all: a rule without peers would admit everyone")
        .isEmpty();
    assertThat(hocuspocus.getSpec().getPolicyTypes()).contains("Ingress");
  }

  @Test
  void theEdgeCanBeNamed() {
    // Envoy Gateway's default: the proxies run in its controller's namespace, labelled with their
    // Gateway
    Set<String> m = matrix("""
        host: a.example.org
        gateway: {name: public, namespace: gateways}
        networkPolicy:
          edge:
            namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: elsewhere}}
            podSelector: {matchLabels: {app: x}}
        """);
    assertThat(reaching(m, "web", "TCP/8080")).containsExactly("hocuspocus", "pod-elsewhere");
    assertThat(reaching(m, "hocuspocus", "TCP/80")).containsExactly("pod-elsewhere");
  }

  @Test
  void theDefaultDenySelectsTheWholeStackOnly() {
    var r = Fixtures.minimal("team");
    NetworkPolicy deny = NetworkPolicies.render(new RenderContext(
            r, ClusterCapabilities.newest(), Fixtures.credentials(r), SecretDigests.none()))
        .get(0);
    assertThat(deny.getMetadata().getName()).isEqualTo("team-default-deny");
    assertThat(deny.getSpec().getPodSelector().getMatchLabels())
        .containsExactly(Map.entry(Labels.INSTANCE, "team"));
    assertThat(deny.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
    assertThat(deny.getSpec().getIngress()).isNullOrEmpty();
    assertThat(deny.getSpec().getEgress()).isNullOrEmpty();
    assertThat(NetworkPolicies.render(new RenderContext(
            Fixtures.resource("team", "host: a.example.org\nnetworkPolicy: {enabled: false}"),
            ClusterCapabilities.newest(),
            Fixtures.credentials(r),
            SecretDigests.none())))
        .isEmpty();
  }

  // --- a small NetworkPolicy evaluator (the semantics of networking.k8s.io/v1) ---

  private static boolean egressAllowed(
      List<NetworkPolicy> policies, Endpoint src, Endpoint dst, String port) {
    if (src.external()) {
      return true;
    }
    List<NetworkPolicy> selecting = selecting(policies, src, "Egress");
    if (selecting.isEmpty()) {
      return true; // not isolated for egress
    }
    return selecting.stream()
        .flatMap(p -> p.getSpec().getEgress() == null
            ? java.util.stream.Stream.empty()
            : p.getSpec().getEgress().stream())
        .anyMatch(rule -> ports(rule.getPorts(), port) && peers(rule.getTo(), dst));
  }

  private static boolean ingressAllowed(
      List<NetworkPolicy> policies, Endpoint src, Endpoint dst, String port) {
    if (dst.external()) {
      return true;
    }
    List<NetworkPolicy> selecting = selecting(policies, dst, "Ingress");
    if (selecting.isEmpty()) {
      return true;
    }
    return selecting.stream()
        .flatMap(p -> p.getSpec().getIngress() == null
            ? java.util.stream.Stream.empty()
            : p.getSpec().getIngress().stream())
        .anyMatch(rule -> ports(rule.getPorts(), port) && peers(rule.getFrom(), src));
  }

  private static List<NetworkPolicy> selecting(
      List<NetworkPolicy> policies, Endpoint pod, String type) {
    List<NetworkPolicy> out = new ArrayList<>();
    for (NetworkPolicy p : policies) {
      if ("loomio".equals(pod.namespace())
          && p.getSpec().getPolicyTypes().contains(type)
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
    return ports.stream()
        .anyMatch(p -> (p.getProtocol() == null ? "TCP" : p.getProtocol()).equals(pp[0])
            && (p.getPort() == null || Integer.valueOf(pp[1]).equals(p.getPort().getIntVal())));
  }

  private static boolean peers(List<NetworkPolicyPeer> peers, Endpoint e) {
    if (peers == null || peers.isEmpty()) {
      return true;
    }
    for (NetworkPolicyPeer peer : peers) {
      if (peer.getIpBlock() != null) {
        if (e.external()
            && inCidr(e.ip(), peer.getIpBlock().getCidr())
            && (peer.getIpBlock().getExcept() == null
                || peer.getIpBlock().getExcept().stream().noneMatch(x -> inCidr(e.ip(), x)))) {
          return true;
        }
        continue;
      }
      if (e.external()) {
        continue;
      }
      boolean nsOk = peer.getNamespaceSelector() == null
          ? "loomio".equals(e.namespace())
          : matches(
              peer.getNamespaceSelector(), Map.of("kubernetes.io/metadata.name", e.namespace()));
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
    if (s.getMatchLabels() != null
        && !s.getMatchLabels().entrySet().stream()
            .allMatch(en -> en.getValue().equals(labels.get(en.getKey())))) {
      return false;
    }
    for (LabelSelectorRequirement r : s.getMatchExpressions() == null
        ? List.<LabelSelectorRequirement>of()
        : s.getMatchExpressions()) {
      String value = labels.get(r.getKey());
      boolean ok = switch (r.getOperator()) {
        case "In" -> value != null && r.getValues().contains(value);
        case "Exists" -> value != null;
        default -> throw new AssertionError("operator not used by the operator: " + r);
      };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /**
   * Containment by the operator's own parser (proven in CidrsTest). A connection to an IPv4-mapped address
   * (::ffff:a.b.c.d) leaves the pod as an IPv4 packet to a.b.c.d, so that is the address a policy sees.
   */
  private static boolean inCidr(String ip, String cidr) {
    assertThat(org.loomio.operator.api.v1alpha1.Cidrs.parse(cidr))
        .as("a CIDR: " + cidr)
        .isPresent();
    return org.loomio.operator.api.v1alpha1.Cidrs.contains(cidr, onTheWire(ip));
  }

  private static String onTheWire(String ip) {
    try {
      return java.net.InetAddress.getByName(ip) instanceof java.net.Inet4Address v4
          ? v4.getHostAddress()
          : ip;
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(ip, e);
    }
  }
}
