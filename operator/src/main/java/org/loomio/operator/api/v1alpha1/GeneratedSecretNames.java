package org.loomio.operator.api.v1alpha1;

import java.util.List;

/**
 * The Secrets the operator generates for a LoomioDeployment {@code <name>}: the credentials
 * {@code <name>-secrets}, the pending values of a rotation {@code <name>-secrets-rotation} and the backup key
 * pair {@code <name>-backup-key}, the backup signing key {@code <name>-backup-signing-key} and the embedded
 * PostgreSQL's maintenance superuser password {@code <name>-postgres-superuser}. The operator wires them where they belong itself (the pods' credentials, the
 * rotation Job, the backup agent, a restore's default key), so no field of a LoomioDeployment may name one: a
 * reference from {@code spec.secretEnv}, an SMTP or database password, S3 credentials and the like would hand
 * the backup private key or the credentials to a server whoever writes the spec chooses. The same holds for
 * another stack's generated Secrets (the operator recognises them by its labels, {@code reconcile.ReferencedSecrets}),
 * whatever consent they carry. Only a LoomioRestore's {@code privateKeySecretRef} may name a backup key; no field
 * may name a signing key (its private half signs what every restore trusts; its public half is what a restore
 * verifies with by default).
 */
public final class GeneratedSecretNames {

  public static final String CREDENTIALS_SUFFIX = "-secrets";
  public static final String PENDING_ROTATION_SUFFIX = "-secrets-rotation";
  public static final String BACKUP_KEY_SUFFIX = "-backup-key";
  public static final String SIGNING_KEY_SUFFIX = "-backup-signing-key";
  public static final String POSTGRES_SUPERUSER_SUFFIX = "-postgres-superuser";

  /** The refusal, after the field's name. */
  public static final String REFUSED =
      "names a Secret the operator generates for this stack (<name>-secrets,"
          + " <name>-secrets-rotation, <name>-backup-key, <name>-backup-signing-key or <name>-postgres-superuser): no"
          + " field may name one, the operator wires its own Secrets itself";

  /**
   * CEL on the LoomioDeployment's root: the list of its generated Secrets' names. Only for single fields: over a
   * list of up to 100 entries the API server's cost estimate (metadata.name has no declared maximum length there)
   * would exceed its budget, so spec.secretEnv and spec.imagePullSecrets are checked by the operator alone.
   */
  public static final String CEL_NAMES =
      "[self.metadata.name + '" + CREDENTIALS_SUFFIX + "', self.metadata.name + '"
          + PENDING_ROTATION_SUFFIX + "', self.metadata.name + '" + BACKUP_KEY_SUFFIX
          + "', self.metadata.name + '"
          + SIGNING_KEY_SUFFIX + "', self.metadata.name + '" + POSTGRES_SUPERUSER_SUFFIX + "']";

  /** CEL on LoomioRestoreSpec: a restore's key may be a stack's backup key, never its credentials or signing key. */
  public static final String CEL_RESTORE_KEY =
      "!has(self.privateKeySecretRef) || !(self.privateKeySecretRef.name in"
          + " [self.deploymentName + '" + CREDENTIALS_SUFFIX + "', self.deploymentName + '"
          + PENDING_ROTATION_SUFFIX
          + "', self.deploymentName + '" + SIGNING_KEY_SUFFIX + "', self.deploymentName + '"
          + POSTGRES_SUPERUSER_SUFFIX
          + "'])";

  public static final String RESTORE_KEY_REFUSED =
      "spec.privateKeySecretRef: names the stack's credentials,"
          + " signing key or database superuser password (<deploymentName>-secrets, <deploymentName>-secrets-rotation,"
          + " <deploymentName>-backup-signing-key or <deploymentName>-postgres-superuser), not a key to decrypt backups"
          + " with";

  /** CEL on LoomioRestoreSpec: the verification key is the user's own Secret, never one the operator generates. */
  public static final String CEL_VERIFICATION_KEY = "!has(self.verificationKeySecretRef) ||"
      + " !(self.verificationKeySecretRef.name in [self.deploymentName + '" + CREDENTIALS_SUFFIX
      + "',"
      + " self.deploymentName + '" + PENDING_ROTATION_SUFFIX + "', self.deploymentName + '"
      + BACKUP_KEY_SUFFIX
      + "', self.deploymentName + '" + SIGNING_KEY_SUFFIX + "', self.deploymentName + '"
      + POSTGRES_SUPERUSER_SUFFIX
      + "'])";

  public static final String VERIFICATION_KEY_REFUSED =
      "spec.verificationKeySecretRef: names a Secret the operator"
          + " generates for the stack; leave it unset to verify with the stack's own signing key, or name a Secret"
          + " holding the exported public key";

  private GeneratedSecretNames() {}

  /** The names of the Secrets the operator generates for a stack. */
  public static List<String> of(String stack) {
    return List.of(
        stack + CREDENTIALS_SUFFIX,
        stack + PENDING_ROTATION_SUFFIX,
        stack + BACKUP_KEY_SUFFIX,
        stack + SIGNING_KEY_SUFFIX,
        stack + POSTGRES_SUPERUSER_SUFFIX);
  }

  /** Whether the operator generates a Secret of this name for this stack. */
  public static boolean isGenerated(String stack, String secretName) {
    return stack != null && secretName != null && of(stack).contains(secretName);
  }

  /** Whether the name is this stack's backup key. */
  public static boolean isBackupKey(String stack, String secretName) {
    return stack != null && (stack + BACKUP_KEY_SUFFIX).equals(secretName);
  }
}
