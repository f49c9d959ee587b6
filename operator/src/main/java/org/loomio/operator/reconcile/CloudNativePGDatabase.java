package org.loomio.operator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import org.loomio.operator.api.v1alpha1.ComponentStatus;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.model.CloudNativePGSettings;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Names;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.base.Ownership;
import org.loomio.operator.render.base.RenderContext.DatabaseReadiness;
import org.loomio.operator.render.network.NetworkPolicies;
import org.loomio.operator.render.workload.CloudNativePGClusters;
import org.loomio.operator.thirdparty.CloudNativePGCluster;

/**
 * A stack's CloudNativePG database as the operator sees it: the Cluster the stack owns (from the informer), the
 * Secrets CloudNativePG generated for it, and the Cluster's own status.
 *
 * <p><b>Trust.</b> {@code <name>-postgres-app} and {@code <name>-postgres-ca} are not named by the tenant and carry
 * no consent mark: they are trusted only through their owner reference, to the very Cluster (by UID) that carries
 * an owner reference to this LoomioDeployment's UID and the operator's labels, and only in the version that
 * Cluster's status records ({@link #recordedBy}): an owner reference can be forged, the Cluster's status cannot by
 * whoever may only write Secrets. A Secret of either name that
 * anyone else made (before CloudNativePG, or in its place) stops the stack before anything is applied
 * (NameConflict); until both exist, nothing that reads them runs. The operator only reads them: their values
 * reach the pods as secretKeyRef and a mounted file, never a copy, and are digested (keyed) so that a new password
 * rolls the pods.
 *
 * <p><b>Mode.</b> The database mode of a stack never changes under it ({@link #modeChange}): the data is in one
 * place, and switching would start Loomio on an empty database. Neither does the Cluster's PostgreSQL major.
 */
public final class CloudNativePGDatabase {

  /**
   * What was observed.
   *
   * @param readiness what the render may start
   * @param secrets the proven Secrets (for digests and redaction), by name
   * @param refusal a Secret of the Cluster's names that is not the Cluster's (NameConflict), if any
   * @param component instances ready and wanted
   * @param healthy the Cluster reports every instance ready in its healthy phase
   * @param message for Ready when not healthy
   * @param networkAssumptions what the NetworkPolicies cannot know (the API server's addresses)
   */
  public record State(
      DatabaseReadiness readiness,
      Map<String, Secret> secrets,
      Optional<String> refusal,
      ComponentStatus component,
      boolean healthy,
      String message,
      List<String> networkAssumptions) {

    static final State NONE =
        new State(DatabaseReadiness.READY, Map.of(), Optional.empty(), null, true, null, List.of());

    /** Whether the stack runs on CloudNativePG at all. */
    public boolean applies() {
      return component != null;
    }
  }

  /** CloudNativePG's phase of a Cluster whose instances are all up. */
  public static final String HEALTHY_PHASE = "Cluster in healthy state";

  private CloudNativePGDatabase() {}

  /**
   * The Cluster of the stack's name that is the stack's own, from the informer (empty: none, or not served). The
   * informer is registered by the workflow's first run after the operator starts and fills while it syncs, so a
   * stack on CloudNativePG whose Cluster the informer does not hold reads it from the API server (by name): judged
   * without it, a running stack would look as if its Cluster were missing, and be scaled down until the next
   * reconcile. A converged stack finds it in the informer (no request).
   */
  static Optional<CloudNativePGCluster> ownCluster(
      Context<LoomioDeployment> context, ResolvedSpec spec) {
    return ownCluster(context, spec, spec.cloudNativePG().isPresent());
  }

  /**
   * As {@link #ownCluster(Context, ResolvedSpec)}, reading from the API server when the informer does not hold
   * the Cluster and {@code readIfMissing}.
   */
  static Optional<CloudNativePGCluster> ownCluster(
      Context<LoomioDeployment> context, ResolvedSpec spec, boolean readIfMissing) {
    String name = Names.cnpgCluster(spec.name());
    Optional<CloudNativePGCluster> cached;
    try {
      cached = context.getSecondaryResources(CloudNativePGCluster.class).stream()
          .filter(c -> name.equals(c.getMetadata().getName()))
          .findFirst();
    } catch (IllegalArgumentException | IllegalStateException e) {
      cached = Optional.empty(); // no informer (yet): not served, or the first reconcile
    }
    if (cached.isEmpty() && readIfMissing) {
      cached = read(context.getClient(), spec.namespace(), name);
    }
    return cached.filter(c -> Ownership.ours(Ownership.owned(c, spec.name(), spec.uid())));
  }

