package org.loomio.operator.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.Credentials;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.model.Labels;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.model.SecretDigests;
import org.loomio.operator.render.base.RenderContext;
import org.loomio.operator.render.pod.HardenedPod;
import org.loomio.operator.render.workload.RoleSetupJob;
import org.loomio.operator.testing.Fixtures;

class StackRendererTest {

  @Test
  void theMinimalStackInApplyOrder() {
    Stack stack = Fixtures.render(Fixtures.minimal("team"));
    assertThat(stack.objects())
        .extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
        .containsExactly(
            "ServiceAccount/team-web",
            "ServiceAccount/team-worker",
            "ServiceAccount/team-migrate",
            "ServiceAccount/team-hocuspocus",
            "ServiceAccount/team-postgres",
            "ServiceAccount/team-db-roles",
            "ServiceAccount/team-redis",
            "ServiceAccount/team-backup",
            "ServiceAccount/team-restore",
            "ServiceAccount/team-drill",
            "NetworkPolicy/team-default-deny",
            "NetworkPolicy/team-web",
            "NetworkPolicy/team-worker",
            "NetworkPolicy/team-hocuspocus",
            "NetworkPolicy/team-migrate",
            "NetworkPolicy/team-backup",
            "NetworkPolicy/team-restore",
            "NetworkPolicy/team-drill",
            "NetworkPolicy/team-db-roles",
            "NetworkPolicy/team-postgres",
            "NetworkPolicy/team-redis",
            "Secret/team-secrets",
            "ConfigMap/team-config",
            "PersistentVolumeClaim/team-uploads",
            "PersistentVolumeClaim/team-postgres-data",
            "PersistentVolumeClaim/team-backups",
            "Service/team-web",
            "Service/team-hocuspocus",
            "Service/team-postgres",
            "Service/team-postgres-headless",
            "Service/team-redis",
            "StatefulSet/team-postgres",
            "Deployment/team-redis",
            "Deployment/team-web",
            "Deployment/team-worker",
            "Deployment/team-hocuspocus",
            "Job/"
                + RoleSetupJob.name(new RenderContext(
                    ResolvedSpec.of(Fixtures.minimal("team"), ImageDefaults.BUILT_IN),
                    ClusterCapabilities.newest(),
                    Fixtures.credentials(Fixtures.minimal("team")),
                    SecretDigests.none())),
            "Job/" + stack.migrationJob(),
            "CronJob/team-backup",
            "CronJob/team-drill");
    assertThat(stack.omissions()).isEmpty();
    assertThat(stack.image()).isEqualTo("loomio/loomio:3.5");
  }

  @Test
  void everyObjectIsNamedLabelledAndPlacedForItsStack() {
    Stack stack = Fixtures.render(Fixtures.minimal("team"));
    assertThat(stack.objects()).allSatisfy(o -> {
      assertThat(o.getMetadata().getName()).startsWith("team-");
      assertThat(o.getMetadata().getNamespace()).isEqualTo("loomio");
      assertThat(o.getMetadata().getLabels())
          .containsEntry(Labels.NAME, "loomio")
          .containsEntry(Labels.INSTANCE, "team")
          .containsEntry(Labels.MANAGED_BY, "loomio-operator")
          .containsEntry(Labels.PART_OF, "loomio")
          .containsKey(Labels.COMPONENT);
    });
  }

  @Test
  void twoStacksInANamespaceNeverCollide() {
    Stack a = Fixtures.render(Fixtures.minimal("a"));
    Stack b = Fixtures.render(Fixtures.minimal("b"));
    var names = new HashSet<String>();
    for (HasMetadata o : a.objects()) {
      names.add(o.getKind() + "/" + o.getMetadata().getName());
    }
    for (HasMetadata o : b.objects()) {
      assertThat(names.add(o.getKind() + "/" + o.getMetadata().getName())).isTrue();
    }
  }

  @Test
  void renderingIsDeterministic() {
    LoomioDeployment r = Fixtures.fromFile(Fixtures.examplesDir().resolve("production.yaml"));
    String first = Serialization.asYaml(Fixtures.render(r).objects());
    String second = Serialization.asYaml(
        Fixtures.render(Fixtures.fromFile(Fixtures.examplesDir().resolve("production.yaml")))
            .objects());
    assertThat(first).isEqualTo(second);
  }

  @Test
  void aChangedSettingRollsExactlyThePodsThatReadIt() {
    Map<String, String> before =
        hashes(Fixtures.minimal("team"), HardenedPod.CONFIG_HASH_ANNOTATION);
    Map<String, String> after = hashes(
        Fixtures.resource("team", "host: team.example.org\nsiteName: New name"),
        HardenedPod.CONFIG_HASH_ANNOTATION);
    assertThat(after.get("team-web")).isNotEqualTo(before.get("team-web"));
    assertThat(after.get("team-worker")).isNotEqualTo(before.get("team-worker"));
    assertThat(after.get("team-hocuspocus"))
        .isEqualTo(before.get("team-hocuspocus"))
        .isNull();
    assertThat(after.get("team-redis")).isEqualTo(before.get("team-redis"));
  }

