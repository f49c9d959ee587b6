package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import org.loomio.operator.upgrade.LoomioReleases;

/** The Loomio container image. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = LoomioReleases.CEL_SERVED_OR_MIGRATE_ONLY,
    message = "spec.image.tag: " + LoomioReleases.UNSERVED_MESSAGE)
public class ImageSpec {

  public static final String REPOSITORY_PATTERN = "^[a-z0-9]+([._/:-][a-z0-9]+)*$";
  public static final String TAG_PATTERN = "^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$";
  public static final String DIGEST_PATTERN = "^sha256:[a-f0-9]{64}$";

  @Pattern(REPOSITORY_PATTERN)
  @Size(max = 255)
  @JsonPropertyDescription(
      "Image repository, optionally with a registry host. Default: the operator's default"
          + " Loomio image (loomio/loomio unless the operator was installed with another, for example a mirror). It"
          + " must be a repository the operator admits (by default the official ones and the operator's default"
          + " images; the operator's chart value tenancy.allowedImageRepositories adds more); another is refused.")
  private String repository;

  @Pattern(TAG_PATTERN)
  @Size(max = 128)
  @JsonPropertyDescription(
      "Image tag, for example a release series such as 3.5. Default: the operator's default"
          + " (3.5 unless the operator was installed with another). Pin a digest too: a series tag moves with every"
          + " patch release. The oldest release the operator runs is 3.1.0; before it, only Loomio's stepping stones"
          + " 2.4.2, 2.8.8, 2.11.13, 2.15.4 and 2.17.1 are accepted, as migrate-only steps (their migration runs, web,"
          + " worker and hocuspocus stay at zero); other older tags are refused.")
  private String tag;

  @Pattern(DIGEST_PATTERN)
  @JsonPropertyDescription(
      "Optional content digest (sha256:<64 hex>). Pods then run repository:tag@digest and"
          + " pull with Always, so every node runs exactly this build. Recommended. (The operator's default digest,"
          + " if it has one, applies only while repository and tag are unset.)")
  private String digest;

  @JsonPropertyDescription(
      "Image pull policy. Default: Always when a digest is pinned (cheap, exact),"
          + " otherwise IfNotPresent (a moving tag is never re-pulled silently).")
  private PullPolicy pullPolicy;

  public enum PullPolicy {
    Always,
    IfNotPresent,
    Never
  }

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

  public PullPolicy getPullPolicy() {
    return pullPolicy;
  }

  public void setPullPolicy(PullPolicy pullPolicy) {
    this.pullPolicy = pullPolicy;
  }
}
