package org.loomio.operator.render.workload;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Defaults;
import org.loomio.operator.model.LoomioImage;
import org.loomio.operator.model.Names;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.model.SecretDigests;
import org.loomio.operator.render.base.LoomioSettings;
import org.loomio.operator.render.base.ObjectMetas;
import org.loomio.operator.render.base.RenderContext;
import org.loomio.operator.render.pod.Expansion;
import org.loomio.operator.render.pod.HardenedPod;

/**
 * The migration Job {@code <name>-migrate-<hash>}: runs {@code rake db:prepare} (loads the schema into an
 * empty database, migrates an existing one) once per image and database. Its name changes with them, so
 * an upgrade creates a new Job; a Job is never updated (its pod template is immutable) and has no TTL, so
 * its outcome stays visible. web and worker pods wait for it in their init containers.
 */
public final class MigrationJob {

  private MigrationJob() {}

  /** The 8-hex hash of what a migration depends on: the image and the database it migrates. */
  public static String hash(RenderContext ctx) {
    return hash(ctx, ctx.migrationImage());
  }

  /** The same hash for another image (the one an upgrade goes to, or comes from). */
  public static String hash(RenderContext ctx, LoomioImage image) {
    return hash(ctx.spec(), image);
  }

  static String hash(ResolvedSpec spec, LoomioImage image) {
    return SecretDigests.sha256(
            image.reference() + "\n" + LoomioSettings.databaseUrl(spec.database()))
        .substring(0, 8);
  }

  /** The migration Job's name for an image of this stack (it depends on the spec alone). */
  public static String name(ResolvedSpec spec, LoomioImage image) {
    return Names.migrationJob(spec.name(), hash(spec, image));
  }

  public static String name(RenderContext ctx) {
    return Names.migrationJob(ctx.name(), hash(ctx));
  }

  /** The migration Job's name for the given image. */
  public static String name(RenderContext ctx, LoomioImage image) {
    return Names.migrationJob(ctx.name(), hash(ctx, image));
  }

  public static Job render(RenderContext ctx) {
    ResolvedSpec spec = ctx.spec();
    ResolvedSpec.Database db = spec.database();
    ResolvedSpec.Workload web = spec.web();
    // the migration runs the new image while web and worker keep serving the old one (upgrades)
    ContainerBuilder migrate = RailsContainer.base(ctx, "migrate", web.resources())
        .withImage(ctx.migrationImage().reference())
        .withCommand("bundle", "exec", "rake", "db:prepare")
        // on failure the kubelet keeps the log's tail as the termination message: Degraded quotes
        // it
        .withTerminationMessagePolicy("FallbackToLogsOnError");

    // Waits (within the Job's deadline) until PostgreSQL accepts connections, so a first start does
    // not
    // burn the Job's retries while the embedded database is still initialising.
    ContainerBuilder waitForDatabase = new ContainerBuilder()
        .withName("wait-for-database")
        .withImage(ctx.spec().postgresImage())
        .withImagePullPolicy(ctx.spec().postgresPullPolicy())
        .withCommand(
            "/bin/sh",
            "-c",
            "until pg_isready -h \"$PGHOST\" -p \"$PGPORT\" -t 5; do sleep 2; done")
        .withEnv(
            Expansion.env("PGHOST", db.host()),
            Expansion.env("PGPORT", Integer.toString(db.port())))
        .withResources(Defaults.WAIT_FOR_DATABASE);

    HardenedPod pod = HardenedPod.of(ctx, Component.MIGRATE)
        .runToCompletion()
        .options(web.pod())
        .bareInitContainer(waitForDatabase.build());
    RailsContainer.scratch(ctx, ctx.migrationImage()).forEach(pod::scratch);
    RailsContainer.volumes(ctx).forEach(pod::volume);
    pod.container(migrate.build());

    return new JobBuilder()
        .withMetadata(ObjectMetas.of(ctx, name(ctx), Component.MIGRATE))
        .withNewSpec()
        .withBackoffLimit(Defaults.MIGRATION_BACKOFF_LIMIT)
        .withActiveDeadlineSeconds(Defaults.MIGRATION_ACTIVE_DEADLINE_SECONDS)
        .withTemplate(pod.build())
        .endSpec()
        .build();
  }
}
