package org.loomio.operator.render;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.loomio.operator.render.pod.Expansion;
import org.loomio.operator.render.pod.HardenedPod;
import org.loomio.operator.render.pod.Probes;
import org.loomio.operator.render.pod.Scratch;

/**
 * The hocuspocus Deployment ({@code TASK=hocuspocus}): the collaborative-editing websocket server. In
 * production it binds port 80, which a non-root process may do only through the safe sysctl
 * {@code net.ipv4.ip_unprivileged_port_start} that {@link HardenedPod} sets for this component alone.
 * It reads no database and no secret: it authenticates each connection by calling web
 * ({@code PRIVATE_APP_URL}/api/hocuspocus), so its environment is its own, not the settings ConfigMap.
 */
public final class HocuspocusDeployment {

  public static final String HTTP_PORT_NAME = "http";
  public static final int HTTP_PORT = 80;

  private HocuspocusDeployment() {}

  public static Deployment render(RenderContext ctx) {
    ResolvedSpec spec = ctx.spec();
    ResolvedSpec.Workload hocuspocus = spec.hocuspocus();
    ContainerBuilder main = new ContainerBuilder()
        .withName("hocuspocus")
        .withImage(ctx.servingImage().reference())
        .withImagePullPolicy(spec.loomioPullPolicy())
        .withEnv(
            Expansion.env("TASK", "hocuspocus"),
            Expansion.env("RAILS_ENV", "production"),
            Expansion.env("NODE_ENV", "production"),
            Expansion.env("HOME", RailsContainer.HOME),
            Expansion.env("CANONICAL_HOST", spec.host()),
            Expansion.env("PUBLIC_APP_URL", spec.publicUrl()),
            Expansion.env("PRIVATE_APP_URL", spec.privateAppUrl()))
        .withPorts(new ContainerPortBuilder().withName(HTTP_PORT_NAME).withContainerPort(HTTP_PORT)
            .withProtocol("TCP").build())
        .withResources(hocuspocus.resources())
        // Any plain GET answers "Welcome to Hocuspocus!".
        .withStartupProbe(Probes.httpGet("/", HTTP_PORT_NAME, 5, 3, 60))
        .withReadinessProbe(Probes.httpGet("/", HTTP_PORT_NAME, 10, 3, 3))
        .withLivenessProbe(Probes.tcp(HTTP_PORT_NAME, 20, 5, 3));

    HardenedPod pod = HardenedPod.of(ctx, Component.HOCUSPOCUS)
        .options(hocuspocus.pod())
        .scratch(Scratch.disk("tmp", "/tmp", Defaults.APP_TMP_SIZE))
        .scratch(Scratch.disk("app-tmp", "/loomio/tmp", Defaults.APP_TMP_SIZE))
        .scratch(Scratch.disk("client-assets", "/loomio/public/client3", Defaults.CLIENT_ASSETS_SIZE))
        .container(main.build());

    return Workloads.deployment(ctx, Component.HOCUSPOCUS, hocuspocus.replicas(), Workloads.rolling(), pod.build());
  }
}
