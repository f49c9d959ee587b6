package org.loomio.operator.render.workload;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.List;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Defaults;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.base.RenderContext;
import org.loomio.operator.render.pod.Expansion;
import org.loomio.operator.render.pod.HardenedPod;
import org.loomio.operator.render.pod.Probes;
import org.loomio.operator.render.pod.Scratch;

/**
 * The hocuspocus Deployment ({@code TASK=hocuspocus}): the collaborative-editing websocket server. In
 * production it binds port 80, which a non-root process may do only through the safe sysctl
 * {@code net.ipv4.ip_unprivileged_port_start} that {@link HardenedPod} sets for this component alone.
 * It reads no database and no secret: it authenticates each connection by calling web
 * ({@code PRIVATE_APP_URL}/api/hocuspocus), so its environment is its own, not the settings ConfigMap; only
 * the Sentry DSN of spec.env or spec.secretEnv is passed on. Its writable paths are /tmp and the client bundle
 * its start script copies ({@code script/sync_client_assets}); it writes nothing under /loomio/tmp.
 */
public final class HocuspocusDeployment {

  public static final String HTTP_PORT_NAME = "http";
  public static final int HTTP_PORT = 80;

  private HocuspocusDeployment() {}

  /** The error-reporting settings hocuspocus/server.mjs reads: {@code SENTRY_PUBLIC_DSN || SENTRY_DSN}. */
  public static final List<String> ERROR_REPORTING = List.of("SENTRY_PUBLIC_DSN", "SENTRY_DSN");

  /**
   * The Sentry DSN the spec gives web and worker (spec.env, or spec.secretEnv as a secretKeyRef), passed on so
   * hocuspocus reports its errors to the same project. Nothing else of spec.env reaches this pod.
   */
  public static List<EnvVar> errorReporting(ResolvedSpec spec) {
    List<EnvVar> env = new ArrayList<>();
    for (String name : ERROR_REPORTING) {
      if (spec.env().containsKey(name)) {
        env.add(Expansion.env(name, spec.env().get(name)));
      }
      spec.secretEnv().stream()
          .filter(e -> name.equals(e.getName()))
          .findFirst()
          .ifPresent(e -> env.add(RailsContainer.fromSecret(name, e.getSecretKeyRef())));
    }
    return env;
  }

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
        .addAllToEnv(errorReporting(spec))
        .withPorts(new ContainerPortBuilder()
            .withName(HTTP_PORT_NAME)
            .withContainerPort(HTTP_PORT)
            .withProtocol("TCP")
            .build())
        .withResources(hocuspocus.resources())
        // Any plain GET answers "Welcome to Hocuspocus!".
        .withStartupProbe(Probes.httpGet("/", HTTP_PORT_NAME, 5, 3, 60))
        .withReadinessProbe(Probes.httpGet("/", HTTP_PORT_NAME, 10, 3, 3))
        .withLivenessProbe(Probes.tcp(HTTP_PORT_NAME, 20, 5, 3));

    HardenedPod pod = HardenedPod.of(ctx, Component.HOCUSPOCUS)
        .options(hocuspocus.pod())
        .scratch(Scratch.disk("tmp", "/tmp", Defaults.APP_TMP_SIZE))
        .scratch(
            Scratch.disk("client-assets", "/loomio/public/client3", Defaults.CLIENT_ASSETS_SIZE))
        .container(main.build());

    return Workloads.deployment(
        ctx, Component.HOCUSPOCUS, hocuspocus.replicas(), Workloads.rolling(), pod.build());
  }
}
