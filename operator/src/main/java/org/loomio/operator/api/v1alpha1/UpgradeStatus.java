package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** An upgrade under way: from the migrated image to spec.image. Absent when none is. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class UpgradeStatus {

  /** Where an upgrade stands. */
  public enum Phase {
    Waiting,
    CheckingGate,
    BackingUp,
    Stopping,
    Migrating,
    Failed
  }

  @JsonPropertyDescription(
      "The image the database is migrated to (web, worker and hocuspocus run it until the"
          + " new migration succeeds, or are stopped during a maintenance window).")
  private String from;

  @JsonPropertyDescription("The image spec.image asks for.")
  private String to;

  @JsonPropertyDescription(
      "Waiting (isolated, or backups unavailable), CheckingGate (a version gate Job runs on"
          + " the old image), BackingUp (the pre-upgrade backup runs), Stopping (a maintenance window begins: web,"
          + " worker and hocuspocus scale to zero before the migration), Migrating, or Failed.")
  private Phase phase;

  @JsonPropertyDescription(
      "True when this upgrade has a maintenance window: a new release series, a gated"
          + " release crossed, or a tag that names no version. Web, worker and hocuspocus are stopped while the"
          + " migration runs and start on the new image once it succeeded; how long that takes depends on Loomio's"
          + " migrations and the data, and is not known in advance. Absent for a patch release within a series"
          + " (a digest change of a version tag included), whose migration runs while the old version serves.")
  private Boolean maintenanceWindow;

  @JsonPropertyDescription(
      "When web, worker and hocuspocus were stopped for the maintenance window (RFC 3339).")
  private String stoppedAt;

  @JsonPropertyDescription(
      "The pre-upgrade LoomioBackup: restore it with a LoomioRestore (backupName from its"
          + " status) to roll back.")
  private String backup;

  @JsonPropertyDescription("The version gate Job, when the upgrade crosses a gated version (3.3).")
  private String gateJob;

  @JsonPropertyDescription("What happens now, or why the upgrade stopped (never a secret).")
  private String message;

  @JsonPropertyDescription(
      "When this upgrade began (RFC 3339). Its backup and gate check are this attempt's own:"
          + " an upgrade tried again later takes a new backup and checks again.")
  private String startedAt;

  public String getFrom() {
    return from;
  }

  public void setFrom(String from) {
    this.from = from;
  }

  public String getTo() {
    return to;
  }

  public void setTo(String to) {
    this.to = to;
  }

  public Phase getPhase() {
    return phase;
  }

  public void setPhase(Phase phase) {
    this.phase = phase;
  }

  public Boolean getMaintenanceWindow() {
    return maintenanceWindow;
  }

  public void setMaintenanceWindow(Boolean maintenanceWindow) {
    this.maintenanceWindow = maintenanceWindow;
  }

  public String getStoppedAt() {
    return stoppedAt;
  }

  public void setStoppedAt(String stoppedAt) {
    this.stoppedAt = stoppedAt;
  }

  public String getBackup() {
    return backup;
  }

  public void setBackup(String backup) {
    this.backup = backup;
  }

  public String getGateJob() {
    return gateJob;
  }

  public void setGateJob(String gateJob) {
    this.gateJob = gateJob;
  }

  public String getStartedAt() {
    return startedAt;
  }

  public void setStartedAt(String startedAt) {
    this.startedAt = startedAt;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UpgradeStatus u
        && Objects.equals(from, u.from)
        && Objects.equals(to, u.to)
        && phase == u.phase
        && Objects.equals(backup, u.backup)
        && Objects.equals(gateJob, u.gateJob)
        && Objects.equals(message, u.message)
        && Objects.equals(startedAt, u.startedAt)
        && Objects.equals(maintenanceWindow, u.maintenanceWindow)
        && Objects.equals(stoppedAt, u.stoppedAt);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        from, to, phase, backup, gateJob, message, startedAt, maintenanceWindow, stoppedAt);
  }
}
