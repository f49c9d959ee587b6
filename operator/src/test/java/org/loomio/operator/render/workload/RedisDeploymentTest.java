package org.loomio.operator.render.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import org.junit.jupiter.api.Test;
import org.loomio.operator.testing.Fixtures;
import org.loomio.operator.testing.Pods;

class RedisDeploymentTest {

  private static Container redis(String spec) {
    return Pods.container(
        RedisDeployment.render(WebDeploymentTest.context(Fixtures.resource("team", spec)))
            .getSpec()
            .getTemplate(),
        "redis");
  }

  @Test
  void isACachePasswordProtectedWithoutPersistence() {
    Container c = redis("host: a.example.org");
    assertThat(c.getArgs())
        .containsSequence("--save", "")
        .containsSequence("--appendonly", "no")
        .containsSequence("--maxmemory", Long.toString(256L * 1024 * 1024))
        .containsSequence("--maxmemory-policy", "allkeys-lru")
        .containsSequence("--requirepass", "$(REDIS_PASSWORD)");
    assertThat(Pods.env(c))
        .containsEntry("REDIS_PASSWORD", "secret:team-secrets/REDIS_PASSWORD")
        .containsEntry("REDISCLI_AUTH", "secret:team-secrets/REDIS_PASSWORD");
    assertThat(c.getImage()).isEqualTo("redis:8.4");
  }

  @Test
  void memoryLimitFollowsMaxMemory() {
    Container c = redis("host: a.example.org\nredis: {embedded: {maxMemory: 1Gi}}");
    assertThat(c.getResources().getLimits().get("memory").toString()).isEqualTo("1344Mi");
    assertThat(c.getArgs()).containsSequence("--maxmemory", Long.toString(1024L * 1024 * 1024));
  }

  @Test
  void noRedisWithoutEmbeddedMode() {
    var none =
        Fixtures.render(Fixtures.resource("team", "host: a.example.org\nredis: {mode: none}"));
    assertThat(none.get(io.fabric8.kubernetes.api.model.apps.Deployment.class, "team-redis"))
        .isEmpty();
    var web = none.get(io.fabric8.kubernetes.api.model.apps.Deployment.class, "team-web")
        .orElseThrow();
    assertThat(Pods.env(Pods.container(web.getSpec().getTemplate(), "web")))
        .doesNotContainKeys("REDIS_CACHE_URL", "REDIS_PASSWORD");
    var external = Fixtures.render(
        Fixtures.resource(
            "team",
            "host: a.example.org\nredis: {mode: external, external: {urlSecretRef: {name: redis, key: url}}}"));
    var web2 = external
        .get(io.fabric8.kubernetes.api.model.apps.Deployment.class, "team-web")
        .orElseThrow();
    assertThat(Pods.env(Pods.container(web2.getSpec().getTemplate(), "web")))
        .containsEntry("REDIS_CACHE_URL", "secret:redis/url");
  }
}
