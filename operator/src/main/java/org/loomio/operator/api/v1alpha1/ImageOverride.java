package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/** Replaces the default image of an embedded service (for mirrors and air-gapped registries). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ImageOverride {

  @Pattern(ImageSpec.REPOSITORY_PATTERN)
  @Size(max = 255)
  @JsonPropertyDescription(
      "Image repository, for example registry.example.org/mirror/postgres. It must be a"
          + " repository the operator admits (by default the official ones and the operator's default images; the"
          + " operator's chart value tenancy.allowedImageRepositories adds more); another is refused.")
  private String repository;

  @Pattern(ImageSpec.TAG_PATTERN)
  @JsonPropertyDescription(
      "Image tag. Default: the one the operator chooses for the configured version.")
  private String tag;

  @Pattern(ImageSpec.DIGEST_PATTERN)
  @JsonPropertyDescription("Optional content digest (sha256:<64 hex>); recommended.")
  private String digest;

  public String getRepository() {
    return repository;
  }

  public void setRepository(String repository) {
    this.repository = repository;
  }

  public String getTag() {
    return tag;
  }

  public void setTag(String tag) {
    this.tag = tag;
  }

  public String getDigest() {
    return digest;
  }

  public void setDigest(String digest) {
    this.digest = digest;
  }
}
