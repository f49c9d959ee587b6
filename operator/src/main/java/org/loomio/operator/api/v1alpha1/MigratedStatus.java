package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** The image whose migration last succeeded against the stack's database: what upgrades are checked against. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MigratedStatus {

  @JsonPropertyDescription("The Loomio image reference whose migration Job succeeded.")
  private String image;

  @JsonPropertyDescription("Its tag (the Loomio version or release series the schema is at).")
  private String version;

  @JsonPropertyDescription("When the operator saw that migration succeed (RFC 3339).")
  private String time;

  public MigratedStatus() {}

  public MigratedStatus(String image, String version, String time) {
    this.image = image;
    this.version = version;
    this.time = time;
  }

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public String getVersion() {
    return version;
  }

  public void setVersion(String version) {
    this.version = version;
  }

  public String getTime() {
    return time;
  }

  public void setTime(String time) {
    this.time = time;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MigratedStatus m
        && Objects.equals(image, m.image)
        && Objects.equals(version, m.version)
        && Objects.equals(time, m.time);
  }

  @Override
  public int hashCode() {
    return Objects.hash(image, version, time);
  }
}
