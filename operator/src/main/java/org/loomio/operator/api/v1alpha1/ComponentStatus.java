package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** Pod counts of one component. */
@JsonIgnoreProperties(ignoreUnknown = true)
public class ComponentStatus {

  @JsonPropertyDescription("Pods ready at the desired version.")
  private Integer ready;

  @JsonPropertyDescription("Pods wanted.")
  private Integer desired;

  public ComponentStatus() {}

  public ComponentStatus(int ready, int desired) {
    this.ready = ready;
    this.desired = desired;
  }

  public Integer getReady() {
    return ready;
  }

  public void setReady(Integer ready) {
    this.ready = ready;
  }

  public Integer getDesired() {
    return desired;
  }

  public void setDesired(Integer desired) {
    this.desired = desired;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ComponentStatus c
        && Objects.equals(ready, c.ready)
        && Objects.equals(desired, c.desired);
  }

  @Override
  public int hashCode() {
    return Objects.hash(ready, desired);
  }
}
