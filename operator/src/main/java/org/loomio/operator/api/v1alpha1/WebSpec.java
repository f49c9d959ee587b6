package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/** The Rails web component. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WebSpec {

  @Default("1")
  @Min(0)
  @Max(50)
  @JsonPropertyDescription(
      "Number of web pods. Above 1 only with uploads every pod can reach (spec.storage.s3 or"
          + " a ReadWriteMany volume); from 2 on the operator adds a PodDisruptionBudget and spreads the pods.")
  private Integer replicas = 1;

  @Min(1)
  @Max(64)
  @JsonPropertyDescription(
      "Puma worker processes per pod (WEB_CONCURRENCY). Default: the CPU limit in whole"
          + " cores, at least 1.")
  private Integer concurrency;

  @JsonPropertyDescription(
      "CPU, memory and ephemeral-storage requests and limits. Keys you set replace the"
          + " defaults (requests 500m/1Gi, limits 2 CPU/2Gi; ephemeral storage sized from the scratch volumes).")
  private ResourceRequirements resources;

  @JsonPropertyDescription("Scheduling and metadata of the web pods.")
  private PodOptions pod;

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  public Integer getConcurrency() {
    return concurrency;
  }

  public void setConcurrency(Integer concurrency) {
    this.concurrency = concurrency;
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
