package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/** The operator-run Redis (no persistence: a cache and a pub/sub bus). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EmbeddedRedisSpec {

  @Default("256Mi")
  @Pattern("^[0-9]+(Ki|Mi|Gi)$")
  @JsonPropertyDescription(
      "Memory Redis may use before evicting least-recently-used keys (maxmemory). Default"
          + " 256Mi. The container's memory limit defaults to this plus headroom.")
  private String maxMemory = "256Mi";

  @JsonPropertyDescription(
      "CPU, memory and ephemeral-storage requests and limits. Keys you set replace the"
          + " defaults (memory derived from maxMemory; CPU 50m/500m).")
  private ResourceRequirements resources;

  @JsonPropertyDescription("Scheduling and metadata of the Redis pod.")
  private PodOptions pod;

  @JsonPropertyDescription(
      "Use another Redis image (a mirror); it must be the official image's layout.")
  private ImageOverride image;

  public String getMaxMemory() {
    return maxMemory;
  }

  public void setMaxMemory(String maxMemory) {
    this.maxMemory = maxMemory;
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

  public ImageOverride getImage() {
    return image;
  }

  public void setImage(ImageOverride image) {
    this.image = image;
  }
}
