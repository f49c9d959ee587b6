package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** What to restore, from where. */
@JsonClassDescription(
    "What to restore, from which backup, into which stack. Immutable once created.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self == oldSelf",
    message = "a LoomioRestore cannot be changed; create another")
@ValidationRule(
    value = GeneratedSecretNames.CEL_RESTORE_KEY,
    message = GeneratedSecretNames.RESTORE_KEY_REFUSED)
@ValidationRule(
    value = GeneratedSecretNames.CEL_VERIFICATION_KEY,
    message = GeneratedSecretNames.VERIFICATION_KEY_REFUSED)
@ValidationRule(
    value = LoomioRestoreSpec.CEL_ALLOW_UNSIGNED,
    message = LoomioRestoreSpec.ALLOW_UNSIGNED_REFUSED)
public class LoomioRestoreSpec {

  /** CEL: unsigned backups only by name (latest only ever picks a signed backup). */
  public static final String CEL_ALLOW_UNSIGNED = "!has(self.allowUnsigned) || !self.allowUnsigned"
      + " || (has(self.backupName) && self.backupName != 'latest')";

  public static final String ALLOW_UNSIGNED_REFUSED =
      "spec.allowUnsigned: needs spec.backupName naming the backup;"
          + " latest only ever picks a backup signed by the stack's key";

  public enum Source {
    volume,
    s3
  }

  @Required
  @Pattern(LoomioDeployment.NAME_PATTERN)
  @Size(max = LoomioDeployment.MAX_NAME_LENGTH)
  @JsonPropertyDescription("Name of the LoomioDeployment (same namespace) to restore into.")
  private String deploymentName;

  @Pattern("^(latest|[a-z][-a-z0-9]*-[0-9]{8}T[0-9]{6}Z)$")
  @Size(max = 80)
  @Default("latest")
  @JsonPropertyDescription(
      "The backup to restore, e.g. team-20261127T031700Z (kubectl get loomiobackups, or"
          + " the deployment's status.backup). Default latest: the newest complete backup in the source.")
  private String backupName = "latest";

  @JsonPropertyDescription(
      "Where to read the backup: volume or s3 (of the deployment's spec.backup). Default:"
          + " volume when the deployment keeps backups on a volume, else s3.")
  private Source source;

  @Default("true")
  @JsonPropertyDescription(
      "Restore the uploads volume too (when the backup holds it). Default true.")
  private Boolean restoreUploads = true;

  @Default("false")
  @JsonPropertyDescription(
      "Also restore the application credentials (SECRET_KEY_BASE, DEVISE_SECRET,"
          + " RAILS_INBOUND_EMAIL_PASSWORD, the VAPID pair) into the generated Secret, so sessions and push"
          + " subscriptions of the backed-up site stay valid. Database and Redis passwords are never restored (the"
          + " running servers keep theirs). Default false.")
  private Boolean restoreSecrets = false;

  @JsonPropertyDescription(
      "The OpenPGP private key to decrypt with, when the deployment encrypts to your own"
          + " recipients (no private key is in the cluster then): an armored secret key in a Secret you create for"
          + " the restore and delete afterwards. Default: the operator-generated <name>-backup-key. Any Secret but"
          + " this stack's own backup key needs its owner's consent (annotation loomio.org/allowed-stacks naming the"
          + " deployment), another stack's <name>-backup-key included; a stack's credentials (<name>-secrets,"
          + " <name>-secrets-rotation) and signing key (<name>-backup-signing-key) are refused.")
  private SecretKeyRef privateKeySecretRef;

  @JsonPropertyDescription(
      "The OpenPGP public key a backup's manifest must be signed by, when it is not this"
          + " stack's own signing key: for a stack re-created (for example on a new cluster) restoring the backups of"
          + " the old one, whose signing public key you exported (docs/backup.md). An armored public key in a Secret"
          + " you create, with its owner's consent (annotation loomio.org/allowed-stacks naming the deployment); a"
          + " Secret the operator generates is refused. Default: public.asc of the stack's <name>-backup-signing-key.")
  private SecretKeyRef verificationKeySecretRef;

  @Default("false")
  @JsonPropertyDescription(
      "Also restore a backup without a signature, as operators before signed backups made"
          + " them: only a backup named in backupName (never latest), after you checked it is yours; the status"
          + " (status.unsigned) and a Warning event record it. A backup with a signature that does not verify is"
          + " refused whatever this says. Default false.")
  private Boolean allowUnsigned = false;

  public String getDeploymentName() {
    return deploymentName;
  }

  public void setDeploymentName(String deploymentName) {
    this.deploymentName = deploymentName;
  }

  public String getBackupName() {
    return backupName;
  }

  public void setBackupName(String backupName) {
    this.backupName = backupName;
  }

  public Source getSource() {
    return source;
  }

  public void setSource(Source source) {
    this.source = source;
  }

  public Boolean getRestoreUploads() {
    return restoreUploads;
  }

  public void setRestoreUploads(Boolean restoreUploads) {
    this.restoreUploads = restoreUploads;
  }

  public Boolean getRestoreSecrets() {
    return restoreSecrets;
  }

  public void setRestoreSecrets(Boolean restoreSecrets) {
    this.restoreSecrets = restoreSecrets;
  }

  public SecretKeyRef getPrivateKeySecretRef() {
    return privateKeySecretRef;
  }

  public void setPrivateKeySecretRef(SecretKeyRef privateKeySecretRef) {
    this.privateKeySecretRef = privateKeySecretRef;
  }

  public SecretKeyRef getVerificationKeySecretRef() {
    return verificationKeySecretRef;
  }

  public void setVerificationKeySecretRef(SecretKeyRef ref) {
    this.verificationKeySecretRef = ref;
  }

  public Boolean getAllowUnsigned() {
    return allowUnsigned;
  }

  public void setAllowUnsigned(Boolean allowUnsigned) {
    this.allowUnsigned = allowUnsigned;
  }
}
