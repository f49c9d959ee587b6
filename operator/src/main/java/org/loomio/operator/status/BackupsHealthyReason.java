package org.loomio.operator.status;

/** Reasons of BackupsHealthy: whether backups and restore drills run and succeed in time. */
public enum BackupsHealthyReason implements ConditionReason {
  BACKUP_SUCCEEDED("BackupSucceeded"),
  BACKUP_FAILED("BackupFailed"),
  BACKUP_OVERDUE("BackupOverdue"),
  DRILL_FAILED("DrillFailed"),
  DRILL_OVERDUE("DrillOverdue"),
  NO_BACKUP_YET("NoBackupYet"),
  BACKUPS_DISABLED("BackupsDisabled"),
  /** Backups are paused while the stack is isolated. */
  BACKUPS_PAUSED("BackupsPaused"),
  API_MISSING("APIMissing");

  private final String value;

  BackupsHealthyReason(String value) {
    this.value = value;
  }

  @Override
  public String type() {
    return Conditions.BACKUPS_HEALTHY;
  }

  @Override
  public String value() {
    return value;
  }

  @Override
  public String toString() {
    return value;
  }
}
