package org.loomio.operator.render;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.List;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.Credentials;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.model.SecretDigests;
import org.loomio.operator.render.backup.BackupCronJob;
import org.loomio.operator.render.backup.BackupRecipientsConfigMap;
import org.loomio.operator.render.backup.DrillCronJob;
import org.loomio.operator.render.base.RenderContext;
import org.loomio.operator.render.edge.HttpRoutes;
import org.loomio.operator.render.edge.Ingresses;
import org.loomio.operator.render.edge.NginxHeadersConfigMap;
import org.loomio.operator.render.edge.TraefikMiddlewares;
import org.loomio.operator.render.network.NetworkPolicies;
import org.loomio.operator.render.network.Services;
import org.loomio.operator.render.workload.CloudNativePGClusters;
import org.loomio.operator.render.workload.DataVolumeClaims;
import org.loomio.operator.render.workload.GeneratedSecret;
import org.loomio.operator.render.workload.HocuspocusDeployment;
import org.loomio.operator.render.workload.MigrationJob;
import org.loomio.operator.render.workload.PodDisruptionBudgets;
import org.loomio.operator.render.workload.PostgresStatefulSet;
import org.loomio.operator.render.workload.RedisDeployment;
import org.loomio.operator.render.workload.RoleSetupJob;
import org.loomio.operator.render.workload.RotationJob;
import org.loomio.operator.render.workload.ServiceAccounts;
import org.loomio.operator.render.workload.SettingsConfigMap;
import org.loomio.operator.render.workload.UpgradeGateJob;
import org.loomio.operator.render.workload.WebDeployment;
import org.loomio.operator.render.workload.WorkerDeployment;

/**
 * spec to objects: the single render entry point shared by the operator and the {@code render} CLI. Pure:
 * no client, no clock, no randomness; the same inputs always give the same objects in the same order.
 */
public final class StackRenderer {

  private StackRenderer() {}

  /** Renders with real credentials (the operator). The generated Secret carries its values. */
  public static Stack render(
      LoomioDeployment resource,
      ClusterCapabilities cluster,
      Credentials credentials,
      SecretDigests digests) {
    return render(resource, ImageDefaults.BUILT_IN, cluster, credentials, digests);
  }

  /** Renders with real credentials and the operator's default images. */
  public static Stack render(
      LoomioDeployment resource,
      ImageDefaults images,
      ClusterCapabilities cluster,
      Credentials credentials,
      SecretDigests digests) {
    return render(
        new RenderContext(ResolvedSpec.of(resource, images), cluster, credentials, digests));
  }

  /** Renders what a prepared context describes (the operator: keys and restore state included). */
  public static Stack render(RenderContext ctx) {
    return render(ctx, false);
  }

  /** Renders for printing: placeholder credentials, the generated Secret with placeholder stringData. */
  public static Stack renderForDisplay(LoomioDeployment resource, ClusterCapabilities cluster) {
    return renderForDisplay(resource, ImageDefaults.BUILT_IN, cluster);
  }

  /** Renders for printing with the given default images (what an operator configured so would apply). */
  public static Stack renderForDisplay(
      LoomioDeployment resource, ImageDefaults images, ClusterCapabilities cluster) {
    ResolvedSpec spec = ResolvedSpec.of(resource, images);
    RenderContext ctx = new RenderContext(
            spec, cluster, Credentials.placeholders(spec), SecretDigests.none())
        .withBackupPublicKey(BackupRecipientsConfigMap.PLACEHOLDER);
    return render(ctx, true);
  }

  private static Stack render(RenderContext ctx, boolean display) {
    ResolvedSpec spec = ctx.spec();
    List<HasMetadata> objects = new ArrayList<>();
    objects.addAll(ServiceAccounts.render(ctx));
    // the network is closed before any pod exists
    objects.addAll(NetworkPolicies.render(ctx));
    if (ctx.credentials().generated()) {
      objects.add(
          display
              ? GeneratedSecret.renderPlaceholders(ctx)
              : GeneratedSecret.render(spec, ctx.credentials().values()));
    }
    objects.add(SettingsConfigMap.render(ctx));
    if (!ctx.isolated()) {
      objects.addAll(NginxHeadersConfigMap.render(ctx));
    }
    objects.addAll(BackupRecipientsConfigMap.render(ctx));
    objects.addAll(DataVolumeClaims.render(ctx));
    objects.addAll(Services.render(ctx));
    if (spec.database().embedded()) {
      objects.add(PostgresStatefulSet.render(ctx));
    }
    objects.addAll(CloudNativePGClusters.render(ctx));
    if (spec.redis().embedded()) {
      objects.add(RedisDeployment.render(ctx));
    }
    objects.add(WebDeployment.render(ctx));
    objects.add(WorkerDeployment.render(ctx));
    if (spec.hocuspocusEnabled()) {
      objects.add(HocuspocusDeployment.render(ctx));
    }
    if (!ctx.isolated() && !ctx.databasePrimaryPending()) {
      // isolated: no new pod may start (a Job already created is kept: Jobs are never deleted
      // here); a
      // CloudNativePG database without a primary (or its Secrets) yet: the migration waits for it
      if (spec.database().embedded()) {
        objects.add(RoleSetupJob.render(ctx));
      }
      if (!ctx.migrationHeld()) {
        objects.add(MigrationJob.render(ctx));
      }
      ctx.upgradeGate().ifPresent(gate -> objects.add(UpgradeGateJob.render(ctx, gate)));
    }
    ctx.rotation().ifPresent(rotation -> objects.add(RotationJob.render(ctx, rotation)));
    objects.addAll(BackupCronJob.render(ctx));
    objects.addAll(DrillCronJob.render(ctx));
    objects.addAll(PodDisruptionBudgets.render(ctx));
    if (!ctx.isolated()) {
      // isolated: the edge is removed, so nothing routes to the stack (its NetworkPolicies deny it
      // anyway)
      objects.addAll(TraefikMiddlewares.render(ctx));
      objects.addAll(Ingresses.render(ctx));
      objects.addAll(HttpRoutes.render(ctx));
    }
    return new Stack(
        objects,
        ctx.omissions(),
        ctx.servingImage().reference(),
        ctx.servingImage().tag(),
        MigrationJob.name(ctx));
  }
}
