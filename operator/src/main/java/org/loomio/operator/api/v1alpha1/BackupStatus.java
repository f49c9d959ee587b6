package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** What the operator last saw of the stack's backups (from the backup pods' termination messages). */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BackupStatus {

  @JsonPropertyDescription("Name of the newest complete backup (scheduled or on demand).")
  private String lastSuccessfulBackup;

  @JsonPropertyDescription("When the newest complete backup was taken (RFC 3339).")
  private String lastSuccessfulTime;

  @JsonPropertyDescription(
      "When the newest failed backup run ended (RFC 3339), if it is newer than the last"
          + " success.")
  private String lastFailureTime;

  @JsonPropertyDescription("Why that run failed (never a secret).")
  private String lastFailureMessage;

  @JsonPropertyDescription("The newest finished restore drill (spec.backup.drill).")
  private DrillStatus lastDrill;

  public DrillStatus getLastDrill() {
    return lastDrill;
  }

  public void setLastDrill(DrillStatus lastDrill) {
    this.lastDrill = lastDrill;
  }

  public String getLastSuccessfulBackup() {
    return lastSuccessfulBackup;
  }

  public void setLastSuccessfulBackup(String lastSuccessfulBackup) {
    this.lastSuccessfulBackup = lastSuccessfulBackup;
  }

  public String getLastSuccessfulTime() {
    return lastSuccessfulTime;
  }

  public void setLastSuccessfulTime(String lastSuccessfulTime) {
    this.lastSuccessfulTime = lastSuccessfulTime;
  }

  public String getLastFailureTime() {
    return lastFailureTime;
  }

  public void setLastFailureTime(String lastFailureTime) {
    this.lastFailureTime = lastFailureTime;
  }

  public String getLastFailureMessage() {
    return lastFailureMessage;
  }

  public void setLastFailureMessage(String lastFailureMessage) {
    this.lastFailureMessage = lastFailureMessage;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BackupStatus b
        && Objects.equals(lastSuccessfulBackup, b.lastSuccessfulBackup)
        && Objects.equals(lastSuccessfulTime, b.lastSuccessfulTime)
        && Objects.equals(lastFailureTime, b.lastFailureTime)
        && Objects.equals(lastFailureMessage, b.lastFailureMessage)
        && Objects.equals(lastDrill, b.lastDrill);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        lastSuccessfulBackup, lastSuccessfulTime, lastFailureTime, lastFailureMessage, lastDrill);
  }
}
