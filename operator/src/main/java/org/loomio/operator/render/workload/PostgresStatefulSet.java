package org.loomio.operator.render.workload;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.util.List;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Defaults;
import org.loomio.operator.model.Labels;
import org.loomio.operator.model.Names;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.base.ObjectMetas;
import org.loomio.operator.render.base.RenderContext;
import org.loomio.operator.render.pod.Expansion;
import org.loomio.operator.render.pod.HardenedPod;
import org.loomio.operator.render.pod.Probes;
import org.loomio.operator.render.pod.Scratch;

/**
 * The embedded PostgreSQL: the official image run as UID 10001 (its entrypoint supports an arbitrary
 * user), data on the retained claim {@code <name>-postgres-data}, socket and scratch on emptyDirs, a
 * tmpfs for shared memory. Its bootstrap superuser {@value ResolvedSpec#EMBEDDED_USER} gets the password of
 * {@code <name>-postgres-superuser} (used by the first start only); the app's own role is made by
 * {@link RoleSetupJob}.
 */
public final class PostgresStatefulSet {

  public static final String PORT_NAME = "postgres";
  public static final int PORT = 5432;
  public static final String DATA_DIR = "/var/lib/postgresql/data";
  /** PGDATA is a subdirectory, so the volume root (lost+found, fsGroup ownership) stays out of it. */
  public static final String PGDATA = DATA_DIR + "/pgdata";

  private PostgresStatefulSet() {}

  public static StatefulSet render(RenderContext ctx) {
    ResolvedSpec.Database db = ctx.spec().database();
    String ready =
        "pg_isready -h 127.0.0.1 -p " + PORT + " -U \"$POSTGRES_USER\" -d \"$POSTGRES_DB\"";
    ContainerBuilder main = new ContainerBuilder()
        .withName("postgres")
        .withImage(ctx.spec().postgresImage())
        .withImagePullPolicy(ctx.spec().postgresPullPolicy())
        .withEnv(
            Expansion.env("POSTGRES_USER", ResolvedSpec.EMBEDDED_USER),
            Expansion.env("POSTGRES_DB", ResolvedSpec.EMBEDDED_DATABASE),
            // initdb's superuser password: the maintenance superuser's, never the app's
            // (RoleSetupJob)
            RailsContainer.fromSecret(
                "POSTGRES_PASSWORD",
                Names.postgresSuperuser(ctx.name()),
                RoleSetupJob.SUPERUSER_PASSWORD),
            Expansion.env("PGDATA", PGDATA))
        .withPorts(new ContainerPortBuilder()
            .withName(PORT_NAME)
            .withContainerPort(PORT)
            .withProtocol("TCP")
            .build())
        .withResources(db.workload().resources())
        .addToVolumeMounts(
            new VolumeMountBuilder().withName("data").withMountPath(DATA_DIR).build())
        // First start runs initdb: give it up to 10 minutes.
        .withStartupProbe(Probes.exec(List.of("/bin/sh", "-c", ready), 10, 5, 60))
        .withReadinessProbe(Probes.exec(List.of("/bin/sh", "-c", ready), 10, 5, 3))
        .withLivenessProbe(Probes.tcp(PORT_NAME, 20, 5, 6));

    HardenedPod pod = HardenedPod.of(ctx, Component.POSTGRES)
        .options(db.workload().pod())
        .scratch(Scratch.disk("run", "/var/run/postgresql", Defaults.POSTGRES_RUN_SIZE))
        .scratch(Scratch.disk("tmp", "/tmp", Defaults.SMALL_TMP_SIZE))
        .scratch(Scratch.memory("shm", "/dev/shm", Defaults.POSTGRES_SHM_SIZE))
        .volume(new VolumeBuilder()
            .withName("data")
            .withNewPersistentVolumeClaim()
            .withClaimName(Names.postgresData(ctx.name()))
            .endPersistentVolumeClaim()
            .build())
        .terminationGracePeriodSeconds(60)
        .container(main.build());

    return new StatefulSetBuilder()
        .withMetadata(ObjectMetas.of(ctx, Component.POSTGRES))
        .withNewSpec()
        .withReplicas(1)
        .withServiceName(ctx.postgresServiceName())
        .withRevisionHistoryLimit(5)
        .withSelector(new LabelSelector(null, Labels.selector(ctx.name(), Component.POSTGRES)))
        .withNewUpdateStrategy()
        .withType("RollingUpdate")
        .endUpdateStrategy()
        .withTemplate(pod.build())
        .endSpec()
        .build();
  }

  /**
   * What is created when no StatefulSet exists: the desired one, governed by {@code <name>-postgres-headless}
   * whatever the render kept. The render keeps an existing StatefulSet's serviceName from the informer's cache
   * ({@link RenderContext#postgresServiceName()}); when that StatefulSet is deleted with {@code --cascade=orphan}
   * (the documented move to the headless Service) between the render and the create, the legacy name must not come
   * back, because the field is immutable. A legacy serviceName is only ever kept, never created.
   */
  public static StatefulSet toCreate(StatefulSet desired, String instance) {
    String headless = Names.postgresHeadless(instance);
    if (desired.getSpec() == null || headless.equals(desired.getSpec().getServiceName())) {
      return desired;
    }
    return new StatefulSetBuilder(desired)
        .editSpec()
        .withServiceName(headless)
        .endSpec()
        .build();
  }
}
