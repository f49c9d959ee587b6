package org.loomio.operator.render.network;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
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
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.loomio.operator.api.v1alpha1.CidrBlock;
import org.loomio.operator.api.v1alpha1.Cidrs;
import org.loomio.operator.api.v1alpha1.EgressSpec;
import org.loomio.operator.api.v1alpha1.IngressSpec;
import org.loomio.operator.api.v1alpha1.NetworkPolicySpec;
import org.loomio.operator.api.v1alpha1.PeerSelector;
import org.loomio.operator.api.v1alpha1.RedisSpec;
import org.loomio.operator.model.CloudNativePGSettings;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Labels;
import org.loomio.operator.model.Names;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.base.ObjectMetas;
import org.loomio.operator.render.base.RenderContext;
import org.loomio.operator.render.workload.CloudNativePGClusters;
import org.loomio.operator.render.workload.HocuspocusDeployment;
import org.loomio.operator.render.workload.PostgresStatefulSet;
import org.loomio.operator.render.workload.RedisDeployment;
import org.loomio.operator.render.workload.WebDeployment;

/**
 * The stack's NetworkPolicies: one that denies every ingress and egress for all pods of the stack, and
 * one per component that allows exactly the flows it needs (docs/networking.md has the matrix):
 *
 * <ul>
 *   <li>the edge (ingress controller or gateway pods; none without an edge) to web:8080 and hocuspocus:80;
 *   <li>hocuspocus to web:8080 (its auth callback), and to public HTTPS when a Sentry DSN reaches it;
 *   <li>web, worker and the migration Job to PostgreSQL and Redis (embedded pods, or external ranges);
 *   <li>web and worker to SMTP, to the S3 endpoint, and to public HTTPS (web push, webhooks, sign-in);
 *   <li>backup and restore pods to PostgreSQL and to the backup bucket;
 *   <li>the embedded database's role setup Job to PostgreSQL only;
 *   <li>everyone to the cluster DNS; PostgreSQL and Redis to nothing else.
 * </ul>
 *
 * Selection is by instance (and component), not namespace-wide, so other stacks or workloads in the
 * namespace are untouched: recorded exceptions to rules R30 and R31.
 *
 * <p>No rule admits every address unless the spec writes such a range: an external server named by host is
 * pinned to its address, to its namespace when the host is an in-cluster Service name, and otherwise to public
 * addresses ({@link #externalServer}); {@link #assumptions} says where the last was assumed. No pod of the stack
 * talks to the Kubernetes API (none mounts a token), so no rule leads there.
 */
public final class NetworkPolicies {

