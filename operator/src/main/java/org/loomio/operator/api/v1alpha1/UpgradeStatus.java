package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** An upgrade under way: from the migrated image to spec.image. Absent when none is. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class UpgradeStatus {

  /** Where an upgrade stands. */
  public enum Phase { Waiting, CheckingGate, BackingUp, Migrating, Failed }

  @JsonPropertyDescription("The image the database is migrated to (web, worker and hocuspocus keep running it"
      + " until the new migration succeeds).")
  private String from;

  @JsonPropertyDescription("The image spec.image asks for.")
  private String to;

  @JsonPropertyDescription("Waiting (isolated, or backups unavailable), CheckingGate (a version gate Job runs on"
      + " the old image), BackingUp (the pre-upgrade backup runs), Migrating, or Failed.")
  private Phase phase;

  @JsonPropertyDescription("The pre-upgrade LoomioBackup: restore it with a LoomioRestore (backupName from its"
      + " status) to roll back.")
  private String backup;

  @JsonPropertyDescription("The version gate Job, when the upgrade crosses a gated version (3.3).")
  private String gateJob;

  @JsonPropertyDescription("What happens now, or why the upgrade stopped (never a secret).")
  private String message;

  @JsonPropertyDescription("When this upgrade began (RFC 3339). Its backup and gate check are this attempt's own:"
      + " an upgrade tried again later takes a new backup and checks again.")
  private String startedAt;

  public String getFrom() { return from; }
  public void setFrom(String from) { this.from = from; }
  public String getTo() { return to; }
  public void setTo(String to) { this.to = to; }
  public Phase getPhase() { return phase; }
  public void setPhase(Phase phase) { this.phase = phase; }
  public String getBackup() { return backup; }
  public void setBackup(String backup) { this.backup = backup; }
  public String getGateJob() { return gateJob; }
  public void setGateJob(String gateJob) { this.gateJob = gateJob; }
  public String getStartedAt() { return startedAt; }
  public void setStartedAt(String startedAt) { this.startedAt = startedAt; }
  public String getMessage() { return message; }
  public void setMessage(String message) { this.message = message; }

  @Override
  public boolean equals(Object o) {
    return o instanceof UpgradeStatus u && Objects.equals(from, u.from) && Objects.equals(to, u.to)
        && phase == u.phase && Objects.equals(backup, u.backup) && Objects.equals(gateJob, u.gateJob)
        && Objects.equals(message, u.message) && Objects.equals(startedAt, u.startedAt);
  }

  @Override
  public int hashCode() { return Objects.hash(from, to, phase, backup, gateJob, message, startedAt); }
}
