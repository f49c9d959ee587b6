package org.loomio.operator.reconcile;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.loomio.operator.api.v1alpha1.LoomioBackup;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.api.v1alpha1.LoomioRestore;
import org.loomio.operator.reconcile.dependent.CreateOnlyBulkDependent;
import org.loomio.operator.reconcile.dependent.StackBulkDependent;

/**
 * Exactly the API access the operator needs, derived from its code: the kinds its workflow's dependents
 * manage (read from the {@link Workflow} annotation, so a new dependent adds its kind here by itself), the
 * resource it reconciles, and the calls it makes directly (each listed with where it happens). The Helm
 * chart's RBAC must grant this and nothing more; a test compares them, and the end-to-end suite runs the
 * operator on a real API server with only the chart's rules.
 *
 * <p>Verbs: informers list and watch; server-side apply patches, and creating by apply is authorised as
 * create too; a dependent that removes objects the spec no longer wants deletes. Nothing here needs
 * {@code update} except the credentials Secret, or any wildcard; {@code get} only for reads by name (an object
 * the informers do not hold is read before the stack creates one of its name, NameConflicts).
 */
public final class OperatorPermissions {

  /** One resource (group, plural, optional subresource) and the verbs on it, with why. */
  public record Need(String apiGroup, String resource, SortedSet<String> verbs, String why) {
    public String key() {
      return apiGroup + "/" + resource;
    }
  }

  private OperatorPermissions() {}

  /** What the operator needs in every namespace it watches (cluster-wide: a ClusterRole). */
  public static List<Need> inWatchedNamespaces() {
    SortedMap<String, Need> needs = new TreeMap<>();
    // the resource it reconciles: informer, finalizer (SSA patch), status (SSA patch)
    add(
        needs,
        HasMetadata.getGroup(LoomioDeployment.class),
        HasMetadata.getPlural(LoomioDeployment.class),
        "reconciled: informer, finalizer by server-side apply",
        "list",
        "watch",
        "patch");
    add(
        needs,
        HasMetadata.getGroup(LoomioDeployment.class),
        HasMetadata.getPlural(LoomioDeployment.class) + "/status",
        "status by server-side apply (StatusWriter)",
        "patch");
    // owner references with blockOwnerDeletion need update on the owner's finalizers subresource
    // where the
    // OwnerReferencesPermissionEnforcement admission plugin runs (OpenShift, hardened clusters)
    add(
        needs,
        HasMetadata.getGroup(LoomioDeployment.class),
        HasMetadata.getPlural(LoomioDeployment.class) + "/finalizers",
        "owner references with blockOwnerDeletion",
        "update");
    for (Dependent d :
        LoomioDeploymentReconciler.class.getAnnotation(Workflow.class).dependents()) {
      Class<? extends HasMetadata> kind = resourceType(d);
      if (CreateOnlyBulkDependent.class.isAssignableFrom(d.type())) {
        add(
            needs,
            kind,
            "dependent " + d.name()
                + ": created once by server-side apply, never changed; read by name"
                + " before creating when the informer does not hold it (NameConflicts)",
            "get",
            "list",
            "watch",
            "create",
            "patch");
      } else if (StackBulkDependent.class.isAssignableFrom(d.type())) {
        add(
            needs,
            kind,
            "dependent " + d.name()
                + ": applied, and deleted when the spec no longer wants it; read by"
                + " name before creating when the informer does not hold it (NameConflicts)",
            "get",
            "list",
            "watch",
            "create",
            "patch",
            "delete");
      } else {
        throw new IllegalStateException("dependent " + d.name() + " has no declared access");
      }
    }
    // on-demand backups and restores: their own controllers
    for (Class<? extends HasMetadata> kind : List.of(LoomioBackup.class, LoomioRestore.class)) {
      add(
          needs,
          HasMetadata.getGroup(kind),
          HasMetadata.getPlural(kind),
          "reconciled: informer",
          "list",
          "watch");
      add(
          needs,
          HasMetadata.getGroup(kind),
          HasMetadata.getPlural(kind) + "/status",
          "status by server-side apply",
          "patch");
      add(
          needs,
          HasMetadata.getGroup(kind),
          HasMetadata.getPlural(kind) + "/finalizers",
          "owner of Jobs with blockOwnerDeletion",
          "update");
    }
    add(
        needs,
        HasMetadata.getGroup(LoomioBackup.class),
        HasMetadata.getPlural(LoomioBackup.class),
        "pre-upgrade backups (LoomioDeploymentReconciler)",
        "create");
    add(
        needs,
        HasMetadata.getGroup(LoomioDeployment.class),
        HasMetadata.getPlural(LoomioDeployment.class),
        "read by the backup and restore controllers",
        "get");
    add(
        needs,
        Pod.class,
        "backup and restore results: the agent's termination message (informers)",
        "list",
        "watch");
    add(
        needs,
        Job.class,
        "on-demand backup, restore and restore-migration Jobs (LoomioBackup/LoomioRestore"
            + " controllers, their informers)",
        "list",
        "watch",
        "create");
    add(
        needs,
        Job.class,
        "finished Jobs of LoomioBackups beyond the history, and the Job of a LoomioBackup whose"
            + " stack was deleted (LoomioBackupReconciler)",
        "delete");
    add(
        needs,
        Deployment.class,
        "a restore waits for web, worker and hocuspocus to stop and start; isolation of a"
            + " stack whose spec cannot be applied scales them (EmergencyIsolation: the client reads before it patches)",
        "get");
    add(
        needs,
        CronJob.class,
        "isolation of a stack whose spec cannot be"
            + " applied suspends its backup CronJob (EmergencyIsolation: the client reads before it patches)",
        "get");
    // direct calls
    add(
        needs,
        Secret.class,
        "the generated credentials, the pending rotation and the backup key: informer by label"
            + " (LoomioDeploymentReconciler), read-check-write (GeneratedCredentials, GeneratedBackupKey), referenced"
            + " Secrets read (ReferencedSecrets, EdgeObserver), credentials put back by a restore"
            + " (LoomioRestoreReconciler), rotated (CredentialRotation), deleted with deletionPolicy Delete (cleanup);"
            + " a retained one re-stamped with the UID of a re-created resource of its name (Preconditioned.annotate,"
            + " a JSON patch after a UID test)",
        "get",
        "list",
        "watch",
        "create",
        "update",
        "patch",
        "delete");
    add(
        needs,
        PersistentVolumeClaim.class,
        "data claims read, then deleted with deletionPolicy Delete when this"
            + " resource made them (cleanup)",
        "get",
        "delete");
    add(
        needs,
        ConfigMap.class,
        "referenced ConfigMaps read for their owner's consent (ReferencedSecrets); the one"
            + " ingress-nginx controller ConfigMap the installation names (EdgeObserver)",
        "get");
    add(needs, Event.class, "Events on the LoomioDeployment (EventRecorder)", "create");
    add(
        needs,
        "cert-manager.io",
        "certificates",
        "with a cert-manager issuer, an existing <name>-tls is the stack's only"
            + " when issued for a Certificate its own Ingress owns: that Certificate is read by name (NameConflicts)",
        "get");
    add(
        needs,
        "postgresql.cnpg.io",
        "clusters",
        "a backup or restore of a stack on CloudNativePG reads its Cluster by"
            + " name to prove the database's Secrets are that Cluster's (OwnInputs)",
        "get");
    return List.copyOf(needs.values());
  }

