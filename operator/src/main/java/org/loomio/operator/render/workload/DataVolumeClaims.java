package org.loomio.operator.render.workload;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.List;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Names;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.base.ObjectMetas;
import org.loomio.operator.render.base.RenderContext;

/**
 * The data PersistentVolumeClaims: uploads ({@code <name>-uploads}), the embedded database
 * ({@code <name>-postgres-data}) and the backups ({@code <name>-backups}). Created once and never updated or deleted by reconciliation; they carry
 * the stack's labels but no owner reference, so deleting the LoomioDeployment leaves them in place
 * (deletionPolicy Delete removes them explicitly). A new LoomioDeployment of the same name finds them
 * by name and uses them again.
 */
public final class DataVolumeClaims {

  private DataVolumeClaims() {}

  public static List<PersistentVolumeClaim> render(RenderContext ctx) {
    List<PersistentVolumeClaim> claims = new ArrayList<>();
    ResolvedSpec.Storage storage = ctx.spec().storage();
    if (storage.onVolume()) {
      claims.add(claim(
          ctx,
          Names.of(ctx.name(), Component.UPLOADS),
          Component.UPLOADS,
          storage.volume().getAccessMode().name(),
          storage.volume().getSize(),
          storage.volume().getStorageClassName()));
    }
    ResolvedSpec.Database db = ctx.spec().database();
    if (db.embedded()) {
      claims.add(claim(
          ctx,
          Names.postgresData(ctx.name()),
          Component.POSTGRES,
          "ReadWriteOnce",
          db.storageSize(),
          db.storageClassName()));
    }
    ResolvedSpec.Backup backup = ctx.spec().backup();
    if (backup.onVolume()) {
      claims.add(claim(
          ctx,
          Names.backupsClaim(ctx.name()),
          Component.BACKUP,
          "ReadWriteOnce",
          backup.volumeSize(),
          backup.volumeStorageClass()));
    }
    return claims;
  }

  private static PersistentVolumeClaim claim(
      RenderContext ctx,
      String name,
      Component component,
      String accessMode,
      String size,
      String storageClassName) {
    return new PersistentVolumeClaimBuilder()
        .withMetadata(
            ObjectMetas.retained(ctx.namespace(), ctx.name(), ctx.spec().uid(), name, component))
        .withNewSpec()
        .withAccessModes(accessMode)
        .withStorageClassName(
            storageClassName == null || storageClassName.isEmpty() ? null : storageClassName)
        .withNewResources()
        .addToRequests("storage", new Quantity(size))
        .endResources()
        .endSpec()
        .build();
  }
}