  private static Optional<CloudNativePGCluster> read(
      KubernetesClient client, String namespace, String name) {
    try {
      return Optional.ofNullable(client
          .resources(CloudNativePGCluster.class)
          .inNamespace(namespace)
          .withName(name)
          .get());
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      return Optional.empty(); // not served (or not readable): no Cluster to go by
    }
  }

  public static State observe(
      KubernetesClient client,
      Context<LoomioDeployment> context,
      ResolvedSpec spec,
      ClusterCapabilities cluster,
      CloudNativePGSettings settings) {
    return observe(
        spec,
        cluster,
        settings,
        ownCluster(context, spec),
        name -> client.secrets().inNamespace(spec.namespace()).withName(name).get());
  }

  /** Pure: the Cluster as the informer holds it, and the Secrets as read by name. */
  static State observe(
      ResolvedSpec spec,
      ClusterCapabilities cluster,
      CloudNativePGSettings settings,
      Optional<CloudNativePGCluster> own,
      Function<String, Secret> read) {
    var c = spec.cloudNativePG();
    if (c.isEmpty()) {
      return State.NONE;
    }
    int wanted = c.get().instances();
    List<String> assumptions = networkAssumptions(spec, settings);
    if (!cluster.serves(ClusterCapabilities.CNPG_CLUSTER)) {
      return waiting(
          DatabaseReadiness.NO_SECRETS,
          Map.of(),
          new ComponentStatus(0, wanted),
          "no database: the cluster does not serve postgresql.cnpg.io/v1 (CloudNativePG is not installed; see"
              + " APIAvailable and docs/database.md); nothing of Loomio starts without it",
          assumptions);
    }
    String clusterName = Names.cnpgCluster(spec.name());
    if (own.isEmpty()) {
      return waiting(
          DatabaseReadiness.NO_SECRETS,
          Map.of(),
          new ComponentStatus(0, wanted),
          "waiting for the database: creating the CloudNativePG Cluster " + clusterName,
          assumptions);
    }
    CloudNativePGCluster ours = own.get();
    ClusterSecrets secrets = readSecrets(spec, ours, read);
    if (secrets.foreign() != null) {
      return foreignSecret(secrets.foreign(), ours, clusterName, wanted, assumptions);
    }
    return fromClusterStatus(ours, clusterName, wanted, secrets, assumptions);
  }

  /** What the NetworkPolicies cannot know: the API server's addresses, when not configured. */
  private static List<String> networkAssumptions(
      ResolvedSpec spec, CloudNativePGSettings settings) {
    return spec.networkPoliciesEnabled() && settings.apiServer().isEmpty()
        ? List.of(NetworkPolicies.API_SERVER_UNKNOWN)
        : List.of();
  }

  /**
   * The Cluster's Secrets, read in order (app, then CA): proven, missing, not (yet) recorded, or the first that is
   * not the Cluster's (after which nothing more is read).
   */
  private record ClusterSecrets(
      Map<String, Secret> proven, List<String> missing, List<String> unconfirmed, Secret foreign) {}

  private static ClusterSecrets readSecrets(
      ResolvedSpec spec, CloudNativePGCluster ours, Function<String, Secret> read) {
    Map<String, Secret> proven = new LinkedHashMap<>();
    List<String> missing = new ArrayList<>();
    List<String> unconfirmed = new ArrayList<>();
    for (String name : List.of(Names.cnpgApp(spec.name()), Names.cnpgCa(spec.name()))) {
      Secret secret = read.apply(name);
      if (secret == null) {
        missing.add(name);
        continue;
      }
      if (!ownedBy(secret, ours)) {
        return new ClusterSecrets(proven, missing, unconfirmed, secret);
      }
      if (!recordedBy(secret, ours)) {
        unconfirmed.add(name);
        continue;
      }
      proven.put(name, secret);
    }
    return new ClusterSecrets(proven, missing, unconfirmed, null);
  }

  private static State foreignSecret(
      Secret secret,
      CloudNativePGCluster ours,
      String clusterName,
      int wanted,
      List<String> assumptions) {
    return new State(
        DatabaseReadiness.NO_SECRETS,
        Map.of(),
        Optional.of(Ownership.describe(secret)
            + " exists and is not this stack's database's: it has no owner reference to the CloudNativePG Cluster "
            + clusterName + " (UID " + ours.getMetadata().getUid()
            + ") that this stack owns, so it is never read or"
            + " mounted. Delete it if it is stale (CloudNativePG then creates its own), or give the LoomioDeployment"
            + " another name"),
        new ComponentStatus(0, wanted),
        false,
        null,
        assumptions);
  }

