package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/** Where the stack's credentials come from. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecretsSpec {

  @Pattern(SecretKeyRef.NAME_PATTERN)
  @Size(max = 253)
  @JsonPropertyDescription("Use this Secret instead of generating <name>-secrets. It must hold SECRET_KEY_BASE,"
      + " DEVISE_SECRET, RAILS_INBOUND_EMAIL_PASSWORD, VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY, plus POSTGRES_PASSWORD"
      + " with the embedded database and REDIS_PASSWORD with the embedded Redis. A missing key sets"
      + " Degraded=True naming it, and nothing is changed.")
  private String existingSecret;

  public String getExistingSecret() { return existingSecret; }
  public void setExistingSecret(String existingSecret) { this.existingSecret = existingSecret; }
}
