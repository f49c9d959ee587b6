package org.loomio.operator.render.workload;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Credentials;
import org.loomio.operator.model.Defaults;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.base.RenderContext;
import org.loomio.operator.render.pod.HardenedPod;
import org.loomio.operator.render.pod.Probes;
import org.loomio.operator.render.pod.Scratch;

/**
 * The embedded Redis: a cache and ActionCable bus, so no persistence ({@code --save "" --appendonly no}),
 * LRU eviction at maxmemory, and a generated password ({@code requirepass}).
 */
public final class RedisDeployment {

  public static final String PORT_NAME = "redis";
  public static final int PORT = 6379;

  private RedisDeployment() {}

  public static Deployment render(RenderContext ctx) {
    ResolvedSpec.Redis redis = ctx.spec().redis();
    String credentials = ctx.credentials().secretName();
    String ping = "redis-cli -h 127.0.0.1 -p " + PORT + " ping | grep -q PONG";
    ContainerBuilder main = new ContainerBuilder()
        .withName("redis")
        .withImage(ctx.spec().redisImage())
        .withImagePullPolicy(ctx.spec().redisPullPolicy())
        .withCommand("redis-server")
        // $(REDIS_PASSWORD) is expanded by the kubelet: the password is in no stored object but the
        // Secret.
        .withArgs(
            "--save",
            "",
            "--appendonly",
            "no",
            "--maxmemory",
            (redis.maxMemoryMi() * 1024 * 1024) + "",
            "--maxmemory-policy",
            "allkeys-lru",
            "--requirepass",
            "$(REDIS_PASSWORD)")
        .withEnv(
            RailsContainer.fromSecret("REDIS_PASSWORD", credentials, Credentials.REDIS_PASSWORD),
            // redis-cli reads the password from REDISCLI_AUTH (for the probes), never from its
            // command line.
            RailsContainer.fromSecret("REDISCLI_AUTH", credentials, Credentials.REDIS_PASSWORD))
        .withPorts(new ContainerPortBuilder()
            .withName(PORT_NAME)
            .withContainerPort(PORT)
            .withProtocol("TCP")
            .build())
        .withResources(redis.workload().resources())
        .withStartupProbe(Probes.exec(List.of("/bin/sh", "-c", ping), 5, 3, 24))
        .withReadinessProbe(Probes.exec(List.of("/bin/sh", "-c", ping), 10, 3, 3))
        .withLivenessProbe(Probes.tcp(PORT_NAME, 20, 5, 3));

    HardenedPod pod = HardenedPod.of(ctx, Component.REDIS)
        .options(redis.workload().pod())
        .scratch(Scratch.disk("data", "/data", Defaults.REDIS_DATA_SIZE))
        .scratch(Scratch.disk("tmp", "/tmp", Defaults.SMALL_TMP_SIZE))
        .container(main.build());

    return Workloads.deployment(ctx, Component.REDIS, 1, Workloads.rolling(), pod.build());
  }
}
