package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * OpenPGP encryption of every backup object (v4 keys, AES-256, integrity-protected; readable by gpg 2.2).
 * Public-key mode by default: the backup pod holds only public keys.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.mode) || self.mode != 'Passphrase' || has(self.passphraseSecretRef)",
    message =
        "spec.backup.encryption.passphraseSecretRef: " + BackupEncryptionSpec.PASSPHRASE_REQUIRED)
@ValidationRule(
    value = "!has(self.passphraseSecretRef) || (has(self.mode) && self.mode == 'Passphrase')",
    message = "spec.backup.encryption.passphraseSecretRef: " + BackupEncryptionSpec.PASSPHRASE_ONLY)
@ValidationRule(
    value = "!(has(self.recipientsSecretRef) && has(self.recipientsConfigMapRef))",
    message = "spec.backup.encryption: " + BackupEncryptionSpec.ONE_RECIPIENTS_SOURCE)
public class BackupEncryptionSpec {

  /** The refusals of the rules above, word for word the operator's own (SpecValidator). */
  public static final String PASSPHRASE_REQUIRED = "is required with mode Passphrase";

  public static final String PASSPHRASE_ONLY = "is only used with mode Passphrase";
  public static final String ONE_RECIPIENTS_SOURCE =
      "set at most one of recipientsSecretRef and recipientsConfigMapRef";

  public enum Mode {
    PublicKey,
    Passphrase
  }

  @Default("PublicKey")
  @JsonPropertyDescription(
      "PublicKey (default): encrypt to OpenPGP public keys; the decryption key is never in"
          + " the backup pod. Passphrase: AES-256 with a passphrase from passphraseSecretRef, which the backup pod"
          + " then holds (anyone who can read it can decrypt every backup): a recorded exception, off by default.")
  private Mode mode = Mode.PublicKey;

  @JsonPropertyDescription(
      "Armored OpenPGP public keys (one or more) to encrypt to, from a Secret key. When no"
          + " recipients are given the operator generates a key pair once: the public key in ConfigMap"
          + " <name>-backup-recipients, the private key in Secret <name>-backup-key (export it off-cluster;"
          + " docs/backup.md). With your own recipients no private key is in the cluster at all. Whatever the"
          + " encryption, each backup's manifest is signed with the stack's own key, Secret <name>-backup-signing-key.")
  private SecretKeyRef recipientsSecretRef;

  @JsonPropertyDescription(
      "The same as recipientsSecretRef, from a ConfigMap key (public keys are not secret).")
  private ConfigMapKeyRef recipientsConfigMapRef;

  @JsonPropertyDescription(
      "The passphrase (mode Passphrase only), from a Secret key. Use a long random one.")
  private SecretKeyRef passphraseSecretRef;

  public Mode getMode() {
    return mode;
  }

  public void setMode(Mode mode) {
    this.mode = mode;
  }

  public SecretKeyRef getRecipientsSecretRef() {
    return recipientsSecretRef;
  }

  public void setRecipientsSecretRef(SecretKeyRef recipientsSecretRef) {
    this.recipientsSecretRef = recipientsSecretRef;
  }

  public ConfigMapKeyRef getRecipientsConfigMapRef() {
    return recipientsConfigMapRef;
  }

  public void setRecipientsConfigMapRef(ConfigMapKeyRef recipientsConfigMapRef) {
    this.recipientsConfigMapRef = recipientsConfigMapRef;
  }

  public SecretKeyRef getPassphraseSecretRef() {
    return passphraseSecretRef;
  }

  public void setPassphraseSecretRef(SecretKeyRef passphraseSecretRef) {
    this.passphraseSecretRef = passphraseSecretRef;
  }
}
