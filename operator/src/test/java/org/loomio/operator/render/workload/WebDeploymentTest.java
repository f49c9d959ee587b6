package org.loomio.operator.render.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.Labels;
import org.loomio.operator.model.SecretDigests;
import org.loomio.operator.render.base.RenderContext;
import org.loomio.operator.render.pod.HardenedPod;
import org.loomio.operator.testing.Fixtures;
import org.loomio.operator.testing.Pods;

public class WebDeploymentTest {

  private static Deployment web(String spec) {
    LoomioDeployment r = Fixtures.resource("team", spec);
    return WebDeployment.render(context(r));
  }

  public static RenderContext context(LoomioDeployment r) {
    return new RenderContext(
        r, ClusterCapabilities.newest(), Fixtures.credentials(r), SecretDigests.none());
  }

  @Test
  void runsThrusterOn8080AndNeverMigratesItself() {
    Deployment d = web("host: a.example.org");
    Container c = Pods.container(d.getSpec().getTemplate(), "web");
    assertThat(d.getMetadata().getName()).isEqualTo("team-web");
    assertThat(String.join(" ", c.getCommand()))
        .contains("thrust puma")
        .doesNotContain("db:prepare")
        .doesNotContain("db:migrate");
    assertThat(Pods.env(c))
        .containsEntry("HTTP_PORT", "8080")
        .containsEntry("TARGET_PORT", "3000")
        .containsEntry("HOME", "/tmp")
        .doesNotContainKey("TASK");
    assertThat(c.getPorts())
        .extracting(p -> p.getName() + ":" + p.getContainerPort())
        .containsExactly("http:8080", "puma:3000");
    Container wait = Pods.container(d.getSpec().getTemplate(), "wait-for-migrations");
    assertThat(wait.getCommand())
        .containsExactly("bundle", "exec", "rails", "db:abort_if_pending_migrations");
    assertThat(wait.getEnvFrom()).isEqualTo(c.getEnvFrom());
  }