  /** The state once the Cluster exists and no Secret of its names is foreign: by its Secrets and its status. */
  private static State fromClusterStatus(
      CloudNativePGCluster ours,
      String clusterName,
      int wanted,
      ClusterSecrets secrets,
      List<String> assumptions) {
    Map<String, Object> status = ours.getStatus() == null ? Map.of() : ours.getStatus();
    int ready = number(status.get("readyInstances"));
    String phase = status.get("phase") instanceof String p ? p : null;
    String primary = status.get("currentPrimary") instanceof String p && !p.isEmpty() ? p : null;
    ComponentStatus component = new ComponentStatus(ready, wanted);
    if (!secrets.missing().isEmpty()) {
      return waiting(
          DatabaseReadiness.NO_SECRETS,
          Map.of(),
          component,
          missingMessage(secrets.missing(), clusterName, phase),
          assumptions);
    }
    if (!secrets.unconfirmed().isEmpty()) {
      return waiting(
          DatabaseReadiness.NO_SECRETS,
          Map.of(),
          component,
          unconfirmedMessage(secrets.unconfirmed(), clusterName, phase),
          assumptions);
    }
    if (primary == null || ready < 1) {
      return waiting(
          DatabaseReadiness.NO_PRIMARY,
          secrets.proven(),
          component,
          "waiting for the database: CloudNativePG Cluster " + clusterName
              + " has no ready primary yet (" + ready + "/" + wanted + " instances ready"
              + phase(phase) + "); the migration waits for it",
          assumptions);
    }
    boolean healthy = ready >= wanted && (phase == null || HEALTHY_PHASE.equals(phase));
    return new State(
        DatabaseReadiness.READY,
        secrets.proven(),
        Optional.empty(),
        component,
        healthy,
        healthy
            ? null
            : "the database is not healthy: CloudNativePG Cluster " + clusterName + " has " + ready
                + "/" + wanted
                + " instances ready" + phase(phase) + ", primary " + primary
                + " (kubectl describe cluster.postgresql.cnpg.io "
                + clusterName + ")",
        assumptions);
  }

  /** A state that is not healthy and refuses nothing. */
  private static State waiting(
      DatabaseReadiness readiness,
      Map<String, Secret> secrets,
      ComponentStatus component,
      String message,
      List<String> assumptions) {
    return new State(readiness, secrets, Optional.empty(), component, false, message, assumptions);
  }

  private static String missingMessage(List<String> missing, String clusterName, String phase) {
    return "waiting for the database: CloudNativePG has not created Secret"
        + (missing.size() == 1 ? " " : "s ")
        + String.join(" and ", missing) + " for Cluster " + clusterName + " yet"
        + phase(phase)
        + "; web, worker and the migration start once "
        + (missing.size() == 1 ? "it exists" : "they exist");
  }

  private static String unconfirmedMessage(
      List<String> unconfirmed, String clusterName, String phase) {
    return "waiting for the database: Secret" + (unconfirmed.size() == 1 ? " " : "s ")
        + String.join(" and ", unconfirmed)
        + " of Cluster " + clusterName + " " + (unconfirmed.size() == 1 ? "is" : "are")
        + " not (yet) the version"
        + " CloudNativePG recorded in the Cluster's status.secretsResourceVersion"
        + phase(phase) + "; only what"
        + " CloudNativePG itself made and recorded is read (if this lasts, the Secret was replaced by someone else:"
        + " delete it and CloudNativePG makes its own)";
  }

  private static String phase(String phase) {
    return phase == null ? "" : ", phase \"" + phase + "\"";
  }

  /** Whether CloudNativePG made the Secret for this very Cluster: an owner reference to its name and UID. */
  static boolean ownedBy(HasMetadata secret, CloudNativePGCluster cluster) {
    List<OwnerReference> refs = secret.getMetadata().getOwnerReferences();
    String uid = cluster.getMetadata().getUid();
    return refs != null
        && uid != null
        && refs.stream()
            .anyMatch(r -> uid.equals(r.getUid())
                && CloudNativePGClusters.KIND.equals(r.getKind())
                && r.getApiVersion() != null
                && r.getApiVersion().startsWith("postgresql.cnpg.io/")
                && cluster.getMetadata().getName().equals(r.getName()));
  }

  /**
   * Whether the Cluster's own status records this very version of the Secret: CloudNativePG writes the resource
   * version of each Secret it made (or uses) into {@code status.secretsResourceVersion}, and a status is written
   * only by whoever may write {@code clusters/status}, not by whoever may write Secrets. An owner reference alone
   * can be forged by anyone who can create a Secret and read the Cluster's UID; this binding cannot.
   */
  static boolean recordedBy(HasMetadata secret, CloudNativePGCluster cluster) {
    String version = secret.getMetadata().getResourceVersion();
    if (version == null
        || cluster.getStatus() == null
        || !(cluster.getStatus().get("secretsResourceVersion") instanceof Map<?, ?> recorded)) {
      return false;
    }
    List<String> fields = secret.getMetadata().getName().endsWith("-app")
        ? List.of("applicationSecretVersion")
        // the CA: CloudNativePG records it as the server CA (older releases: caSecretVersion)
        : List.of("serverCaSecretVersion", "caSecretVersion");
    return fields.stream().anyMatch(f -> version.equals(recorded.get(f)));
  }

