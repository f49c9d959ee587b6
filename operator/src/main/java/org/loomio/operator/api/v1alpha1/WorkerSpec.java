package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/** The background job worker. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class WorkerSpec {

  @Default("1")
  @Min(0)
  @Max(1)
  @JsonPropertyDescription(
      "Number of worker pods: 1 (or 0 to pause background jobs). Loomio's stock queue"
          + " configuration runs one group-destruction worker per container, so more than one is refused;"
          + " scale with concurrency instead.")
  private Integer replicas = 1;

  @Default("1")
  @Min(1)
  @Max(32)
  @JsonPropertyDescription("Job processes in the worker pod (JOB_CONCURRENCY). Default 1.")
  private Integer concurrency = 1;

  @JsonPropertyDescription(
      "CPU, memory and ephemeral-storage requests and limits. Keys you set replace the"
          + " defaults (requests 250m/768Mi, limits 1 CPU/1536Mi).")
  private ResourceRequirements resources;

  @JsonPropertyDescription("Scheduling and metadata of the worker pod.")
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
