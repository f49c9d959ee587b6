package org.loomio.operator.secrets;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.Map;
import java.util.function.Predicate;
import org.loomio.operator.backup.OpenPgp;
import org.loomio.operator.client.Preconditioned;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.KeySecrets;
import org.loomio.operator.model.Names;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.base.ObjectMetas;
import org.loomio.operator.render.base.Ownership;

/**
 * The stack's backup key pair, generated once when backups encrypt to a generated key (public-key mode
 * without the user's recipients). Secret {@code <name>-backup-key} holds the private key
 * ({@value #PRIVATE_KEY}, armored, for restores only), the public key ({@value #PUBLIC_KEY}) and its
 * fingerprint. Like the credentials it is created with a plain create and never overwritten, has no
 * owner reference, and stays when the LoomioDeployment goes (even with deletionPolicy Delete: without
 * it, every backup is unreadable). Export it off-cluster: docs/backup.md.
 */
public final class GeneratedBackupKey {

  public static final String PRIVATE_KEY = KeySecrets.PRIVATE_KEY;
  public static final String PUBLIC_KEY = KeySecrets.PUBLIC_KEY;
  public static final String FINGERPRINT = "fingerprint";

  /** The public key to render with, and whether it was generated now. */
  public record Outcome(String publicKey, String fingerprint, boolean created) {}

  private GeneratedBackupKey() {}

  /**
   * @param current the Secret as last seen (informer cache), or null
   * @param live whether a UID belongs to a LoomioDeployment that exists now
   * @throws Ownership.ConflictException when a Secret of that name is not the stack's
   */
  public static Outcome ensure(
      KubernetesClient client, ResolvedSpec spec, Secret current, Predicate<String> live) {
    String name = Names.backupKey(spec.name());
    if (current == null) {
      current = client.secrets().inNamespace(spec.namespace()).withName(name).get();
    }
    Ownership.Verdict verdict =
        Ownership.require(Ownership.retained(current, spec.name(), spec.uid(), live));
    if (current != null) {
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
                + ": restore it from your off-cluster copy (backups taken with it need its private"
                + " key), or delete it so that a new pair is generated for future backups");
      }
      return new Outcome(publicKey, values.getOrDefault(FINGERPRINT, ""), false);
    }
    OpenPgp.GeneratedKey key;
    try {
      key = OpenPgp.generateKey("Loomio backups of " + spec.namespace() + "/" + spec.name());
    } catch (OpenPgp.PgpException e) {
      throw new IllegalStateException(
          "could not generate the backup key pair: " + e.getMessage(), e);
    }
    createKeySecret(client, spec, name, key);
    return new Outcome(key.publicKeyRing(), key.fingerprint(), true);
  }

  /**
   * Creates a retained key Secret ({@code private.asc}, {@code public.asc}, {@code fingerprint}) of the stack: the
   * backup key pair and the signing key alike. A Secret of that name made meanwhile is a concurrent change.
   */
  static void createKeySecret(
      KubernetesClient client, ResolvedSpec spec, String name, OpenPgp.GeneratedKey key) {
    Secret secret = new SecretBuilder()
        .withMetadata(
            ObjectMetas.retained(spec.namespace(), spec.name(), spec.uid(), name, Component.BACKUP))
        .withType("Opaque")
        .withStringData(Map.of(
            PRIVATE_KEY,
            key.secretKeyRing(),
            PUBLIC_KEY,
            key.publicKeyRing(),
            FINGERPRINT,
            key.fingerprint()))
        .build();
    try {
      client.secrets().inNamespace(spec.namespace()).resource(secret).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        throw new GeneratedCredentials.ConcurrentChangeException(
            "Secret " + name + " appeared while creating it;" + " retrying with it", e);
      }
      throw e;
    }
  }
}
