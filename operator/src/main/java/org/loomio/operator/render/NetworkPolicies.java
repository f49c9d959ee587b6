package org.loomio.operator.render;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.loomio.operator.api.v1alpha1.CidrBlock;
import org.loomio.operator.api.v1alpha1.EgressSpec;
import org.loomio.operator.api.v1alpha1.IngressSpec;
import org.loomio.operator.api.v1alpha1.NetworkPolicySpec;
import org.loomio.operator.api.v1alpha1.PeerSelector;

/**
 * The stack's NetworkPolicies: one that denies every ingress and egress for all pods of the stack, and
 * one per component that allows exactly the flows it needs (docs/networking.md has the matrix):
 *
 * <ul>
 *   <li>the edge (ingress controller or gateway pods) to web:8080 and hocuspocus:80;
 *   <li>hocuspocus to web:8080 (its auth callback);
 *   <li>web, worker and the migration Job to PostgreSQL and Redis (embedded pods, or external ranges);
 *   <li>web and worker to SMTP, to the S3 endpoint, and to public HTTPS (web push, webhooks, sign-in);
 *   <li>backup and restore pods to PostgreSQL and to the backup bucket;
 *   <li>everyone to the cluster DNS; PostgreSQL and Redis to nothing else.
 * </ul>
 *
 * Selection is by instance (and component), not namespace-wide, so other stacks or workloads in the
 * namespace are untouched: recorded exceptions to rules R30 and R31.
 */
public final class NetworkPolicies {

