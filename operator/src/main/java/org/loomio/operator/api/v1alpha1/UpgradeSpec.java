package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** How a change of spec.image reaches an existing database (docs/operations.md, "Upgrade"). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class UpgradeSpec {

  @Default("true")
  @JsonPropertyDescription(
      "Take a backup (a LoomioBackup named <name>-pre-upgrade-<hash>) and wait for it to"
          + " complete before the migration of a new image runs. On by default; with backups disabled the upgrade"
          + " waits (Degraded, reason UpgradeNeedsBackup) until backups are enabled or this is set to false.")
  private Boolean backupBeforeMigration = true;

  public Boolean getBackupBeforeMigration() {
    return backupBeforeMigration;
  }

  public void setBackupBeforeMigration(Boolean backupBeforeMigration) {
    this.backupBeforeMigration = backupBeforeMigration;
  }
}
