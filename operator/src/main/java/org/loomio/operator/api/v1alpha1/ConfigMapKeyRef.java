package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A key of a ConfigMap in the LoomioDeployment's namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ConfigMapKeyRef {

  @Required
  @Pattern(SecretKeyRef.NAME_PATTERN)
  @Size(max = 253)
  @JsonPropertyDescription("Name of the ConfigMap (same namespace).")
  private String name;

  @Required
  @Pattern(SecretKeyRef.KEY_PATTERN)
  @Size(max = 253)
  @JsonPropertyDescription("Key within the ConfigMap.")
  private String key;

  public ConfigMapKeyRef() {}

  public ConfigMapKeyRef(String name, String key) {
    this.name = name;
    this.key = key;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getKey() {
    return key;
  }

  public void setKey(String key) {
    this.key = key;
  }
}
