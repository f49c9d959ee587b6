package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A plain, non-secret environment variable. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EnvVarSpec {

  public static final String NAME_PATTERN = "^[A-Za-z_][A-Za-z0-9_]*$";

  @Required
  @Pattern(NAME_PATTERN)
  @Size(max = 128)
  @JsonPropertyDescription("Variable name.")
  private String name;

  @Size(max = 8192)
  @JsonPropertyDescription("Value (stored in the <name>-config ConfigMap).")
  private String value;

  public EnvVarSpec() {}

  public EnvVarSpec(String name, String value) {
    this.name = name;
    this.value = value;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getValue() {
    return value;
  }

  public void setValue(String value) {
    this.value = value;
  }
}
