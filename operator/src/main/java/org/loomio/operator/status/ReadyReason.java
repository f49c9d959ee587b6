package org.loomio.operator.status;

/** Reasons of Ready: whether every component serves spec.image, and what it waits for when not. */
public enum ReadyReason implements ConditionReason {
  ALL_COMPONENTS_READY("AllComponentsReady"),
  WORKLOADS_NOT_READY("WorkloadsNotReady"),
  MIGRATION_PENDING("MigrationPending"),
  MIGRATION_FAILED("MigrationFailed"),
  /** A CloudNativePG database is not there, has no primary, or is not healthy. */
  DATABASE_NOT_READY("DatabaseNotReady"),
  RESTORING("Restoring"),
  /** A migrate-only stepping stone: only its migration runs. */
  MIGRATE_ONLY("MigrateOnly"),
  /** An upgrade's maintenance window keeps web, worker and hocuspocus stopped. */
  MAINTENANCE_WINDOW("MaintenanceWindow"),
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
  RECONCILE_FAILED("ReconcileFailed");

  private final String value;

  ReadyReason(String value) {
    this.value = value;
  }

  @Override
  public String type() {
    return Conditions.READY;
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
