package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** When each generated credential got its current value, and the state of rotation (never a value). */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecretsStatus {

  @JsonPropertyDescription(
      "Per generated credential, when its current value was generated or last rotated"
          + " (RFC 3339). For audits of a rotation policy; never the value.")
  private Map<String, String> valueSince = new TreeMap<>();

  @JsonPropertyDescription("The token of the last completed spec.secrets.rotate.")
  private String lastRotationToken;

  @JsonPropertyDescription("A rotation under way (its token and step), or why it stopped.")
  private String rotation;

  public Map<String, String> getValueSince() {
    return valueSince;
  }

  public void setValueSince(Map<String, String> valueSince) {
    this.valueSince = valueSince;
  }

  public String getLastRotationToken() {
    return lastRotationToken;
  }

  public void setLastRotationToken(String lastRotationToken) {
    this.lastRotationToken = lastRotationToken;
  }

  public String getRotation() {
    return rotation;
  }

  public void setRotation(String rotation) {
    this.rotation = rotation;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SecretsStatus s
        && Objects.equals(valueSince, s.valueSince)
        && Objects.equals(lastRotationToken, s.lastRotationToken)
        && Objects.equals(rotation, s.rotation);
  }

  @Override
  public int hashCode() {
    return Objects.hash(valueSince, lastRotationToken, rotation);
  }
}