  /**
   * Public addresses: everything but private (RFC 1918, fc00::/7), carrier-grade NAT (100.64/10, which holds
   * Alibaba Cloud's metadata service), loopback, link-local (169.254/16: the metadata service; fe80::/10),
   * "this network" (0.0.0.0/8), and NAT64 (64:ff9b::/96), through which an IPv4 address left out here could
   * be reached again. IPv4-mapped addresses (::ffff:0:0/96) are not listed: a connection to one leaves the pod
   * as an IPv4 packet, which the IPv4 block governs, and the API server refuses that except under ::/0 (Go's
   * {@code IPNet.Contains} reads it as IPv4; seen on the real API server).
   */
  public static final List<CidrBlock> DEFAULT_PUBLIC = List.of(
      new CidrBlock(
          "0.0.0.0/0",
          List.of(
              "10.0.0.0/8",
              "172.16.0.0/12",
              "192.168.0.0/16",
              "100.64.0.0/10",
              "127.0.0.0/8",
              "169.254.0.0/16",
              "0.0.0.0/8")),
      new CidrBlock("::/0", List.of("fc00::/7", "fe80::/10", "::1/128", "64:ff9b::/96")));

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
    addApplication(ctx, f, policies);
    List<NetworkPolicyEgressRule> migrateEgress = new ArrayList<>();
    migrateEgress.add(f.dns());
    migrateEgress.addAll(f.database());
    migrateEgress.addAll(f.redis());
    policies.add(allow(ctx, Component.MIGRATE, List.of(), migrateEgress));
    addBackups(ctx, f, policies);
    addJobsAndDataStores(ctx, f, migrateEgress, policies);
    return policies;
  }

  /** Web, worker and hocuspocus. */
  private static void addApplication(RenderContext ctx, Flows f, List<NetworkPolicy> policies) {
    ResolvedSpec spec = ctx.spec();
    List<NetworkPolicyEgressRule> appEgress = new ArrayList<>();
    appEgress.add(f.dns());
    appEgress.addAll(f.database());
    appEgress.addAll(f.redis());
    appEgress.addAll(f.smtp());
    appEgress.addAll(f.s3());
    appEgress.addAll(f.internetHttps());

    // web's port: the edge's pods and the stack's hocuspocus (its auth callback), nobody else
    List<NetworkPolicyIngressRule> webIn = new ArrayList<>(fromEdge(f, WebDeployment.HTTP_PORT));
    if (spec.hocuspocusEnabled()) {
      webIn.add(ingress(List.of(f.pods(Component.HOCUSPOCUS)), WebDeployment.HTTP_PORT));
    }
    policies.add(allow(ctx, Component.WEB, webIn, appEgress));
    policies.add(allow(ctx, Component.WORKER, List.of(), appEgress));
    if (spec.hocuspocusEnabled()) {
      List<NetworkPolicyEgressRule> hocuspocusEgress = new ArrayList<>(
          List.of(f.dns(), egress(List.of(f.pods(Component.WEB)), WebDeployment.HTTP_PORT)));
      if (!HocuspocusDeployment.errorReporting(spec).isEmpty()) {
        // a Sentry DSN reaches hocuspocus (hocuspocus/server.mjs reports its errors there): public
        // HTTPS, like
        // web's, under the same spec.networkPolicy.egress.internetHTTPS switch
        hocuspocusEgress.addAll(f.internetHttps());
      }
      policies.add(allow(
          ctx,
          Component.HOCUSPOCUS,
          fromEdge(f, HocuspocusDeployment.HTTP_PORT),
          hocuspocusEgress));
    }
  }

  /** Backup, restore and (when they run) restore drill pods. */
  private static void addBackups(RenderContext ctx, Flows f, List<NetworkPolicy> policies) {
    // backup and restore pods: the database and the backup bucket, nothing else, nobody may connect
    // to them
    List<NetworkPolicyEgressRule> backupEgress = new ArrayList<>();
    backupEgress.add(f.dns());
    backupEgress.addAll(f.database());
    backupEgress.addAll(f.backupS3());
    policies.add(allow(ctx, Component.BACKUP, List.of(), backupEgress));
    policies.add(allow(ctx, Component.RESTORE, List.of(), backupEgress));
    if (ctx.spec().drill().runs()) {
      // restore drills: the backup bucket and DNS only (their PostgreSQL is inside their own pod);
      // no ingress
      List<NetworkPolicyEgressRule> drillEgress = new ArrayList<>();
      drillEgress.add(f.dns());
      drillEgress.addAll(f.backupS3());
      policies.add(allow(ctx, Component.DRILL, List.of(), drillEgress));
    }
  }

  /**
   * The transient Jobs (password rotation, version gate, role setup) and the data stores, which admit their
   * clients.
   */
  private static void addJobsAndDataStores(
      RenderContext ctx,
      Flows f,
      List<NetworkPolicyEgressRule> migrateEgress,
      List<NetworkPolicy> policies) {
    ResolvedSpec spec = ctx.spec();
    List<NetworkPolicyPeer> clients = new ArrayList<>(List.of(
        f.pods(Component.WEB),
        f.pods(Component.WORKER),
        f.pods(Component.MIGRATE),
        f.pods(Component.BACKUP),
        f.pods(Component.RESTORE)));
    if (ctx.rotation().isPresent()) {
      // the password rotation Job: the database only, while it exists
      policies.add(allow(ctx, Component.ROTATE, List.of(), rotateEgress(f)));
      clients.add(f.pods(Component.ROTATE));
    }
    // Redis admits the Rails processes that use it, not every database client: the backup, restore,
    // rotation and role setup pods never reach it (their egress does not allow it either)
    List<NetworkPolicyPeer> cacheClients = new ArrayList<>(
        List.of(f.pods(Component.WEB), f.pods(Component.WORKER), f.pods(Component.MIGRATE)));
    if (ctx.upgradeGate().isPresent()) {
      // a version gate check: a Rails process like the migration, while it is due
      policies.add(allow(ctx, Component.UPGRADE_GATE, List.of(), migrateEgress));
      clients.add(f.pods(Component.UPGRADE_GATE));
      cacheClients.add(f.pods(Component.UPGRADE_GATE));
    }
    if (spec.database().embedded()) {
      // the role setup Job: DNS and the embedded database only; the database (not Redis) admits it
      policies.add(allow(ctx, Component.DB_ROLES, List.of(), rotateEgress(f)));
      List<NetworkPolicyPeer> databaseClients = new ArrayList<>(clients);
      databaseClients.add(f.pods(Component.DB_ROLES));
      policies.add(allow(
          ctx,
          Component.POSTGRES,
          List.of(ingress(databaseClients, PostgresStatefulSet.PORT)),
          List.of(f.dns())));
    }
    if (spec.database().cloudNativePG()) {
      policies.add(cloudNativePG(ctx, f, clients));
    }
    if (spec.redis().embedded()) {
      policies.add(allow(
          ctx,
          Component.REDIS,
          List.of(ingress(cacheClients, RedisDeployment.PORT)),
          List.of(f.dns())));
    }
  }

  /**
   * The rule admitting the edge on a port, or none without an edge: a rule with no peers would admit every
   * source, so there is no rule at all.
   */
  private static List<NetworkPolicyIngressRule> fromEdge(Flows f, int port) {
    List<NetworkPolicyPeer> edge = f.edge();
    return edge.isEmpty() ? List.of() : List.of(ingress(edge, port));
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
    Set<Component> jobs = ctx.databaseJobsAtWork();
    if (jobs.isEmpty()) {
      if (ctx.spec().database().cloudNativePG()) {
        // the instances carry the instance label (inheritedMetadata), so the deny-all covers them;
        // this one covers
        // them by CloudNativePG's own label too, should the label not have reached a pod
        policies.add(cloudNativePGIsolated(ctx, List.of()));
      }
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
      // the restore's own migration Job only (it carries the restore's label), not the stack's
      // migration Jobs
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
      policies.add(allow(
          ctx, Component.POSTGRES, List.of(ingress(clients, PostgresStatefulSet.PORT)), List.of()));
    }
    if (spec.database().cloudNativePG()) {
      policies.add(cloudNativePGIsolated(ctx, clients));
    }
    if (spec.redis().embedded() && !cacheClients.isEmpty()) {
      policies.add(allow(
          ctx, Component.REDIS, List.of(ingress(cacheClients, RedisDeployment.PORT)), List.of()));
    }
    return policies;
  }

  /**
   * The CloudNativePG instances ({@code cnpg.io/cluster=<name>-postgres}: a policy selects pods, and the primary
   * moves on failover): in, the stack's database clients on 5432, the other instances on 5432 (replication) and
   * 8000 (the instance manager's status), CloudNativePG's operator (its namespace and pods) on 8000 and 5432, and
   * Prometheus on 9187 when monitoring is on; out, the cluster DNS, the other instances on 5432 and 8000, the API
   * server (its instance manager watches the Cluster) at the installation's API-server addresses only, and the
   * continuous backup's bucket when it is on.
   */
  private static NetworkPolicy cloudNativePG(
      RenderContext ctx, Flows f, List<NetworkPolicyPeer> clients) {
    CloudNativePGSettings settings = ctx.cloudNativePGSettings();
    NetworkPolicyPeer instances = f.cloudNativePGInstances();
    List<NetworkPolicyIngressRule> in = new ArrayList<>();
    in.add(ingress(clients, CloudNativePGClusters.POSTGRES_PORT));
    in.add(ingress(
        List.of(instances),
        CloudNativePGClusters.POSTGRES_PORT,
        CloudNativePGClusters.STATUS_PORT));
    in.add(ingress(
        List.of(peer(new PeerSelector(
            namespace(settings.operatorNamespace()),
            selector("app.kubernetes.io/name", "cloudnative-pg")))),
        CloudNativePGClusters.STATUS_PORT,
        CloudNativePGClusters.POSTGRES_PORT));
    if (settings.podMonitor() && !settings.monitoringNamespaces().isEmpty()) {
      List<NetworkPolicyPeer> prometheus = settings.monitoringNamespaces().stream()
          .map(n -> peer(new PeerSelector(namespace(n), new LabelSelector())))
          .toList();
      in.add(ingress(prometheus, CloudNativePGClusters.METRICS_PORT));
    }
    List<NetworkPolicyEgressRule> out = new ArrayList<>();
    out.add(f.dns());
    out.add(egress(
        List.of(instances),
        CloudNativePGClusters.POSTGRES_PORT,
        CloudNativePGClusters.STATUS_PORT));
    if (!settings.apiServer().isEmpty()) {
      out.add(egress(
          blocks(settings.apiServer()),
          settings.apiServerPorts().stream().mapToInt(Integer::intValue).toArray()));
    }
    out.addAll(f.continuousBackup());
    return cloudNativePGPolicy(ctx, in, out);
  }

  /** Isolated: the instances accept only the operator's Jobs at work on the database, and reach nothing. */
  private static NetworkPolicy cloudNativePGIsolated(
      RenderContext ctx, List<NetworkPolicyPeer> clients) {
    return cloudNativePGPolicy(
        ctx,
        clients.isEmpty()
            ? List.of()
            : List.of(ingress(clients, CloudNativePGClusters.POSTGRES_PORT)),
        List.of());
  }

  private static NetworkPolicy cloudNativePGPolicy(
      RenderContext ctx, List<NetworkPolicyIngressRule> in, List<NetworkPolicyEgressRule> out) {
    return new NetworkPolicyBuilder()
        .withMetadata(ObjectMetas.of(ctx, Component.POSTGRES))
        .withNewSpec()
        .withPodSelector(cloudNativePGPods(ctx))
        .withPolicyTypes("Ingress", "Egress")
        .withIngress(in)
        .withEgress(out)
        .endSpec()
        .build();
  }

  /** The pods of the stack's CloudNativePG Cluster (CloudNativePG labels every one with the Cluster's name). */
  static LabelSelector cloudNativePGPods(RenderContext ctx) {
    return selector(CloudNativePGClusters.CLUSTER_LABEL, Names.cnpgCluster(ctx.name()));
  }

  /** The migration Job a LoomioRestore runs after restoring: component migrate with the restore label. */
  private static LabelSelector restoreMigration(RenderContext ctx) {
    LabelSelector selector = new LabelSelector(null, podLabels(ctx, Component.MIGRATE));
    selector.setMatchExpressions(
        List.of(new LabelSelectorRequirement(Labels.RESTORE, "Exists", null)));
    return selector;
  }

  private static List<NetworkPolicyEgressRule> rotateEgress(Flows f) {
    List<NetworkPolicyEgressRule> out = new ArrayList<>();
    out.add(f.dns());
    out.addAll(f.database());
    return out;
  }

  private static NetworkPolicy allow(
      RenderContext ctx,
      Component component,
      List<NetworkPolicyIngressRule> in,
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

  static NetworkPolicyIngressRule ingress(List<NetworkPolicyPeer> from, int... ports) {
    NetworkPolicyIngressRule rule = new NetworkPolicyIngressRule();
    rule.setFrom(from);
    List<NetworkPolicyPort> p = new ArrayList<>();
    for (int port : ports) {
      p.add(port(port, "TCP"));
    }
    rule.setPorts(p);
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

    /** The edge's pods, or none (no edge and no spec.networkPolicy.edge). */
    List<NetworkPolicyPeer> edge() {
      PeerSelector edge =
          np.getEdge() != null ? np.getEdge() : defaultEdge(ctx.spec()).orElse(null);
      return edge == null ? List.of() : List.of(peer(edge));
    }

    NetworkPolicyEgressRule dns() {
      PeerSelector dns = np.getDns() != null
          ? np.getDns()
          : new PeerSelector(
              selector("kubernetes.io/metadata.name", "kube-system"),
              selector("k8s-app", "kube-dns"));
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
      if (db.cloudNativePG()) {
        // the instances' pods, not the -rw Service: the primary moves on failover
        return List.of(
            egress(List.of(cloudNativePGInstances()), CloudNativePGClusters.POSTGRES_PORT));
      }
      return List.of(egress(externalServer(db.host(), egress.getDatabase()).peers(), db.port()));
    }

    NetworkPolicyPeer cloudNativePGInstances() {
      NetworkPolicyPeer peer = new NetworkPolicyPeer();
      peer.setPodSelector(cloudNativePGPods(ctx));
      return peer;
    }

    /** The continuous backup's bucket (as spec.networkPolicy.egress.backupS3 says, else public addresses). */
    List<NetworkPolicyEgressRule> continuousBackup() {
      var c = ctx.spec().cloudNativePG().map(ResolvedSpec.CloudNativePG::backup).orElse(null);
      if (c == null) {
        return List.of();
      }
      return List.of(egress(
          blocks(egress.getBackupS3() != null ? egress.getBackupS3() : publicBlocks()),
          endpointPort(URI.create(c.getS3().getEndpoint()))));
    }

    List<NetworkPolicyEgressRule> redis() {
      ResolvedSpec.Redis redis = ctx.spec().redis();
      return switch (redis.mode()) {
        case EMBEDDED -> List.of(egress(List.of(pods(Component.REDIS)), RedisDeployment.PORT));
        case EXTERNAL ->
          List.of(egress(
              externalServer(redis.host(), egress.getRedis()).peers(),
              egress.getRedisPort() != null
                  ? egress.getRedisPort()
                  : new EgressSpec().getRedisPort()));
        case NONE -> List.of();
      };
    }

    List<NetworkPolicyEgressRule> smtp() {
      return ctx.spec()
          .smtp()
          .map(s -> List.of(egress(
              blocks(egress.getSmtp() != null ? egress.getSmtp() : publicBlocks()), s.port())))
          .orElse(List.of());
    }

    List<NetworkPolicyEgressRule> s3() {
      var s3 = ctx.spec().storage().s3();
      if (s3 == null) {
        return List.of();
      }
      return List.of(egress(
          blocks(egress.getS3() != null ? egress.getS3() : publicBlocks()),
          endpointPort(URI.create(s3.getEndpoint()))));
    }

    List<NetworkPolicyEgressRule> backupS3() {
      var s3 = ctx.spec().backup().s3();
      if (s3 == null) {
        return List.of();
      }
      return List.of(egress(
          blocks(egress.getBackupS3() != null ? egress.getBackupS3() : publicBlocks()),
          endpointPort(URI.create(s3.getEndpoint()))));
    }

    List<NetworkPolicyEgressRule> internetHttps() {
      boolean on = egress.getInternetHTTPS() == null || egress.getInternetHTTPS();
      return on ? List.of(egress(blocks(publicBlocks()), 443)) : List.of();
    }

    private static int endpointPort(URI endpoint) {
      return endpoint.getPort() > 0
          ? endpoint.getPort()
          : "http".equals(endpoint.getScheme()) ? 80 : 443;
    }

    private List<CidrBlock> publicBlocks() {
      return egress.getPublicCIDRs() != null ? egress.getPublicCIDRs() : DEFAULT_PUBLIC;
    }
  }

  /** The namespaces a default Traefik runs in: its chart's documented one, and k3s' bundled Traefik's. */
  public static final List<String> TRAEFIK_NAMESPACES = List.of("traefik", "kube-system");

  /**
   * Where the edge's pods are unless spec.networkPolicy.edge says (docs/networking.md): ingress-nginx's pods in
   * namespace ingress-nginx; Traefik's pods in namespace traefik or kube-system; with a Gateway, every pod of the
   * Gateway's namespace (where Istio, NGINX Gateway Fabric 2 and others run its proxies); no edge, nobody.
   */
  static Optional<PeerSelector> defaultEdge(ResolvedSpec spec) {
    IngressSpec.Controller controller = spec.ingressController();
    if (controller == IngressSpec.Controller.NGINX) {
      return Optional.of(new PeerSelector(
          namespace("ingress-nginx"), selector("app.kubernetes.io/name", "ingress-nginx")));
    }
    if (controller == IngressSpec.Controller.TRAEFIK) {
      LabelSelector namespaces = new LabelSelector();
      namespaces.setMatchExpressions(
          List.of(new LabelSelectorRequirement(NAMESPACE_NAME, "In", TRAEFIK_NAMESPACES)));
      return Optional.of(
          new PeerSelector(namespaces, selector("app.kubernetes.io/name", "traefik")));
    }
    return spec.gateway()
        .map(g -> new PeerSelector(
            namespace(g.getNamespace() != null ? g.getNamespace() : spec.namespace()),
            new LabelSelector()));
  }

  /** The label every namespace carries with its own name (Kubernetes 1.21+). */
  static final String NAMESPACE_NAME = "kubernetes.io/metadata.name";

  private static LabelSelector namespace(String name) {
    return selector(NAMESPACE_NAME, name);
  }

  /**
   * Where an external server is, for the egress rule: the ranges the spec gives ({@code given}); else, from its
   * host: an IP address exactly that address; an in-cluster Service name ({@code <service>.<namespace>.svc}, or
   * {@code .svc.cluster.local}, also with a pod's name in front) every pod of that namespace; any other name
   * public addresses only, with the assumption said ({@link #assumptions}). A null host is such a name.
   */
  public static Destination externalServer(String host, List<CidrBlock> given) {
    if (given != null) {
      return new Destination(blocks(given), null);
    }
    if (host != null) {
      var address = Cidrs.address(host);
      if (address.isPresent()) {
        return new Destination(
            blocks(
                List.of(new CidrBlock(host + (address.get().ipv4() ? "/32" : "/128"), List.of()))),
            null);
      }
      var namespace = serviceNamespace(host);
      if (namespace.isPresent()) {
        return new Destination(
            List.of(peer(new PeerSelector(namespace(namespace.get()), new LabelSelector()))), null);
      }
    }
    return new Destination(blocks(DEFAULT_PUBLIC), host == null ? "" : host);
  }

  /**
   * An egress destination: its peers, and the host whose address was assumed public (empty text: no host was
   * given), or null when nothing was assumed.
   */
  public record Destination(List<NetworkPolicyPeer> peers, String assumedPublic) {}

  /**
   * The namespace of an in-cluster Service name: {@code <service>.<namespace>.svc} or
   * {@code <service>.<namespace>.svc.cluster.local}, also {@code <pod>.<service>.<namespace>.svc...}; the label
   * right before {@code svc}. With another cluster domain, write the {@code .svc} form (the pods' DNS search
   * path completes it).
   */
  public static Optional<String> serviceNamespace(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    String rest = h.endsWith(".svc.cluster.local")
        ? h.substring(0, h.length() - ".svc.cluster.local".length())
        : h.endsWith(".svc") ? h.substring(0, h.length() - ".svc".length()) : null;
    if (rest == null) {
      return Optional.empty();
    }
    String[] labels = rest.split("\\.", -1);
    String namespace = labels[labels.length - 1];
    return labels.length >= 2 && namespace.matches("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
        ? Optional.of(namespace)
        : Optional.empty();
  }

  /**
   * What the NetworkPolicies assume rather than know, one sentence each, for the status: an external database
   * or Redis reached only at public addresses because its host names no address and no in-cluster Service,
   * and how to give its range. Empty when the policies are off or nothing is assumed.
   */
  public static List<String> assumptions(ResolvedSpec spec) {
    if (!spec.networkPoliciesEnabled()) {
      return List.of();
    }
    EgressSpec egress = spec.networkPolicy().getEgress() == null
        ? new EgressSpec()
        : spec.networkPolicy().getEgress();
    List<String> out = new ArrayList<>();
    ResolvedSpec.Database db = spec.database();
    if (db.external()) {
      String assumed = externalServer(db.host(), egress.getDatabase()).assumedPublic();
      if (assumed != null) {
        out.add("web, worker, the migration Job and backups reach the database " + assumed + ":"
            + db.port()
            + " only at public addresses; if it resolves to a private address (a managed database in your"
            + " network), give its range in spec.networkPolicy.egress.database, e.g. [{cidr: 10.0.12.0/24}], or name"
            + " an in-cluster Service as <service>.<namespace>.svc");
      }
    }
    if (spec.redis().mode() == RedisSpec.Mode.EXTERNAL) {
      String assumed = externalServer(spec.redis().host(), egress.getRedis()).assumedPublic();
      if (assumed != null) {
        out.add("web, worker and the migration Job reach the external Redis "
            + (assumed.isEmpty() ? "(spec.redis.external.host is not set)" : assumed)
            + " only at public addresses on port "
            + (egress.getRedisPort() != null
                ? egress.getRedisPort()
                : new EgressSpec().getRedisPort())
            + "; set spec.redis.external.host to its in-cluster Service"
            + " (<service>.<namespace>.svc) or IP address, or give its range in spec.networkPolicy.egress.redis,"
            + " e.g. [{cidr: 10.0.13.5/32}]");
      }
    }
    return out;
  }

  /** {@link #assumptions(ResolvedSpec)}, and for a CloudNativePG database what the installation did not say. */
  public static List<String> assumptions(ResolvedSpec spec, CloudNativePGSettings settings) {
    List<String> out = new ArrayList<>(assumptions(spec));
    if (spec.networkPoliciesEnabled()
        && spec.database().cloudNativePG()
        && settings.apiServer().isEmpty()) {
      out.add(API_SERVER_UNKNOWN);
    }
    return out;
  }

  /** The assumption said when the installation gives no API-server address for CloudNativePG's instances. */
  public static final String API_SERVER_UNKNOWN =
      "the CloudNativePG instances may not reach the Kubernetes API"
          + " server (their instance manager needs it: without it no instance becomes ready): the operator was not told"
          + " its addresses; set the chart's networkPolicy.apiServer.cidrs";

  private static NetworkPolicyPeer peer(PeerSelector s) {
    NetworkPolicyPeer peer = new NetworkPolicyPeer();
    peer.setNamespaceSelector(
        s.getNamespaceSelector() == null ? new LabelSelector() : s.getNamespaceSelector());
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
      peer.setIpBlock(new IPBlock(
          b.getCidr(),
          b.getExcept() == null || b.getExcept().isEmpty()
              ? null
              : new ArrayList<>(b.getExcept())));
      peers.add(peer);
    }
    return peers;
  }
}
