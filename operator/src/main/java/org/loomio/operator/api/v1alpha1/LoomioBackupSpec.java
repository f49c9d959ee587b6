package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Which stack to back up. */
@JsonClassDescription("Which stack to back up. Immutable once created.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self == oldSelf",
    message = "a LoomioBackup cannot be changed; create another")
public class LoomioBackupSpec {

  @Required
  @Pattern(LoomioDeployment.NAME_PATTERN)
  @Size(max = LoomioDeployment.MAX_NAME_LENGTH)
  @JsonPropertyDescription(
      "Name of the LoomioDeployment (same namespace) to back up, with its spec.backup"
          + " settings (destinations, encryption, retention).")
  private String deploymentName;

  public String getDeploymentName() {
    return deploymentName;
  }

  public void setDeploymentName(String deploymentName) {
    this.deploymentName = deploymentName;
  }
}
