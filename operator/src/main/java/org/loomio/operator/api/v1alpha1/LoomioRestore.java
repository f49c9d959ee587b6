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
 * Restores a LoomioDeployment from one of its backups: stops web, worker and hocuspocus, restores the
 * database, the uploads and (when asked) the application credentials, migrates for the current image,
 * then starts the stack again. Each step is reported in status. It never deletes the backup it uses.
 */
@JsonClassDescription(
    "Restores a LoomioDeployment from one of its backups: stops web, worker and hocuspocus,"
        + " restores the database, the uploads and (when asked) the application credentials, migrates for the current"
        + " image, then starts the stack again. Each step is reported in status. It never deletes the backup it uses."
        + " Short name: lrestore. Reference: docs/backup.md.")
@Group(LoomioDeployment.GROUP)
@Version(LoomioDeployment.VERSION)
@Kind("LoomioRestore")
@Plural("loomiorestores")
@Singular("loomiorestore")
@ShortNames("lrestore")
@AdditionalPrinterColumn(
    name = "Stack",
    jsonPath = ".spec.deploymentName",
    getDescription = "The LoomioDeployment restored (spec.deploymentName)")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase")
@AdditionalPrinterColumn(name = "Backup", jsonPath = ".status.backupName")
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class LoomioRestore extends CustomResource<LoomioRestoreSpec, LoomioRestoreStatus>
    implements Namespaced {

  public static final String KIND = "LoomioRestore";

  /**
   * The LoomioDeployment this restore acts on: the one recorded when it started (a later change of the spec is not
   * used), else the one its spec names; null if neither says.
   */
  public String target() {
    if (getStatus() != null && getStatus().getDeploymentName() != null) {
      return getStatus().getDeploymentName();
    }
    return getSpec() == null ? null : getSpec().getDeploymentName();
  }

  /** No default spec: the operator never writes spec (see LoomioDeployment#initSpec). */
  @Override
  protected LoomioRestoreSpec initSpec() {
    return null;
  }

  @Override
  protected LoomioRestoreStatus initStatus() {
    return null;
  }
}
