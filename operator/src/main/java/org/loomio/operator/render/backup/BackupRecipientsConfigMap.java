package org.loomio.operator.render.backup;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.util.List;
import java.util.Map;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Names;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.base.ObjectMetas;
import org.loomio.operator.render.base.RenderContext;

/**
 * ConfigMap {@code <name>-backup-recipients}: the armored OpenPGP public key of the key pair the operator
 * generated for this stack (its private half stays in Secret {@code <name>-backup-key}, which only
 * restore pods mount). Rendered only when backups encrypt to that generated key.
 */
public final class BackupRecipientsConfigMap {

  public static final String KEY = "recipients.asc";
  public static final String PLACEHOLDER = "<the public key the operator generates>";

  private BackupRecipientsConfigMap() {}

  public static List<ConfigMap> render(RenderContext ctx) {
    ResolvedSpec.Backup b = ctx.spec().backup();
    if (!b.generatedKey() || ctx.backupPublicKey().isEmpty()) {
      return List.of();
    }
    return List.of(new ConfigMapBuilder()
        .withMetadata(ObjectMetas.of(ctx, Names.backupRecipients(ctx.name()), Component.BACKUP))
        .withData(Map.of(KEY, ctx.backupPublicKey().get()))
        .build());
  }
}
