package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * One backup of a LoomioDeployment, now: the same Job as a scheduled backup, run once. Its status names the
 * backup and its objects. Deleting it deletes its Job, never the backup.
 */
@JsonClassDescription(
    "One backup of a LoomioDeployment, now: the same Job as a scheduled backup, run once. Its"
        + " status names the backup and its objects. Deleting it deletes its Job, never the backup. Short name: lbackup."
        + " Reference: docs/backup.md.")
@Group(LoomioDeployment.GROUP)
@Version(LoomioDeployment.VERSION)
@Kind("LoomioBackup")
@Plural("loomiobackups")
@Singular("loomiobackup")
@ShortNames("lbackup")
@AdditionalPrinterColumn(
    name = "Stack",
    jsonPath = ".spec.deploymentName",
    getDescription = "The LoomioDeployment backed up (spec.deploymentName)")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase")
@AdditionalPrinterColumn(name = "Backup", jsonPath = ".status.backupName")
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class LoomioBackup extends CustomResource<LoomioBackupSpec, LoomioBackupStatus>
    implements Namespaced {

  public static final String KIND = "LoomioBackup";

  /** No default spec: the operator never writes spec (see LoomioDeployment#initSpec). */
  @Override
  protected LoomioBackupSpec initSpec() {
    return null;
  }

  @Override
  protected LoomioBackupStatus initStatus() {
    return null;
  }
}