  private static int number(Object o) {
    return o instanceof Number n ? n.intValue() : 0;
  }

  /**
   * A change of database mode on an existing stack, or of the CloudNativePG Cluster's PostgreSQL major version:
   * the refusal (InvalidSpec, naming the field), or empty. Read from what exists of this very stack: its own
   * embedded StatefulSet or data claim, its own Cluster, and (for a stack that ran on an external server)
   * status.migrated without either.
   */
  static Optional<String> modeChange(
      Context<LoomioDeployment> context,
      LoomioDeployment resource,
      ResolvedSpec spec,
      Predicate<String> live) {
    String name = spec.name();
    boolean embeddedExists = context.getSecondaryResources(StatefulSet.class).stream()
            .anyMatch(
                s -> Names.of(name, Component.POSTGRES).equals(s.getMetadata().getName())
                    && Ownership.ours(Ownership.owned(s, name, spec.uid())))
        || context.getSecondaryResources(PersistentVolumeClaim.class).stream()
            .anyMatch(c -> Names.postgresData(name).equals(c.getMetadata().getName())
                && Ownership.ours(Ownership.retained(c, name, spec.uid(), live)));
    boolean migrated = resource.getStatus() != null && resource.getStatus().getMigrated() != null;
    // A stack that ran without an embedded database may have run on its Cluster, whatever the spec
    // asks for now:
    // read the Cluster from the API server when the informer does not hold it (after a restart the
    // informer is
    // registered late), so a spec changed while the operator was down cannot switch a running
    // CloudNativePG stack
    // to another mode (the workflow would then delete the Cluster, and CloudNativePG its claims). A
    // stack on an
    // external server pays one read per reconcile for this; embedded and new stacks none.
    Optional<CloudNativePGCluster> cluster = ownCluster(
        context, spec, spec.cloudNativePG().isPresent() || (migrated && !embeddedExists));
    return modeChange(spec, embeddedExists, cluster, migrated);
  }

  static Optional<String> modeChange(
      ResolvedSpec spec,
      boolean embeddedExists,
      Optional<CloudNativePGCluster> cluster,
      boolean migrated) {
    ResolvedSpec.Database db = spec.database();
    String path =
        " The database mode of a stack cannot change: take a backup, create a new LoomioDeployment with the"
            + " new mode and restore into it with a LoomioRestore (docs/database.md, Changing the database mode)";
    String was = embeddedExists ? "embedded" : cluster.isPresent() ? "cloudNativePG" : null;
    String now = db.embedded() ? "embedded" : db.external() ? "external" : "cloudNativePG";
    if (was != null && !was.equals(now)) {
      return Optional.of("spec.database: this stack's database is " + was + " (its "
          + (embeddedExists
              ? "StatefulSet or data claim " + Names.of(spec.name(), Component.POSTGRES)
              : "CloudNativePG Cluster " + Names.cnpgCluster(spec.name()))
          + " exists), and the spec now asks for " + now + "." + path);
    }
    if (was == null && db.cloudNativePG() && migrated) {
      return Optional.of(
          "spec.database: this stack already migrated a database that is neither embedded nor"
              + " CloudNativePG (status.migrated; no Cluster " + Names.cnpgCluster(spec.name())
              + " of this stack exists),"
              + " and the spec now asks for cloudNativePG." + path);
    }
    if (cluster.isPresent() && db.cloudNativePG()) {
      Map<String, String> annotations = cluster.get().getMetadata().getAnnotations();
      String major =
          annotations == null ? null : annotations.get(CloudNativePGClusters.MAJOR_ANNOTATION);
      if (major != null && !major.equals(Integer.toString(db.version()))) {
        return Optional.of(
            "spec.database.cloudNativePG.version: the Cluster " + Names.cnpgCluster(spec.name())
                + " runs PostgreSQL " + major
                + "; a major version change is not made by changing this field: follow"
                + " CloudNativePG's major upgrade procedure (https://cloudnative-pg.io/documentation/current/"
                + "postgres_upgrades/), or move the data with a backup and a LoomioRestore into a new stack; then set"
                + " the version the Cluster runs (docs/database.md, Major versions)");
      }
    }
    return Optional.empty();
  }
}
