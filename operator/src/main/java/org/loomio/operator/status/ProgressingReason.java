package org.loomio.operator.status;

/** Reasons of Progressing: whether something rolls out, migrates or upgrades. */
public enum ProgressingReason implements ConditionReason {
  ROLLING_OUT("RollingOut"),
  STABLE("Stable"),
  MIGRATION_PENDING("MigrationPending"),
  MIGRATION_FAILED("MigrationFailed"),
  RESTORING("Restoring"),
  MIGRATE_ONLY("MigrateOnly"),
  /** An upgrade prepares (gate, backup), waits, or stops the app for its window. */
  UPGRADING("Upgrading"),
  ISOLATED("Isolated"),
  /** The spec breaks a rule (SpecValidator), or changes what cannot change. */
  INVALID_SPEC("InvalidSpec"),
  SECRET_NOT_FOUND("SecretNotFound"),
  /** A referenced Secret or ConfigMap does not carry its owner's consent for this stack. */
  CONSENT_REQUIRED("ConsentRequired"),
  MISSING_SECRET_KEY("MissingSecretKey"),
  INCOMPLETE_CREDENTIALS("IncompleteCredentials"),
  /** An object of a name the stack uses exists and is not the stack's own. */
  NAME_CONFLICT("NameConflict"),
  /** spec.image is older than the database (UpgradePath.DOWNGRADE). */
  DOWNGRADE_REFUSED("DowngradeRefused"),
  /** spec.image skips a stepping stone (UpgradePath.SKIPS_STEPPING_STONE). */
  UPGRADE_SKIPS_VERSION("UpgradeSkipsVersion"),
  /** Applying the stack failed unexpectedly; the reconcile is retried. */
  RECONCILE_FAILED("ReconcileFailed"),
  UPGRADE_GATE_FAILED("UpgradeGateFailed"),
  UPGRADE_BACKUP_FAILED("UpgradeBackupFailed"),
  UPGRADE_NEEDS_BACKUP("UpgradeNeedsBackup");

  private final String value;

  ProgressingReason(String value) {
    this.value = value;
  }

  @Override
  public String type() {
    return Conditions.PROGRESSING;
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
