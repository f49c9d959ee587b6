package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** One encrypted object of a backup, as its manifest records it. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackupObject {

  @JsonPropertyDescription("Object name within the backup, e.g. database.dump.pgp.")
  private String name;

  @JsonPropertyDescription("Size of the encrypted object in bytes.")
  private Long bytes;

  @JsonPropertyDescription("SHA-256 of the encrypted object (hex).")
  private String sha256;

  public BackupObject() {}

  public BackupObject(String name, Long bytes, String sha256) {
    this.name = name;
    this.bytes = bytes;
    this.sha256 = sha256;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public Long getBytes() {
    return bytes;
  }

  public void setBytes(Long bytes) {
    this.bytes = bytes;
  }

  public String getSha256() {
    return sha256;
  }

  public void setSha256(String sha256) {
    this.sha256 = sha256;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BackupObject b
        && Objects.equals(name, b.name)
        && Objects.equals(bytes, b.bytes)
        && Objects.equals(sha256, b.sha256);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, bytes, sha256);
  }
}
