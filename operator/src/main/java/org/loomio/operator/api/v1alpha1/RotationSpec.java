package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** A request to replace generated credentials with new random values, once per token. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "(has(self.force) && self.force) || !self.keys.exists(k, k.startsWith('VAPID_'))",
    message = "spec.secrets.rotate.keys: " + RotationSpec.VAPID_NEEDS_FORCE)
public class RotationSpec {

  /** The refusal of the rule above, word for word the operator's own (SpecValidator). */
  public static final String VAPID_NEEDS_FORCE =
      "the VAPID pair is not rotated (every browser push subscription"
          + " would stop working); set spec.secrets.rotate.force: true to rotate it anyway";

  /** What may be named in keys. {@code all} means every rotatable credential (never the VAPID pair). */
  public enum Key {
    all,
    SECRET_KEY_BASE,
    DEVISE_SECRET,
    RAILS_INBOUND_EMAIL_PASSWORD,
    POSTGRES_PASSWORD,
    REDIS_PASSWORD,
    VAPID_PUBLIC_KEY,
    VAPID_PRIVATE_KEY
  }

  @Required
  @Pattern("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
  @Size(max = 63)
  @JsonPropertyDescription(
      "Any value of your choice, for example a date (2026-11-27). A rotation runs once per"
          + " token: change the token to rotate again. The last completed token is in status.secrets.lastRotationToken.")
  private String token;

  @Required
  @Size(min = 1, max = 8)
  @JsonPropertyDescription("The credentials to rotate: names from SECRET_KEY_BASE, DEVISE_SECRET,"
      + " RAILS_INBOUND_EMAIL_PASSWORD, POSTGRES_PASSWORD, REDIS_PASSWORD, or all (every one the stack uses except"
      + " the VAPID pair). SECRET_KEY_BASE signs everyone out; the database password is changed in PostgreSQL first."
      + " VAPID_PUBLIC_KEY/VAPID_PRIVATE_KEY (always together) need force.")
  private List<Key> keys = new ArrayList<>();

  @Default("false")
  @JsonPropertyDescription(
      "Allow rotating the VAPID pair: every browser push subscription stops working and users"
          + " must allow notifications again.")
  private Boolean force = false;

  public String getToken() {
    return token;
  }

  public void setToken(String token) {
    this.token = token;
  }

  public List<Key> getKeys() {
    return keys;
  }

  public void setKeys(List<Key> keys) {
    this.keys = keys;
  }

  public Boolean getForce() {
    return force;
  }

  public void setForce(Boolean force) {
    this.force = force;
  }
}
