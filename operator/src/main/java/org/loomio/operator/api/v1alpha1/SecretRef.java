package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A whole Secret in the LoomioDeployment's namespace, whose expected keys are named by the field using it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecretRef {

  @Required
  @Pattern(SecretKeyRef.NAME_PATTERN)
  @Size(max = 253)
  @JsonPropertyDescription("Name of the Secret (same namespace).")
  private String name;

  public SecretRef() {}

  public SecretRef(String name) {
    this.name = name;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }
}
