package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Per-client limits at the edge (each controller replica counts on its own). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RateLimitSpec {

  @Default("true")
  @JsonPropertyDescription("Limit requests per client address. Default true.")
  private Boolean enabled = true;

  @Default("20")
  @Min(1)
  @Max(10000)
  @JsonPropertyDescription("Sustained requests per second per client. Default 20.")
  private Integer requestsPerSecond = 20;

  @Default("100")
  @Min(1)
  @Max(100000)
  @JsonPropertyDescription(
      "Requests a client may burst above the rate. Default 100 (a page load fetches many"
          + " assets at once).")
  private Integer burst = 100;

  @Default("50")
  @Min(1)
  @Max(100000)
  @JsonPropertyDescription("Concurrent connections per client, websockets included. Default 50.")
  private Integer connections = 50;

  public Boolean getEnabled() {
    return enabled;
  }

  public void setEnabled(Boolean enabled) {
    this.enabled = enabled;
  }

  public Integer getRequestsPerSecond() {
    return requestsPerSecond;
  }

  public void setRequestsPerSecond(Integer requestsPerSecond) {
    this.requestsPerSecond = requestsPerSecond;
  }

  public Integer getBurst() {
    return burst;
  }

  public void setBurst(Integer burst) {
    this.burst = burst;
  }

  public Integer getConnections() {
    return connections;
  }

  public void setConnections(Integer connections) {
    this.connections = connections;
  }
}
