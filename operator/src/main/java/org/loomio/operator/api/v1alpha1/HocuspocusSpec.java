package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/** The collaborative-editing server. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HocuspocusSpec {

  @Default("true")
  @JsonPropertyDescription(
      "Run the collaborative-editing server. Without it Loomio's editor falls back badly"
          + " (no live drafts); keep it on unless you know why. Default true.")
  private Boolean enabled = true;

  @Default("1")
  @Min(0)
  @Max(50)
  @JsonPropertyDescription(
      "Number of hocuspocus pods; from 2 on the operator adds a PodDisruptionBudget.")
  private Integer replicas = 1;

  @JsonPropertyDescription(
      "CPU, memory and ephemeral-storage requests and limits. Keys you set replace the"
          + " defaults (requests 100m/256Mi, limits 500m/512Mi).")
  private ResourceRequirements resources;

  @JsonPropertyDescription("Scheduling and metadata of the hocuspocus pods.")
  private PodOptions pod;

  public Boolean getEnabled() {
    return enabled;
  }

  public void setEnabled(Boolean enabled) {
    this.enabled = enabled;
  }

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  public ResourceRequirements getResources() {
    return resources;
  }

  public void setResources(ResourceRequirements resources) {
    this.resources = resources;
  }

  public PodOptions getPod() {
    return pod;
  }

  public void setPod(PodOptions pod) {
    this.pod = pod;
  }
}