  /** What leader election needs in the operator's own namespace. */
  public static List<Need> forLeaderElection() {
    SortedMap<String, Need> needs = new TreeMap<>();
    add(
        needs,
        Lease.class,
        "leader election (JOSDK LeaderElectionManager)",
        "get",
        "create",
        "update");
    return List.copyOf(needs.values());
  }

  /** group/resource to verbs, for comparison with rendered RBAC rules. */
  public static SortedMap<String, SortedSet<String>> flatten(List<Need> needs) {
    SortedMap<String, SortedSet<String>> flat = new TreeMap<>();
    needs.forEach(n -> flat.computeIfAbsent(n.key(), k -> new TreeSet<>()).addAll(n.verbs()));
    return Collections.unmodifiableSortedMap(flat);
  }

  @SuppressWarnings("unchecked")
  private static Class<? extends HasMetadata> resourceType(Dependent d) {
    try {
      Object instance = d.type().getDeclaredConstructor().newInstance();
      if (instance instanceof KubernetesDependentResource<?, ?> k) {
        return (Class<? extends HasMetadata>) k.resourceType();
      }
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot instantiate dependent " + d.name(), e);
    }
    throw new IllegalStateException("dependent " + d.name() + " is not a Kubernetes dependent");
  }

  private static void add(
      Map<String, Need> needs, Class<? extends HasMetadata> kind, String why, String... verbs) {
    add(needs, HasMetadata.getGroup(kind), HasMetadata.getPlural(kind), why, verbs);
  }

  private static void add(
      Map<String, Need> needs, String group, String resource, String why, String... verbs) {
    String key = group + "/" + resource;
    Need old = needs.get(key);
    SortedSet<String> all = new TreeSet<>(Set.of(verbs));
    List<String> whys = new ArrayList<>();
    if (old != null) {
      all.addAll(old.verbs());
      whys.add(old.why());
    }
    whys.add(why);
    needs.put(
        key,
        new Need(group, resource, Collections.unmodifiableSortedSet(all), String.join("; ", whys)));
  }
}
