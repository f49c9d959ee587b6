package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Where the stack's credentials come from, and their rotation. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.rotate) || !has(self.existingSecret)",
    message = "spec.secrets.rotate: " + SecretsSpec.ROTATE_GENERATED_ONLY)
public class SecretsSpec {

  /** The refusal of the rule above, word for word the operator's own (SpecValidator). */
  public static final String ROTATE_GENERATED_ONLY =
      "rotates generated credentials only; rotate the values of"
          + " spec.secrets.existingSecret yourself";

  @Pattern(SecretKeyRef.NAME_PATTERN)
  @Size(max = 253)
  @JsonPropertyDescription(
      "Use this Secret instead of generating <name>-secrets. It must hold SECRET_KEY_BASE,"
          + " DEVISE_SECRET, RAILS_INBOUND_EMAIL_PASSWORD, VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY, plus POSTGRES_PASSWORD"
          + " with the embedded database and REDIS_PASSWORD with the embedded Redis. A missing key sets"
          + " Degraded=True naming it, and nothing is changed. Your own Secret, with its owner's consent (annotation"
          + " loomio.org/allowed-stacks): never one the operator generates (<name>-secrets, <name>-secrets-rotation,"
          + " <name>-backup-key, <name>-backup-signing-key, of this stack or another); leave it unset to use the"
          + " generated credentials.")
  private String existingSecret;

  @JsonPropertyDescription(
      "Rotate generated credentials: new random values, the database password changed in"
          + " PostgreSQL first (embedded database), then the Secret, then exactly the pods that read them roll. Runs once"
          + " per token. docs/operations.md says what each rotation costs users.")
  private RotationSpec rotate;

  @Min(1)
  @Max(3650)
  @JsonPropertyDescription(
      "Optional rotation policy: when a generated credential (other than the VAPID pair) is"
          + " older than this many days, the condition SecretsFresh turns False naming it.")
  private Integer maxAgeDays;

  public RotationSpec getRotate() {
    return rotate;
  }

  public void setRotate(RotationSpec rotate) {
    this.rotate = rotate;
  }

  public Integer getMaxAgeDays() {
    return maxAgeDays;
  }

  public void setMaxAgeDays(Integer maxAgeDays) {
    this.maxAgeDays = maxAgeDays;
  }

  public String getExistingSecret() {
    return existingSecret;
  }

  public void setExistingSecret(String existingSecret) {
    this.existingSecret = existingSecret;
  }
}