  @Test
  void probesUseUpAndLivenessAsksPumaDirectly() {
    Container c = Pods.container(web("host: a.example.org").getSpec().getTemplate(), "web");
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/up");
    assertThat(c.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
    assertThat(c.getStartupProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
    assertThat(c.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("puma");
    assertThat(c.getStartupProbe().getFailureThreshold() * c.getStartupProbe().getPeriodSeconds())
        .isGreaterThanOrEqualTo(300);
  }

  @Test
  void webConcurrencyFollowsTheCpuLimitUnlessSet() {
    assertThat(Pods.env(Pods.container(web("host: a.example.org").getSpec().getTemplate(), "web")))
        .containsEntry("WEB_CONCURRENCY", "2");
    assertThat(Pods.env(Pods.container(
            web("host: a.example.org\nweb: {resources: {limits: {cpu: 3500m}}}")
                .getSpec()
                .getTemplate(),
            "web")))
        .containsEntry("WEB_CONCURRENCY", "3");
    assertThat(Pods.env(Pods.container(
            web("host: a.example.org\nweb: {resources: {limits: {cpu: 500m}}}")
                .getSpec()
                .getTemplate(),
            "web")))
        .containsEntry("WEB_CONCURRENCY", "1");
    assertThat(Pods.env(Pods.container(
            web("host: a.example.org\nweb: {concurrency: 5}").getSpec().getTemplate(), "web")))
        .containsEntry("WEB_CONCURRENCY", "5");
  }

  @Test
  void smallerLimitsAloneShrinkThePod() {
    Container c = Pods.container(
        web("host: a.example.org\nweb: {resources: {limits: {cpu: 250m, memory: 512Mi}}}")
            .getSpec()
            .getTemplate(),
        "web");
    assertThat(c.getResources().getLimits().get("memory").toString()).isEqualTo("512Mi");
    assertThat(c.getResources().getRequests().get("memory").toString()).isEqualTo("512Mi");
    assertThat(c.getResources().getRequests().get("cpu").toString()).isEqualTo("250m");
  }

  @Test
  void uploadsVolumeIsSharedOnOneNodeWhenReadWriteOnce() {
    Deployment d = web("host: a.example.org");
    var t = d.getSpec().getTemplate();
    assertThat(Pods.mounts(Pods.container(t, "web"))).containsEntry("/loomio/storage", "uploads");
    assertThat(
            Pods.volume(t, "uploads").orElseThrow().getPersistentVolumeClaim().getClaimName())
        .isEqualTo("team-uploads");
    assertThat(t.getMetadata().getLabels()).containsEntry(Labels.UPLOADS_VOLUME, "team-uploads");
    var required = t.getSpec()
        .getAffinity()
        .getPodAffinity()
        .getRequiredDuringSchedulingIgnoredDuringExecution();
    assertThat(required).singleElement().satisfies(term -> {
      assertThat(term.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
      assertThat(term.getLabelSelector().getMatchLabels())
          .containsEntry(Labels.UPLOADS_VOLUME, "team-uploads");
    });
  }

  @Test
  void readWriteManyAndS3NeedNoCoLocation() {
    var rwx =
        web("host: a.example.org\nweb: {replicas: 2}\nstorage: {volume: {accessMode: ReadWriteMany}}")
            .getSpec()
            .getTemplate();
    assertThat(rwx.getSpec().getAffinity().getPodAffinity()).isNull();
    assertThat(Pods.mounts(Pods.container(rwx, "web"))).containsEntry("/loomio/storage", "uploads");
    var s3 =
        web("host: a.example.org\nstorage: {s3: {endpoint: https://s3.example.org, bucket: up, credentialsSecretRef: {name: s3}}}")
            .getSpec()
            .getTemplate();
    assertThat(Pods.volume(s3, "uploads")).isEmpty();
    assertThat(Pods.volume(s3, "storage")
            .orElseThrow()
            .getEmptyDir()
            .getSizeLimit()
            .toString())
        .isEqualTo("64Mi");
    assertThat(Pods.env(Pods.container(s3, "web")))
        .containsEntry("STORAGE_ACCESS_KEY_ID", "secret:s3/access-key-id")
        .containsEntry("STORAGE_SECRET_ACCESS_KEY", "secret:s3/secret-access-key");
  }

  @Test
  void scratchSpaceAndBodyLimitFollowTheUploadLimit() {
    var t = web("host: a.example.org\nuploadLimitMB: 3000").getSpec().getTemplate();
    assertThat(Pods.volume(t, "tmp").orElseThrow().getEmptyDir().getSizeLimit().toString())
        .isEqualTo("6000Mi");
    assertThat(Pods.env(Pods.container(t, "web")))
        .containsEntry("MAX_REQUEST_BODY", Long.toString(3001L * 1024 * 1024));
    assertThat(Pods.mounts(Pods.container(t, "web")))
        .containsKeys("/tmp", "/loomio/tmp/pids", "/loomio/log", "/loomio/public/client3");
    assertThat(Pods.mounts(Pods.container(t, "wait-for-migrations")))
        .containsKeys("/tmp", "/loomio/tmp/pids");
  }

  @Test
  void theImagesBootsnapCacheStaysVisibleAndOnlyThePidFilesAreWritable() {
    var t = web("host: a.example.org").getSpec().getTemplate();
    for (String container : java.util.List.of("web", "wait-for-migrations")) {
      assertThat(Pods.mounts(Pods.container(t, container)))
          .as(container)
          .containsKey(RailsContainer.PIDS_DIR)
          .doesNotContainKey("/loomio/tmp");
    }
    assertThat(Pods.volume(t, "pids").orElseThrow().getEmptyDir().getSizeLimit().toString())
        .isEqualTo("16Mi");
    assertThat(Pods.volume(t, "app-tmp")).isEmpty();
  }

  @Test
  void thrustersTimeoutsLetTheLargestUploadThroughASlowLink() {
    // 101 MiB at 125 000 bytes/s
    assertThat(Pods.env(Pods.container(web("host: a.example.org").getSpec().getTemplate(), "web")))
        .containsEntry("HTTP_READ_TIMEOUT", "848")
        .containsEntry("HTTP_WRITE_TIMEOUT", "848");
    // never below Thruster's own 30 s
    assertThat(Pods.env(Pods.container(
            web("host: a.example.org\nuploadLimitMB: 1").getSpec().getTemplate(), "web")))
        .containsEntry("HTTP_READ_TIMEOUT", "30")
        .containsEntry("HTTP_WRITE_TIMEOUT", "30");
    assertThat(Pods.env(Pods.container(
            web("host: a.example.org\nuploadLimitMB: 3000").getSpec().getTemplate(), "web")))
        .containsEntry(
            "HTTP_READ_TIMEOUT", Long.toString((3001L * 1024 * 1024 + 124_999) / 125_000));
  }

  @Test
  void actionCableAndTheCacheUseTheStacksRedis() {
    var embedded =
        Pods.env(Pods.container(web("host: a.example.org").getSpec().getTemplate(), "web"));
    assertThat(embedded)
        .containsEntry("REDIS_URL", "redis://:$(REDIS_PASSWORD)@team-redis:6379")
        .containsEntry("REDIS_CACHE_URL", "redis://:$(REDIS_PASSWORD)@team-redis:6379/0")
        .doesNotContainKey("REDIS_QUEUE_URL");
    var external = Pods.env(Pods.container(
        web("host: a.example.org\nredis: {mode: external, external: {urlSecretRef:"
                + " {name: r, key: url}}}")
            .getSpec()
            .getTemplate(),
        "web"));
    assertThat(external)
        .containsEntry("REDIS_URL", "secret:r/url")
        .containsEntry("REDIS_CACHE_URL", "secret:r/url");
    var none = Pods.env(Pods.container(
        web("host: a.example.org\nredis: {mode: none}").getSpec().getTemplate(), "web"));
    assertThat(none).doesNotContainKeys("REDIS_URL", "REDIS_CACHE_URL");
  }

  @Test
  void secretsArriveAsSecretKeyRefsOnly() {
    var c = Pods.container(web("host: a.example.org").getSpec().getTemplate(), "web");
    assertThat(Pods.env(c))
        .containsEntry("SECRET_KEY_BASE", "secret:team-secrets/SECRET_KEY_BASE")
        .containsEntry("PGPASSWORD", "secret:team-secrets/POSTGRES_PASSWORD")
        .containsEntry("REDIS_CACHE_URL", "redis://:$(REDIS_PASSWORD)@team-redis:6379/0");
    assertThat(c.getEnvFrom())
        .singleElement()
        .satisfies(e -> assertThat(e.getConfigMapRef().getName()).isEqualTo("team-config"));
  }

  @Test
  void podOptionsArePassedThroughButCannotWeakenTheSecurityContext() {
    var t = web("""
        host: a.example.org
        web:
          pod:
            nodeSelector: {pool: loomio}
            priorityClassName: high
            annotations: {example.org/a: b}
            labels: {team: x}
        """).getSpec().getTemplate();
    assertThat(t.getSpec().getNodeSelector()).containsEntry("pool", "loomio");
    assertThat(t.getSpec().getPriorityClassName()).isEqualTo("high");
    assertThat(t.getMetadata().getAnnotations())
        .containsEntry("example.org/a", "b")
        .containsKeys(HardenedPod.CONFIG_HASH_ANNOTATION, HardenedPod.SECRET_HASH_ANNOTATION);
    assertThat(t.getMetadata().getLabels())
        .containsEntry("team", "x")
        .containsEntry(Labels.COMPONENT, "web");
    assertThat(t.getSpec().getSecurityContext().getRunAsUser()).isEqualTo(HardenedPod.USER_ID);
  }

  @Test
  void rollsOneExtraPodAtATime() {
    Deployment d = web("host: a.example.org");
    assertThat(d.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
    assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal())
        .isZero();
    assertThat(d.getSpec().getSelector().getMatchLabels())
        .containsOnlyKeys(Labels.NAME, Labels.INSTANCE, Labels.COMPONENT);
  }
}
