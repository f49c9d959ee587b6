package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.ValidationRule;

/** Redis for Loomio's cache and ActionCable. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.mode) || self.mode != 'external' || has(self.external)",
    message = "spec.redis.external.urlSecretRef: " + RedisSpec.EXTERNAL_NEEDS_URL)
public class RedisSpec {

  /** The refusal of the rule above, word for word the operator's own (SpecValidator). */
  public static final String EXTERNAL_NEEDS_URL = "is required when spec.redis.mode is external";

  @Default("embedded")
  @JsonPropertyDescription(
      "embedded (default): a Redis Deployment with a generated password; external: a Redis"
          + " you run (spec.redis.external); none: no Redis (Loomio 3.1 and newer use PostgreSQL for cache and"
          + " ActionCable, fine for small sites).")
  private Mode mode = Mode.EMBEDDED;

  @JsonPropertyDescription("Settings of the embedded Redis.")
  private EmbeddedRedisSpec embedded;

  @JsonPropertyDescription("Settings of an external Redis.")
  private ExternalRedisSpec external;

  public enum Mode {
    @JsonProperty("embedded")
    EMBEDDED,
    @JsonProperty("external")
    EXTERNAL,
    @JsonProperty("none")
    NONE
  }

  public Mode getMode() {
    return mode;
  }

  public void setMode(Mode mode) {
    this.mode = mode;
  }

  public EmbeddedRedisSpec getEmbedded() {
    return embedded;
  }

  public void setEmbedded(EmbeddedRedisSpec embedded) {
    this.embedded = embedded;
  }

  public ExternalRedisSpec getExternal() {
    return external;
  }

  public void setExternal(ExternalRedisSpec external) {
    this.external = external;
  }
}
