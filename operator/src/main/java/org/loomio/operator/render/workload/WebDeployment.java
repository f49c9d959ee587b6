package org.loomio.operator.render.workload;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Defaults;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.base.RenderContext;
import org.loomio.operator.render.pod.Expansion;
import org.loomio.operator.render.pod.HardenedPod;
import org.loomio.operator.render.pod.Probes;

/**
 * The web Deployment: Thruster on port 8080 in front of puma on 3000, ActionCable at /cable.
 *
 * <p>The stock entrypoint migrates on every boot (racing when several pods start); here the command
 * only syncs the client assets and starts the server, and an init container waits until the migration
 * Job has brought the schema up to date.
 */
public final class WebDeployment {

  public static final String HTTP_PORT_NAME = "http";
  public static final int HTTP_PORT = 8080;
  public static final String PUMA_PORT_NAME = "puma";
  public static final int PUMA_PORT = 3000;

  private WebDeployment() {}

  /**
   * Thruster's read timeout bounds the whole request, body included, and its write timeout the whole response
   * (30 s each by default): too short for the largest upload, or the download of one, over a slow link. Both
   * are the time the largest request body takes at {@link Defaults#MIN_CLIENT_BYTES_PER_SECOND}, at least
   * Thruster's default.
   */
  static long transferTimeoutSeconds(ResolvedSpec spec) {
    long maxBodyBytes = (spec.uploadLimitMB() + 1L) * 1024 * 1024;
    long seconds = (maxBodyBytes + Defaults.MIN_CLIENT_BYTES_PER_SECOND - 1)
        / Defaults.MIN_CLIENT_BYTES_PER_SECOND;
    return Math.max(Defaults.THRUSTER_DEFAULT_TIMEOUT_SECONDS, seconds);
  }

  public static Deployment render(RenderContext ctx) {
    ResolvedSpec spec = ctx.spec();
    ResolvedSpec.Workload web = spec.web();
    long maxBodyBytes = (spec.uploadLimitMB() + 1L) * 1024 * 1024;
    ContainerBuilder main = RailsContainer.base(ctx, "web", web.resources())
        .withCommand(
            "/bin/sh",
            "-c",
            "script/sync_client_assets && exec bundle exec thrust puma -C config/puma.rb")
        .addToEnv(Expansion.env("HTTP_PORT", Integer.toString(HTTP_PORT)))
        .addToEnv(Expansion.env("TARGET_PORT", Integer.toString(PUMA_PORT)))
        .addToEnv(Expansion.env("WEB_CONCURRENCY", Integer.toString(spec.webConcurrency())))
        .addToEnv(Expansion.env("MAX_REQUEST_BODY", Long.toString(maxBodyBytes)))
        .addToEnv(Expansion.env("HTTP_READ_TIMEOUT", Long.toString(transferTimeoutSeconds(spec))))
        .addToEnv(Expansion.env("HTTP_WRITE_TIMEOUT", Long.toString(transferTimeoutSeconds(spec))))
        .withPorts(
            new ContainerPortBuilder()
                .withName(HTTP_PORT_NAME)
                .withContainerPort(HTTP_PORT)
                .withProtocol("TCP")
                .build(),
            new ContainerPortBuilder()
                .withName(PUMA_PORT_NAME)
                .withContainerPort(PUMA_PORT)
                .withProtocol("TCP")
                .build())
        // Boot syncs client assets and loads Rails: allow up to 10 minutes before liveness applies.
        .withStartupProbe(Probes.httpGet("/up", HTTP_PORT_NAME, 10, 5, 60))
        .withReadinessProbe(Probes.httpGet("/up", HTTP_PORT_NAME, 10, 5, 3))
        // Liveness asks puma directly (not through Thruster), so a stuck puma is restarted.
        .withLivenessProbe(Probes.httpGet("/up", PUMA_PORT_NAME, 20, 5, 3));

    HardenedPod pod = HardenedPod.of(ctx, Component.WEB)
        .options(web.pod())
        .initContainer(RailsContainer.waitForMigrations(ctx, web.resources()))
        .terminationGracePeriodSeconds(Defaults.WEB_TERMINATION_GRACE_SECONDS);
    RailsContainer.scratch(ctx, ctx.servingImage()).forEach(pod::scratch);
    RailsContainer.volumes(ctx).forEach(pod::volume);
    RailsContainer.mountUploads(ctx, pod, main);
    pod.container(main.build());

    return Workloads.deployment(
        ctx, Component.WEB, web.replicas(), Workloads.rolling(), pod.build());
  }
}
