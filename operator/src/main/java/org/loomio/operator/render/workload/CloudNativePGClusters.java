package org.loomio.operator.render.workload;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.loomio.operator.api.v1alpha1.ContinuousBackupSpec;
import org.loomio.operator.api.v1alpha1.S3BucketSpec;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Labels;
import org.loomio.operator.model.Names;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.base.ObjectMetas;
import org.loomio.operator.render.base.RenderContext;
import org.loomio.operator.render.edge.TraefikMiddlewares;
import org.loomio.operator.thirdparty.CloudNativePGCluster;

/**
 * The CloudNativePG Cluster of a stack in spec.database.cloudNativePG mode, {@code <name>-postgres}: its instances
 * on separate nodes (required anti-affinity), Loomio's database and a non-superuser owner role bootstrapped with the
 * extensions Loomio's schema loads (citext, hstore, pgcrypto, pg_stat_statements: created by CloudNativePG as the
 * superuser right after initdb, since pg_stat_statements is not a trusted extension), superuser access off,
 * CloudNativePG's own TLS and PodDisruptionBudgets (none of ours), and optionally its PodMonitor and its continuous
 * backup. CloudNativePG creates from it the instances' pods and claims, its Services ({@code -rw}, {@code -ro},
 * {@code -r}), ServiceAccount and Role, and the Secrets {@code -app} (the owner's credentials) and {@code -ca}.
 *
 * <p>{@code inheritedMetadata} puts {@code app.kubernetes.io/instance=<name>} on everything CloudNativePG creates,
 * so the stack's deny-all NetworkPolicy covers the instances too; never the operator's managed-by label (those
 * objects are CloudNativePG's, not the operator's).
 */
public final class CloudNativePGClusters {

  public static final String API_VERSION = "postgresql.cnpg.io/v1";
  public static final String KIND = "Cluster";
  /** The label CloudNativePG puts on every pod of a Cluster (value: the Cluster's name). */
  public static final String CLUSTER_LABEL = "cnpg.io/cluster";
  /** On the Cluster: the PostgreSQL major version it was made with (a change is refused, UpgradeGuard). */
  public static final String MAJOR_ANNOTATION = "loomio.org/postgres-major";
  /** Ports of an instance: PostgreSQL, the instance manager's status endpoint, the metrics exporter. */
  public static final int POSTGRES_PORT = 5432;

  public static final int STATUS_PORT = 8000;
  public static final int METRICS_PORT = 9187;
  /** Created after initdb, in the application database, as the superuser (not every one of them is trusted). */
  public static final List<String> EXTENSIONS =
      List.of("citext", "hstore", "pgcrypto", "pg_stat_statements");

  private CloudNativePGClusters() {}

  public static List<CloudNativePGCluster> render(RenderContext ctx) {
    ResolvedSpec spec = ctx.spec();
    var cnpg = spec.cloudNativePG();
    if (cnpg.isEmpty()) {
      return List.of();
    }
    if (!ctx.cluster().serves(ClusterCapabilities.CNPG_CLUSTER)) {
      ctx.omit(
          "postgresql.cnpg.io/v1 Cluster",
          "spec.database.cloudNativePG needs CloudNativePG installed; there is"
              + " no database, so nothing of Loomio starts (docs/database.md, Installing CloudNativePG)");
      return List.of();
    }
    ResolvedSpec.CloudNativePG c = cnpg.get();
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("instances", c.instances());
    s.put("imageName", c.imageName());
    s.put("imagePullPolicy", spec.cloudNativePGPullPolicy());
    if (!spec.imagePullSecrets().isEmpty()) {
      s.put(
          "imagePullSecrets",
          spec.imagePullSecrets().stream().map(r -> Map.of("name", r.getName())).toList());
    }
    s.put("enableSuperuserAccess", false);
    s.put(
        "inheritedMetadata",
        ordered("labels", ordered(Labels.INSTANCE, ctx.name(), Labels.PART_OF, Labels.APP)));
    s.put(
        "bootstrap",
        ordered(
            "initdb",
            ordered(
                "database", ResolvedSpec.EMBEDDED_DATABASE,
                "owner", ResolvedSpec.CNPG_OWNER,
                "postInitApplicationSQL",
                    EXTENSIONS.stream()
                        .map(e -> "CREATE EXTENSION IF NOT EXISTS " + e)
                        .toList())));
    Map<String, Object> storage = new LinkedHashMap<>();
    storage.put("size", c.storageSize());
    if (c.storageClassName() != null) {
      storage.put("storageClass", c.storageClassName());
    }
    s.put("storage", storage);
    s.put("resources", resources(c.workload().resources()));
    s.put(
        "affinity",
        ordered(
            "enablePodAntiAffinity",
            true,
            "topologyKey",
            "kubernetes.io/hostname",
            "podAntiAffinityType",
            "required"));
    s.put("enablePDB", true);
    s.put("monitoring", ordered("enablePodMonitor", ctx.cloudNativePGSettings().podMonitor()));
    if (c.backup() != null) {
      s.put("backup", backup(c));
    }
    CloudNativePGCluster cluster = new CloudNativePGCluster();
    cluster.setMetadata(ObjectMetas.of(ctx, Names.cnpgCluster(ctx.name()), Component.POSTGRES));
    cluster
        .getMetadata()
        .setAnnotations(
            new LinkedHashMap<>(Map.of(MAJOR_ANNOTATION, Integer.toString(c.version()))));
    cluster.setSpec(s);
    return List.of(cluster);
  }

  /** barmanObjectStore: the bucket under this stack's own path, the credentials by reference (CloudNativePG reads them). */
  private static Map<String, Object> backup(ResolvedSpec.CloudNativePG c) {
    ContinuousBackupSpec b = c.backup();
    S3BucketSpec s3 = b.getS3();
    String secret = s3.getCredentialsSecretRef().getName();
    Map<String, Object> store = new LinkedHashMap<>();
    store.put("destinationPath", c.backupPath());
    store.put("endpointURL", s3.getEndpoint());
    if (b.getCaSecretRef() != null) {
      store.put(
          "endpointCA",
          ordered(
              "name", b.getCaSecretRef().getName(), "key", b.getCaSecretRef().getKey()));
    }
    store.put(
        "s3Credentials",
        ordered(
            "accessKeyId", ordered("name", secret, "key", S3BucketSpec.ACCESS_KEY_ID),
            "secretAccessKey", ordered("name", secret, "key", S3BucketSpec.SECRET_ACCESS_KEY)));
    store.put("wal", ordered("compression", "gzip"));
    store.put("data", ordered("compression", "gzip"));
    return ordered("retentionPolicy", c.retentionDays() + "d", "barmanObjectStore", store);
  }

  private static Map<String, Object> resources(ResourceRequirements r) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (r.getRequests() != null && !r.getRequests().isEmpty()) {
      out.put("requests", quantities(r.getRequests()));
    }
    if (r.getLimits() != null && !r.getLimits().isEmpty()) {
      out.put("limits", quantities(r.getLimits()));
    }
    return out;
  }

  private static Map<String, String> quantities(Map<String, Quantity> q) {
    Map<String, String> out = new TreeMap<>();
    q.forEach((k, v) -> out.put(k, v.toString()));
    return out;
  }

  private static Map<String, Object> ordered(Object... keysAndValues) {
    return TraefikMiddlewares.ordered(keysAndValues);
  }
}
