package org.loomio.operator.secrets;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.function.Predicate;
import org.loomio.operator.backup.OpenPgp;
import org.loomio.operator.client.Preconditioned;
import org.loomio.operator.model.KeySecrets;
import org.loomio.operator.model.Names;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.base.Ownership;

/**
 * The stack's backup signing key, generated once whenever backups are on (whatever the encryption: it is
 * separate from the recipients, so the user's own recipients and passphrase mode keep working). Secret
 * {@code <name>-backup-signing-key} holds the armored Ed25519 secret key ({@value #PRIVATE_KEY}: mounted only by
 * backup pods, which sign each manifest with it), the public key ({@value #PUBLIC_KEY}: what restores verify
 * with) and its fingerprint. Created with a plain create and never overwritten, no owner reference, kept when
 * the LoomioDeployment goes (even with deletionPolicy Delete). Export its public key off-cluster with the
 * backup key: docs/backup.md.
 */
public final class GeneratedSigningKey {

  public static final String PRIVATE_KEY = KeySecrets.PRIVATE_KEY;
  public static final String PUBLIC_KEY = KeySecrets.PUBLIC_KEY;
  public static final String FINGERPRINT = "fingerprint";

  private GeneratedSigningKey() {}

  /**
   * @param current the Secret as last seen (informer cache), or null
   * @param live whether a UID belongs to a LoomioDeployment that exists now
   * @throws Ownership.ConflictException when a Secret of that name is not the stack's
   */
  public static GeneratedBackupKey.Outcome ensure(
      KubernetesClient client, ResolvedSpec spec, Secret current, Predicate<String> live) {
    String name = Names.backupSigningKey(spec.name());
    if (current == null) {
      current = client.secrets().inNamespace(spec.namespace()).withName(name).get();
    }
    Ownership.Verdict verdict =
        Ownership.require(Ownership.retained(current, spec.name(), spec.uid(), live));
    if (current != null) {
      Map<String, String> marks = current.getMetadata().getAnnotations();
      if (verdict.state() == Ownership.State.ADOPT
          && (marks == null || marks.get(Ownership.OWNER_UID) == null)) {
        // every signing key was made with its stack's UID recorded: one without it was made by
        // someone else,
        // who would hold the key that signs (and so vouches for) this stack's backups
        throw new Ownership.ConflictException(
            "Secret " + name + " carries the operator's labels but no " + Ownership.OWNER_UID
                + ": the operator made every signing key with it, so someone else made this one");
      }
      if (verdict.state() == Ownership.State.ADOPT && spec.uid() != null) {
        // kept from an earlier resource of this name (or made before UIDs were recorded): it is
        // this one's now
        current = Preconditioned.annotate(client, current, Ownership.OWNER_UID, spec.uid());
      }
      Map<String, String> values = GeneratedCredentials.decode(current);
      String publicKey = values.get(PUBLIC_KEY);
      if (publicKey == null || !values.containsKey(PRIVATE_KEY)) {
        throw new GeneratedCredentials.IncompleteCredentialsException(
            "Secret " + name + " lacks " + PUBLIC_KEY
                + " or " + PRIVATE_KEY
                + ": delete it so that a new signing key is generated (backups signed by the old one"
                + " are then restored with a LoomioRestore's verificationKeySecretRef naming its exported public key)");
      }
      String fingerprint;
      try {
        // from the key itself, never the Secret's own fingerprint field
        fingerprint = OpenPgp.verifierFrom(publicKey).fingerprints().get(0);
      } catch (OpenPgp.PgpException e) {
        throw new GeneratedCredentials.IncompleteCredentialsException(
            "Secret " + name + ": " + PUBLIC_KEY
                + " is not an OpenPGP public key: delete it so that a new signing key is generated");
      }
      return new GeneratedBackupKey.Outcome(publicKey, fingerprint, false);
    }
    OpenPgp.GeneratedKey key;
    try {
      key = OpenPgp.generateSigningKey(
          "Loomio backups of " + spec.namespace() + "/" + spec.name() + " (signing)");
    } catch (OpenPgp.PgpException e) {
      throw new IllegalStateException(
          "could not generate the backup signing key: " + e.getMessage(), e);
    }
    GeneratedBackupKey.createKeySecret(client, spec, name, key);
    return new GeneratedBackupKey.Outcome(key.publicKeyRing(), key.fingerprint(), true);
  }
}
