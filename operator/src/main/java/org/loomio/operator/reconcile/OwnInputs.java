package org.loomio.operator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.loomio.operator.api.v1alpha1.BackupEncryptionSpec;
import org.loomio.operator.model.Names;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.base.Ownership;
import org.loomio.operator.thirdparty.CloudNativePGCluster;

/**
 * What a backup or restore pod reads by the stack's own names, checked to be the stack's own before a pod is
 * made: the generated credentials Secret {@code <name>-secrets} (unless the stack uses {@code existingSecret},
 * a reference with its owner's consent) and, when backups are encrypted to the operator's key, the
 * {@code <name>-backup-recipients} ConfigMap, and the signing key {@code <name>-backup-signing-key} (a backup signs
 * with it; a restore verifies with it unless it names another). A LoomioBackup or LoomioRestore is reconciled apart from its
 * LoomioDeployment, so the stack's {@code NameConflict} does not stop it: without this check, an object someone
 * else made under one of those names (a Secret of theirs named {@code <name>-secrets}, a ConfigMap holding their
 * public key) would be mounted into a pod that sends what it reads to the backup store.
 */
final class OwnInputs {

  private OwnInputs() {}

  /**
   * Every input that is not the stack's own, in one message; empty when they all are.
   *
   * @param encrypts whether the pod encrypts (a backup reads the recipients; a restore does not)
   * @param signingKey whether the pod reads the stack's own signing key
   */
  static Optional<String> problem(
      KubernetesClient client, ResolvedSpec spec, boolean encrypts, boolean signingKey) {
    List<String> problems = new ArrayList<>();
    String ns = spec.namespace();
    if (spec.existingSecret() == null) {
      HasMetadata credentials = client
          .secrets()
          .inNamespace(ns)
          .withName(spec.credentialsSecretName())
          .get();
      describe(
              "Secret " + spec.credentialsSecretName(),
              credentials,
              Ownership.retained(credentials, spec.name(), spec.uid(), uid -> true))
          .ifPresent(problems::add);
    }
    if (signingKey) {
      String name = Names.backupSigningKey(spec.name());
      HasMetadata key = client.secrets().inNamespace(ns).withName(name).get();
      describe("Secret " + name, key, Ownership.retained(key, spec.name(), spec.uid(), uid -> true))
          .ifPresent(problems::add);
    }
    if (spec.database().cloudNativePG()) {
      cloudNativePG(client, spec).ifPresent(problems::add);
    }
    ResolvedSpec.Backup b = spec.backup();
    if (encrypts
        && b.mode() != BackupEncryptionSpec.Mode.Passphrase
        && b.recipientsSecret() == null
        && b.recipientsConfigMap() == null) {
      String name = Names.backupRecipients(spec.name());
      HasMetadata recipients =
          client.configMaps().inNamespace(ns).withName(name).get();
      describe(
              "ConfigMap " + name, recipients, Ownership.owned(recipients, spec.name(), spec.uid()))
          .ifPresent(problems::add);
    }
    return problems.isEmpty()
        ? Optional.empty()
        : Optional.of(String.join("; ", problems)
            + " (LoomioDeployment " + spec.name()
            + " makes and marks its own; an object of that name that someone"
            + " else made is never read: rename or remove it)");
  }

  /**
   * A CloudNativePG database: its {@code -app} and {@code -ca} Secrets must exist and be owned by the Cluster the
   * stack owns (CloudNativePGDatabase's rule), read by name here (these controllers have no informer for Clusters).
   */
  private static Optional<String> cloudNativePG(KubernetesClient client, ResolvedSpec spec) {
    CloudNativePGCluster cluster;
    try {
      cluster = client
          .resources(CloudNativePGCluster.class)
          .inNamespace(spec.namespace())
          .withName(Names.cnpgCluster(spec.name()))
          .get();
    } catch (KubernetesClientException e) {
      return Optional.of("the CloudNativePG Cluster " + Names.cnpgCluster(spec.name())
          + " cannot be read (" + e.getCode() + "): is CloudNativePG installed?");
    }
    Optional<CloudNativePGCluster> own = Optional.ofNullable(cluster)
        .filter(c -> Ownership.ours(Ownership.owned(c, spec.name(), spec.uid())));
    if (own.isEmpty()) {
      return Optional.of(
          cluster == null
              ? "the CloudNativePG Cluster " + Names.cnpgCluster(spec.name())
                  + " does not exist yet"
              : Ownership.owned(cluster, spec.name(), spec.uid()).why());
    }
    for (String name : List.of(Names.cnpgApp(spec.name()), Names.cnpgCa(spec.name()))) {
      HasMetadata secret =
          client.secrets().inNamespace(spec.namespace()).withName(name).get();
      if (secret == null) {
        return Optional.of("Secret " + name + " does not exist yet (CloudNativePG creates it)");
      }
      if (!CloudNativePGDatabase.ownedBy(secret, own.get())) {
        return Optional.of("Secret " + name
            + " is not this stack's own: it has no owner reference to the"
            + " CloudNativePG Cluster " + own.get().getMetadata().getName() + " the stack owns");
      }
      if (!CloudNativePGDatabase.recordedBy(secret, own.get())) {
        return Optional.of("Secret " + name + " is not the version the CloudNativePG Cluster "
            + own.get().getMetadata().getName() + " recorded in its status.secretsResourceVersion");
      }
    }
    return Optional.empty();
  }

  private static Optional<String> describe(
      String what, HasMetadata actual, Ownership.Verdict verdict) {
    if (Ownership.ours(verdict)) {
      return Optional.empty();
    }
    if (actual == null) {
      return Optional.of(what + " does not exist yet");
    }
    return Optional.of(what + " is not this stack's own"
        + (verdict.why() == null
            ? " (not marked with its UID, " + Ownership.OWNER_UID + ")"
            : ": " + verdict.why()));
  }
}