  @Test
  void aRotatedSecretRollsExactlyThePodsThatReadIt() {
    LoomioDeployment r = Fixtures.minimal("team");
    Credentials creds = Fixtures.credentials(r);
    Map<String, String> changed = new java.util.LinkedHashMap<>(creds.values());
    changed.put(Credentials.REDIS_PASSWORD, "another");
    Stack before =
        StackRenderer.render(r, ClusterCapabilities.newest(), creds, SecretDigests.none());
    Stack after = StackRenderer.render(
        r,
        ClusterCapabilities.newest(),
        new Credentials(creds.secretName(), true, changed),
        SecretDigests.none());
    for (String name : List.of("team-web", "team-worker", "team-redis")) {
      assertThat(secretHash(after, name)).as(name).isNotEqualTo(secretHash(before, name));
    }
    assertThat(secretHash(after, "team-hocuspocus"))
        .isEqualTo(secretHash(before, "team-hocuspocus"))
        .isNull();

    Map<String, String> pg = new java.util.LinkedHashMap<>(creds.values());
    pg.put(Credentials.POSTGRES_PASSWORD, "another");
    Stack afterPg = StackRenderer.render(
        r,
        ClusterCapabilities.newest(),
        new Credentials(creds.secretName(), true, pg),
        SecretDigests.none());
    assertThat(secretHash(afterPg, "team-redis")).isEqualTo(secretHash(before, "team-redis"));
    assertThat(secretHash(afterPg, "team-web")).isNotEqualTo(secretHash(before, "team-web"));
  }

  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();

  @Test
  void userSecretsAreHashedByTheirDigest() {
    LoomioDeployment r = Fixtures.resource(
        "team",
        "host: a.example.org\nsmtp: {host: s.example.org, username: u, passwordSecretRef: {name: smtp, key: password}}");
    Secret smtp = new io.fabric8.kubernetes.api.model.SecretBuilder()
        .withNewMetadata()
        .withName("smtp")
        .endMetadata()
        .addToData("password", java.util.Base64.getEncoder().encodeToString("one".getBytes()))
        .build();
    Stack one = StackRenderer.render(
        r,
        ClusterCapabilities.newest(),
        Fixtures.credentials(r),
        SecretDigests.keyed(KEY, List.of(smtp)));
    smtp.getData().put("password", java.util.Base64.getEncoder().encodeToString("two".getBytes()));
    Stack two = StackRenderer.render(
        r,
        ClusterCapabilities.newest(),
        Fixtures.credentials(r),
        SecretDigests.keyed(KEY, List.of(smtp)));
    assertThat(secretHash(two, "team-web")).isNotEqualTo(secretHash(one, "team-web"));
    assertThat(secretHash(two, "team-redis")).isEqualTo(secretHash(one, "team-redis"));
  }

  @Test
  void theRolloutHashOfAChosenValueCannotBeRecomputedWithoutTheStacksKey() {
    LoomioDeployment r = Fixtures.resource(
        "team",
        "host: a.example.org\nsmtp: {host: s.example.org, username: u, passwordSecretRef: {name: smtp, key: password}}");
    Secret smtp = new io.fabric8.kubernetes.api.model.SecretBuilder()
        .withNewMetadata()
        .withName("smtp")
        .endMetadata()
        .addToData("password", java.util.Base64.getEncoder().encodeToString("hunter2".getBytes()))
        .build();
    Stack one = StackRenderer.render(
        r,
        ClusterCapabilities.newest(),
        Fixtures.credentials(r),
        SecretDigests.keyed(KEY, List.of(smtp)));
    Stack other = StackRenderer.render(
        r,
        ClusterCapabilities.newest(),
        Fixtures.credentials(r),
        SecretDigests.keyed("another stack's random key!!!!!!".getBytes(), List.of(smtp)));
    // the same password under another key: nothing to compare a guess against without the key
    assertThat(secretHash(other, "team-web")).isNotEqualTo(secretHash(one, "team-web"));
    assertThatThrownBy(() -> SecretDigests.keyed(new byte[0], List.of(smtp)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void noCredentialValueOutsideTheGeneratedSecret() {
    LoomioDeployment r = Fixtures.minimal("team");
    Stack stack = Fixtures.render(r);
    for (HasMetadata o : stack.objects()) {
      if (o instanceof Secret) {
        continue;
      }
      String yaml = Serialization.asYaml(o);
      Fixtures.credentials(r)
          .values()
          .values()
          .forEach(v -> assertThat(yaml).as(o.getKind()).doesNotContain(v));
    }
  }

  /**
   * No rendered object carries {@code readOnly: false}: the API server drops a false omitempty boolean, so the
   * object read back never matches it and the operator would patch it at every reconcile (seen on the real API
   * server with the backup CronJob's /backups mount).
   */
  @Test
  void nothingTheApiServerDropsAsADefault() throws Exception {
    try (var files = java.nio.file.Files.list(Fixtures.examplesDir())) {
      for (var path : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        for (String version : List.of("1.20", "1.34")) {
          Stack stack = Fixtures.render(
              Fixtures.appliedIn(path, "loomio"), ClusterCapabilities.forVersion(version));
          for (HasMetadata o : stack.objects()) {
            assertThat(Serialization.asYaml(o))
                .as(path.getFileName() + " " + version + " " + o.getKind() + "/"
                    + o.getMetadata().getName())
                .doesNotContain("readOnly: false");
          }
        }
      }
    }
  }

  private static Map<String, String> hashes(LoomioDeployment r, String annotation) {
    Map<String, String> h = new java.util.HashMap<>();
    for (Deployment d : Fixtures.render(r).all(Deployment.class)) {
      var a = d.getSpec().getTemplate().getMetadata().getAnnotations();
      h.put(d.getMetadata().getName(), a == null ? null : a.get(annotation));
    }
    return h;
  }

  private static String secretHash(Stack stack, String deployment) {
    var a = stack
        .get(Deployment.class, deployment)
        .orElseThrow()
        .getSpec()
        .getTemplate()
        .getMetadata()
        .getAnnotations();
    return a == null ? null : a.get(HardenedPod.SECRET_HASH_ANNOTATION);
  }
}