  public static final List<CidrBlock> DEFAULT_PUBLIC = List.of(
      new CidrBlock("0.0.0.0/0", List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
          "127.0.0.0/8", "169.254.0.0/16")),
      new CidrBlock("::/0", List.of("fc00::/7", "fe80::/10", "::1/128")));
  public static final List<CidrBlock> ANYWHERE = List.of(
      new CidrBlock("0.0.0.0/0", List.of()), new CidrBlock("::/0", List.of()));
  private static final String IPV4 = "^([0-9]{1,3}\\.){3}[0-9]{1,3}$";

  private NetworkPolicies() {}

  public static List<NetworkPolicy> render(RenderContext ctx) {
    ResolvedSpec spec = ctx.spec();
    if (ctx.isolated()) {
      return isolation(ctx);
    }
    if (!spec.networkPoliciesEnabled()) {
      return List.of();
    }
    Flows f = new Flows(ctx);
    List<NetworkPolicy> policies = new ArrayList<>();
    policies.add(denyAll(ctx));

    List<NetworkPolicyEgressRule> appEgress = new ArrayList<>();
    appEgress.add(f.dns());
    appEgress.addAll(f.database());
    appEgress.addAll(f.redis());
    appEgress.addAll(f.smtp());
    appEgress.addAll(f.s3());
    appEgress.addAll(f.internetHttps());

    policies.add(allow(ctx, Component.WEB,
        List.of(ingress(f.edge(), WebDeployment.HTTP_PORT),
            ingress(List.of(f.pods(Component.HOCUSPOCUS)), WebDeployment.HTTP_PORT)),
        appEgress));
    policies.add(allow(ctx, Component.WORKER, List.of(), appEgress));
    if (spec.hocuspocusEnabled()) {
      policies.add(allow(ctx, Component.HOCUSPOCUS,
          List.of(ingress(f.edge(), HocuspocusDeployment.HTTP_PORT)),
          List.of(f.dns(), egress(List.of(f.pods(Component.WEB)), WebDeployment.HTTP_PORT))));
    }
    List<NetworkPolicyEgressRule> migrateEgress = new ArrayList<>();
    migrateEgress.add(f.dns());
    migrateEgress.addAll(f.database());
    migrateEgress.addAll(f.redis());
    policies.add(allow(ctx, Component.MIGRATE, List.of(), migrateEgress));
    // backup and restore pods: the database and the backup bucket, nothing else, nobody may connect to them
    List<NetworkPolicyEgressRule> backupEgress = new ArrayList<>();
    backupEgress.add(f.dns());
    backupEgress.addAll(f.database());
    backupEgress.addAll(f.backupS3());
    policies.add(allow(ctx, Component.BACKUP, List.of(), backupEgress));
    policies.add(allow(ctx, Component.RESTORE, List.of(), backupEgress));
    List<NetworkPolicyPeer> clients = new ArrayList<>(List.of(f.pods(Component.WEB), f.pods(Component.WORKER),
        f.pods(Component.MIGRATE), f.pods(Component.BACKUP), f.pods(Component.RESTORE)));
    if (ctx.rotation().isPresent()) {
      // the password rotation Job: the database only, while it exists
      policies.add(allow(ctx, Component.ROTATE, List.of(), rotateEgress(f)));
      clients.add(f.pods(Component.ROTATE));
    }
    if (ctx.upgradeGate().isPresent()) {
      // a version gate check: a Rails process like the migration, while it is due
      policies.add(allow(ctx, Component.UPGRADE_GATE, List.of(), migrateEgress));
      clients.add(f.pods(Component.UPGRADE_GATE));
    }
    if (spec.database().embedded()) {
      policies.add(allow(ctx, Component.POSTGRES, List.of(ingress(clients, PostgresStatefulSet.PORT)), List.of(f.dns())));
    }
    if (spec.redis().embedded()) {
      policies.add(allow(ctx, Component.REDIS, List.of(ingress(clients, RedisDeployment.PORT)), List.of(f.dns())));
    }
    return policies;
  }

  /** Every pod of this stack (selected by instance): no ingress, no egress. Always first, always kept. */
  private static NetworkPolicy denyAll(RenderContext ctx) {
    return denyAll(ctx.namespace(), ctx.name());
  }

  /** The deny-all policy of a stack, from its name alone (also for isolating a stack whose spec is invalid). */
  public static NetworkPolicy denyAll(String namespace, String instance) {
    return new NetworkPolicyBuilder()
        .withMetadata(ObjectMetas.of(namespace, instance, denyAllName(instance), Component.NETWORK))
        .withNewSpec()
        .withPodSelector(new LabelSelector(null, Map.of(Labels.INSTANCE, instance)))
        .withPolicyTypes("Ingress", "Egress")
        .endSpec()
        .build();
  }

  public static String denyAllName(String instance) {
    return instance + "-default-deny";
  }

  /**
   * Quarantine (spec.isolation): the deny-all policy and no allow policy beside it (policies add up, so one
   * remaining allow rule would reopen its path), whether or not spec.networkPolicy is enabled. The one
   * exception is the operator's own Jobs at work on the database (a restore from a clean backup and the
   * migration after it, a password rotation): each gets exactly its path to the database (and the backup
   * bucket for a restore), and the database accepts only them, for as long as they run.
   */
  private static List<NetworkPolicy> isolation(RenderContext ctx) {
    List<NetworkPolicy> policies = new ArrayList<>();
    policies.add(denyAll(ctx));
    java.util.Set<Component> jobs = ctx.databaseJobsAtWork();
    if (jobs.isEmpty()) {
      return policies;
    }
    Flows f = new Flows(ctx);
    ResolvedSpec spec = ctx.spec();
    List<NetworkPolicyPeer> clients = new ArrayList<>();
    List<NetworkPolicyPeer> cacheClients = new ArrayList<>();
    if (jobs.contains(Component.RESTORE)) {
      List<NetworkPolicyEgressRule> out = new ArrayList<>();
      out.add(f.dns());
      out.addAll(f.database());
      out.addAll(f.backupS3());
      policies.add(allow(ctx, Component.RESTORE, List.of(), out));
      clients.add(f.pods(Component.RESTORE));
    }
    if (jobs.contains(Component.MIGRATE)) {
      // the restore's own migration Job only (it carries the restore's label), not the stack's migration Jobs
      List<NetworkPolicyEgressRule> out = new ArrayList<>();
      out.add(f.dns());
      out.addAll(f.database());
      out.addAll(f.redis());
      LabelSelector restoreMigration = restoreMigration(ctx);
      policies.add(new NetworkPolicyBuilder()
          .withMetadata(ObjectMetas.of(ctx, Component.MIGRATE))
          .withNewSpec()
          .withPodSelector(restoreMigration)
          .withPolicyTypes("Ingress", "Egress")
          .withIngress(List.of())
          .withEgress(out)
          .endSpec()
          .build());
      NetworkPolicyPeer peer = new NetworkPolicyPeer();
      peer.setPodSelector(restoreMigration);
      clients.add(peer);
      cacheClients.add(peer);
    }
    if (jobs.contains(Component.ROTATE)) {
      policies.add(allow(ctx, Component.ROTATE, List.of(), rotateEgress(f)));
      clients.add(f.pods(Component.ROTATE));
    }
    if (spec.database().embedded()) {
      policies.add(allow(ctx, Component.POSTGRES, List.of(ingress(clients, PostgresStatefulSet.PORT)), List.of()));
    }
    if (spec.redis().embedded() && !cacheClients.isEmpty()) {
      policies.add(allow(ctx, Component.REDIS, List.of(ingress(cacheClients, RedisDeployment.PORT)), List.of()));
    }
    return policies;
  }

  /** The migration Job a LoomioRestore runs after restoring: component migrate with the restore label. */
  private static LabelSelector restoreMigration(RenderContext ctx) {
    LabelSelector selector = new LabelSelector(null, podLabels(ctx, Component.MIGRATE));
    selector.setMatchExpressions(List.of(new io.fabric8.kubernetes.api.model.LabelSelectorRequirement(
        Labels.RESTORE, "Exists", null)));
    return selector;
  }

  private static List<NetworkPolicyEgressRule> rotateEgress(Flows f) {
    List<NetworkPolicyEgressRule> out = new ArrayList<>();
    out.add(f.dns());
    out.addAll(f.database());
    return out;
  }

  private static NetworkPolicy allow(RenderContext ctx, Component component, List<NetworkPolicyIngressRule> in,
      List<NetworkPolicyEgressRule> out) {
    return new NetworkPolicyBuilder()
        .withMetadata(ObjectMetas.of(ctx, component))
        .withNewSpec()
        .withPodSelector(new LabelSelector(null, podLabels(ctx, component)))
        .withPolicyTypes("Ingress", "Egress")
        .withIngress(in)
        .withEgress(out)
        .endSpec()
        .build();
  }

  private static Map<String, String> podLabels(RenderContext ctx, Component component) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Labels.INSTANCE, ctx.name());
    labels.put(Labels.COMPONENT, component.label());
    return labels;
  }

  static NetworkPolicyIngressRule ingress(List<NetworkPolicyPeer> from, int port) {
    NetworkPolicyIngressRule rule = new NetworkPolicyIngressRule();
    rule.setFrom(from);
    rule.setPorts(List.of(port(port, "TCP")));
    return rule;
  }

  static NetworkPolicyEgressRule egress(List<NetworkPolicyPeer> to, int... ports) {
    NetworkPolicyEgressRule rule = new NetworkPolicyEgressRule();
    rule.setTo(to);
    List<NetworkPolicyPort> p = new ArrayList<>();
    for (int port : ports) {
      p.add(port(port, "TCP"));
    }
    rule.setPorts(p);
    return rule;
  }

  static NetworkPolicyPort port(int port, String protocol) {
    NetworkPolicyPort p = new NetworkPolicyPort();
    p.setPort(new IntOrString(port));
    p.setProtocol(protocol);
    return p;
  }

  /** The peers and destinations of one stack, resolved from its spec. */
  static final class Flows {
    private final RenderContext ctx;
    private final NetworkPolicySpec np;
    private final EgressSpec egress;

    Flows(RenderContext ctx) {
      this.ctx = ctx;
      this.np = ctx.spec().networkPolicy();
      this.egress = np.getEgress() == null ? new EgressSpec() : np.getEgress();
    }

    NetworkPolicyPeer pods(Component component) {
      NetworkPolicyPeer peer = new NetworkPolicyPeer();
      peer.setPodSelector(new LabelSelector(null, podLabels(ctx, component)));
      return peer;
    }

    List<NetworkPolicyPeer> edge() {
      PeerSelector edge = np.getEdge() != null ? np.getEdge() : defaultEdge(ctx.spec());
      return List.of(peer(edge));
    }

    NetworkPolicyEgressRule dns() {
      PeerSelector dns = np.getDns() != null ? np.getDns()
          : new PeerSelector(selector("kubernetes.io/metadata.name", "kube-system"), selector("k8s-app", "kube-dns"));
      NetworkPolicyEgressRule rule = new NetworkPolicyEgressRule();
      rule.setTo(List.of(peer(dns)));
      rule.setPorts(List.of(port(53, "UDP"), port(53, "TCP")));
      return rule;
    }

    List<NetworkPolicyEgressRule> database() {
      ResolvedSpec.Database db = ctx.spec().database();
      if (db.embedded()) {
        return List.of(egress(List.of(pods(Component.POSTGRES)), PostgresStatefulSet.PORT));
      }
      List<CidrBlock> where = egress.getDatabase() != null ? egress.getDatabase()
          : db.host().matches(IPV4) ? List.of(new CidrBlock(db.host() + "/32", List.of())) : ANYWHERE;
      return List.of(egress(blocks(where), db.port()));
    }

    List<NetworkPolicyEgressRule> redis() {
      ResolvedSpec.Redis redis = ctx.spec().redis();
      return switch (redis.mode()) {
        case EMBEDDED -> List.of(egress(List.of(pods(Component.REDIS)), RedisDeployment.PORT));
        case EXTERNAL -> List.of(egress(blocks(egress.getRedis() != null ? egress.getRedis() : ANYWHERE),
            egress.getRedisPort() != null ? egress.getRedisPort() : new EgressSpec().getRedisPort()));
        case NONE -> List.of();
      };
    }

    List<NetworkPolicyEgressRule> smtp() {
      return ctx.spec().smtp()
          .map(s -> List.of(egress(blocks(egress.getSmtp() != null ? egress.getSmtp() : publicBlocks()), s.port())))
          .orElse(List.of());
    }

    List<NetworkPolicyEgressRule> s3() {
      var s3 = ctx.spec().storage().s3();
      if (s3 == null) {
        return List.of();
      }
      return List.of(egress(blocks(egress.getS3() != null ? egress.getS3() : publicBlocks()),
          endpointPort(URI.create(s3.getEndpoint()))));
    }

    List<NetworkPolicyEgressRule> backupS3() {
      var s3 = ctx.spec().backup().s3();
      if (s3 == null) {
        return List.of();
      }
      return List.of(egress(blocks(egress.getBackupS3() != null ? egress.getBackupS3() : publicBlocks()),
          endpointPort(URI.create(s3.getEndpoint()))));
    }

    List<NetworkPolicyEgressRule> internetHttps() {
      boolean on = egress.getInternetHTTPS() == null || egress.getInternetHTTPS();
      return on ? List.of(egress(blocks(publicBlocks()), 443)) : List.of();
    }

    private static int endpointPort(URI endpoint) {
      return endpoint.getPort() > 0 ? endpoint.getPort() : "http".equals(endpoint.getScheme()) ? 80 : 443;
    }

    private List<CidrBlock> publicBlocks() {
      return egress.getPublicCIDRs() != null ? egress.getPublicCIDRs() : DEFAULT_PUBLIC;
    }
  }

  /** Where the edge's pods are, by controller, unless the spec says: see docs/networking.md. */
  static PeerSelector defaultEdge(ResolvedSpec spec) {
    IngressSpec.Controller controller = spec.ingressController();
    if (controller == IngressSpec.Controller.NGINX) {
      return new PeerSelector(selector("kubernetes.io/metadata.name", "ingress-nginx"),
          selector("app.kubernetes.io/name", "ingress-nginx"));
    }
    if (controller == IngressSpec.Controller.TRAEFIK) {
      return new PeerSelector(new LabelSelector(), selector("app.kubernetes.io/name", "traefik"));
    }
    return new PeerSelector(new LabelSelector(), new LabelSelector());
  }

  private static NetworkPolicyPeer peer(PeerSelector s) {
    NetworkPolicyPeer peer = new NetworkPolicyPeer();
    peer.setNamespaceSelector(s.getNamespaceSelector() == null ? new LabelSelector() : s.getNamespaceSelector());
    peer.setPodSelector(s.getPodSelector() == null ? new LabelSelector() : s.getPodSelector());
    return peer;
  }

  private static LabelSelector selector(String key, String value) {
    return new LabelSelector(null, Map.of(key, value));
  }

  private static List<NetworkPolicyPeer> blocks(List<CidrBlock> blocks) {
    List<NetworkPolicyPeer> peers = new ArrayList<>();
    for (CidrBlock b : blocks) {
      NetworkPolicyPeer peer = new NetworkPolicyPeer();
      peer.setIpBlock(new IPBlock(b.getCidr(), b.getExcept() == null || b.getExcept().isEmpty() ? null
          : new ArrayList<>(b.getExcept())));
      peers.add(peer);
    }
    return peers;
  }
}
