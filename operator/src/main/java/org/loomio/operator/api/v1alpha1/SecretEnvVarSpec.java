package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** An environment variable whose value comes from a Secret. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SecretEnvVarSpec {

  @Required
  @Pattern(EnvVarSpec.NAME_PATTERN)
  @Size(max = 128)
  @JsonPropertyDescription("Variable name.")
  private String name;

  @Required
  @JsonPropertyDescription("The Secret key holding the value.")
  private SecretKeyRef secretKeyRef;

  public SecretEnvVarSpec() {}

  public SecretEnvVarSpec(String name, SecretKeyRef secretKeyRef) {
    this.name = name;
    this.secretKeyRef = secretKeyRef;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public SecretKeyRef getSecretKeyRef() {
    return secretKeyRef;
  }

  public void setSecretKeyRef(SecretKeyRef secretKeyRef) {
    this.secretKeyRef = secretKeyRef;
  }
}
