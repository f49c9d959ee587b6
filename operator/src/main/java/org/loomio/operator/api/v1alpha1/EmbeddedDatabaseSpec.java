package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/** The operator-run PostgreSQL. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EmbeddedDatabaseSpec {

  @Default("17")
  @Min(14)
  @Max(18)
  @JsonPropertyDescription(
      "PostgreSQL major version (image postgres:<version>). Default 17. Changing it on an"
          + " existing database needs a dump and restore: PostgreSQL cannot open another major's data directory.")
  private Integer version = 17;

  @JsonPropertyDescription("The data volume. Default size 10Gi.")
  private VolumeClaimSpec storage = new VolumeClaimSpec("10Gi");

  @JsonPropertyDescription(
      "CPU, memory and ephemeral-storage requests and limits. Keys you set replace the"
          + " defaults (requests 250m/512Mi, limits 1 CPU/1Gi).")
  private ResourceRequirements resources;

  @JsonPropertyDescription("Scheduling and metadata of the PostgreSQL pod.")
  private PodOptions pod;

  @JsonPropertyDescription(
      "Use another PostgreSQL image (a mirror); it must be the official image's layout.")
  private ImageOverride image;

  public Integer getVersion() {
    return version;
  }

  public void setVersion(Integer version) {
    this.version = version;
  }

  public VolumeClaimSpec getStorage() {
    return storage;
  }

  public void setStorage(VolumeClaimSpec storage) {
    this.storage = storage;
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
