package org.loomio.operator.status;

/** Reasons of Degraded: what stops the stack, or a part of it, and needs a person. */
public enum DegradedReason implements ConditionReason {
  AS_EXPECTED("AsExpected"),
  MIGRATION_FAILED("MigrationFailed"),
  /** The embedded database's role setup Job failed (the migration waits for it). */
  ROLE_SETUP_FAILED("RoleSetupFailed"),
  /** A step of spec.secrets.rotate failed. */
  ROTATION_FAILED("RotationFailed"),
  /** An upgrade's gate check failed: the old version keeps serving. */
  UPGRADE_GATE_FAILED("UpgradeGateFailed"),
  /** An upgrade's pre-upgrade backup failed. */
  UPGRADE_BACKUP_FAILED("UpgradeBackupFailed"),
  /** An upgrade waits for a backup, but backups are off. */
  UPGRADE_NEEDS_BACKUP("UpgradeNeedsBackup"),
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
  RECONCILE_FAILED("ReconcileFailed");

  private final String value;

  DegradedReason(String value) {
    this.value = value;
  }

  @Override
  public String type() {
    return Conditions.DEGRADED;
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
