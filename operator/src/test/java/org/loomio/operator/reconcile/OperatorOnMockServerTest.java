package org.loomio.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.Credentials;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.model.Labels;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.model.SecretDigests;
import org.loomio.operator.render.Stack;
import org.loomio.operator.render.StackRenderer;
import org.loomio.operator.render.pod.HardenedPod;
import org.loomio.operator.status.Conditions;
import org.loomio.operator.status.DegradedReason;
import org.loomio.operator.status.MailDeliveryReason;
import org.loomio.operator.status.ProgressingReason;
import org.loomio.operator.status.ReadyReason;
import org.loomio.operator.testing.Fixtures;
import org.loomio.operator.testing.MockCluster;
import org.loomio.operator.testing.Normalized;

/**
 * The real operator against the fabric8 mock API server (CRUD mode, SSA off by the test-only override):
 * creation, readiness, targeted updates, self-healing, zero-write resyncs, credentials that survive
 * restarts, invalid input that changes nothing, and retention on deletion.
 */
class OperatorOnMockServerTest {

  // a bound, not a pause: generous, for a machine busy with other work (20 s timed out there once)
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static MockCluster cluster;

  @BeforeAll
  static void start() {
    cluster = new MockCluster();
    cluster.startOperator();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static LoomioDeployment create(String namespace, String name, String spec) {
    cluster.namespace(namespace);
    LoomioDeployment r = Fixtures.resource(name, spec);
    r.getMetadata().setNamespace(namespace);
    r.getMetadata().setGeneration(null);
    return cluster.client().resource(r).create();
  }

  private static Condition condition(String ns, String name, String type) {
    LoomioDeployment r = cluster.get(ns, name);
    if (r == null || r.getStatus() == null) {
      return null;
    }
    return Conditions.find(r.getStatus().getConditions(), type).orElse(null);
  }

  private static void awaitCondition(
      String ns, String name, String type, String status, String reason) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
      Condition c = condition(ns, name, type);
      assertThat(c).as(type).isNotNull();
      assertThat(c.getStatus() + " " + c.getReason())
          .as(c.getMessage())
          .isEqualTo(status + " " + reason);
    });
  }

  /** The stack the operator should have applied, rendered from the credentials it generated. */
  private static Stack expected(String ns, String name) {
    LoomioDeployment r = cluster.get(ns, name);
    ResolvedSpec spec = ResolvedSpec.of(r, ImageDefaults.BUILT_IN);
    Secret generated = cluster
        .client()
        .secrets()
        .inNamespace(ns)
        .withName(spec.generatedSecretName())
        .get();
    assertThat(generated).as("generated credentials").isNotNull();
    Map<String, String> values = new LinkedHashMap<>();
    generated
        .getData()
        .forEach((k, v) -> values.put(k, new String(Base64.getDecoder().decode(v))));
    // a Secret that existed before is completed by the operator a moment later: an assertion, so
    // the wait retries
    assertThat(values)
        .as("the operator's hash key in " + spec.generatedSecretName())
        .containsKey(Credentials.HASH_KEY);
    // the embedded database's superuser password, as the operator digests it
    Secret superuser = cluster
        .client()
        .secrets()
        .inNamespace(ns)
        .withName(org.loomio.operator.model.Names.postgresSuperuser(name))
        .get();
    List<Secret> digested =
        spec.database().embedded() && superuser != null ? List.of(superuser) : List.of();
    return StackRenderer.render(
        r,
        ClusterCapabilities.newest(),
        new Credentials(spec.generatedSecretName(), true, values),
        SecretDigests.keyed(
            values.get(Credentials.HASH_KEY).getBytes(java.nio.charset.StandardCharsets.UTF_8),
            digested));
  }

  /**
   * Plays the Deployment, StatefulSet and Job controllers until the stack is Ready (the operator may still be
   * writing its objects: each round reports them at their spec as it is then).
   */
  private static void awaitReady(String ns, String name) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
      cluster.runControllers(ns, name);
      Condition c = condition(ns, name, Conditions.READY);
      assertThat(c).as(Conditions.READY).isNotNull();
      assertThat(c.getStatus() + " " + c.getReason())
          .as(c.getMessage())
          .isEqualTo("True " + ReadyReason.ALL_COMPONENTS_READY.value());
    });
  }

  private static void awaitConverged(String ns, String name) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
      // the migration Job is created once the role setup succeeded: the Job controller's part
      cluster.completeRoleSetup(ns, name);
      Stack stack = expected(ns, name);
      for (HasMetadata want : stack.objects()) {
        HasMetadata got = cluster.client().resource(want).get();
        assertThat(got).as(want.getKind() + "/" + want.getMetadata().getName()).isNotNull();
      }
    });
  }

  @Test
  void aTenLineResourceBecomesTheWholeHardenedStackAndThenReady() {
    LoomioDeployment created =
        create("create", "team", "host: team.example.org\nworker: {concurrency: 2}");
    awaitConverged("create", "team");
    Stack stack = expected("create", "team");
    for (Deployment want : stack.all(Deployment.class)) {
      Deployment got = cluster
          .client()
          .apps()
          .deployments()
          .inNamespace("create")
          .withName(want.getMetadata().getName())
          .get();
      assertThat(Normalized.yaml(got.getSpec()))
          .as(want.getMetadata().getName())
          .isEqualTo(Normalized.yaml(want.getSpec()));
      assertThat(got.getMetadata().getOwnerReferences())
          .singleElement()
          .satisfies(o -> assertThat(o.getKind()).isEqualTo("LoomioDeployment"));
    }
    StatefulSet pg = cluster
        .client()
        .apps()
        .statefulSets()
        .inNamespace("create")
        .withName("team-postgres")
        .get();
    assertThat(Normalized.yaml(pg.getSpec()))
        .isEqualTo(Normalized.yaml(stack.all(StatefulSet.class).get(0).getSpec()));
    for (Service want : stack.all(Service.class)) {
      Service got = cluster
          .client()
          .services()
          .inNamespace("create")
          .withName(want.getMetadata().getName())
          .get();
      assertThat(Normalized.yaml(got.getSpec())).isEqualTo(Normalized.yaml(want.getSpec()));
    }
    ConfigMap cm = cluster
        .client()
        .configMaps()
        .inNamespace("create")
        .withName("team-config")
        .get();
    assertThat(cm.getData()).isEqualTo(stack.all(ConfigMap.class).get(0).getData());
    for (PersistentVolumeClaim pvc :
        cluster.client().persistentVolumeClaims().inNamespace("create").list().getItems()) {
      assertThat(pvc.getMetadata().getOwnerReferences())
          .as("data claims are retained")
          .isNullOrEmpty();
    }
    Secret secret = cluster
        .client()
        .secrets()
        .inNamespace("create")
        .withName("team-secrets")
        .get();
    assertThat(secret.getMetadata().getOwnerReferences())
        .as("credentials are retained")
        .isNullOrEmpty();
    assertThat(secret.getData())
        .containsOnlyKeys(
            "SECRET_KEY_BASE",
            "DEVISE_SECRET",
            "RAILS_INBOUND_EMAIL_PASSWORD",
            "POSTGRES_PASSWORD",
            "REDIS_PASSWORD",
            "VAPID_PUBLIC_KEY",
            "VAPID_PRIVATE_KEY",
            Credentials.HASH_KEY);
    assertThat(secret.getMetadata().getAnnotations())
        .as("retained objects record whose they are")
        .containsEntry(
            org.loomio.operator.render.base.Ownership.OWNER_UID,
            created.getMetadata().getUid());

    awaitCondition(
        "create", "team", Conditions.READY, "False", ProgressingReason.MIGRATION_PENDING.value());
    awaitCondition(
        "create",
        "team",
        Conditions.MAIL_DELIVERY,
        "False",
        MailDeliveryReason.SMTP_NOT_CONFIGURED.value());
    awaitReady("create", "team");
    LoomioDeployment done = cluster.get("create", "team");
    assertThat(done.getStatus().getComponents().get("web").getReady()).isEqualTo(1);
    assertThat(done.getStatus().getObservedGeneration())
        .isEqualTo(done.getMetadata().getGeneration());
    assertThat(done.getMetadata().getGeneration())
        .as("the operator never writes spec")
        .isEqualTo(1L);
    assertThat(Normalized.yaml(done.getSpec())).isEqualTo(Normalized.yaml(created.getSpec()));
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(events("create"))
            .contains("Normal CredentialsGenerated", "Warning SMTPNotConfigured", "Normal Ready"));
  }

  @Test
  void aResyncMakesNoWritesAndGeneratedCredentialsSurviveARestart() throws Exception {
    create("resync", "team", "host: team.example.org");
    awaitConverged("resync", "team");
    awaitReady("resync", "team");
    Map<String, String> secretBefore = cluster
        .client()
        .secrets()
        .inNamespace("resync")
        .withName("team-secrets")
        .get()
        .getData();
    Map<String, String> versions = cluster.versions("resync");

    cluster.stopOperator();
    cluster.clearWrites();
    cluster.startOperator();
    // a fresh operator reconciles every resource at start: wait until it has reconciled each of
    // them
    int stacks = cluster
        .client()
        .resources(LoomioDeployment.class)
        .inAnyNamespace()
        .list()
        .getItems()
        .size();
    await().atMost(WAIT).until(() -> cluster.stacksObservedSinceStart() >= stacks);
    List<String> writes =
        cluster.writes().stream().filter(w -> w.contains("/namespaces/resync/")).toList();
    assertThat(writes).as("writes during the resync").isEmpty();
    assertThat(cluster.versions("resync")).isEqualTo(versions);
    assertThat(cluster
            .client()
            .secrets()
            .inNamespace("resync")
            .withName("team-secrets")
            .get()
            .getData())
        .isEqualTo(secretBefore);
  }

  @Test
  void aChangedFieldUpdatesOnlyTheObjectsItAffects() {
    create("change", "team", "host: team.example.org");
    awaitConverged("change", "team");
    awaitReady("change", "team");
    Map<String, String> before = cluster.versions("change");

    MockCluster.edit(
        cluster.client().resources(LoomioDeployment.class).inNamespace("change").withName("team"),
        r -> {
          r.getSpec().getHocuspocus().setReplicas(2);
          return r;
        });
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(cluster
                .client()
                .apps()
                .deployments()
                .inNamespace("change")
                .withName("team-hocuspocus")
                .get()
                .getSpec()
                .getReplicas())
            .isEqualTo(2));
    awaitCondition(
        "change", "team", Conditions.PROGRESSING, "True", ProgressingReason.ROLLING_OUT.value());
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(changed(before, cluster.versions("change")))
            .containsExactlyInAnyOrder(
                "Deployment/team-hocuspocus", "PodDisruptionBudget/team-hocuspocus"));

    Map<String, String> beforeName = cluster.versions("change");
    MockCluster.edit(
        cluster.client().resources(LoomioDeployment.class).inNamespace("change").withName("team"),
        r -> {
          r.getSpec().setSiteName("Decisions");
          return r;
        });
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(cluster
                .client()
                .configMaps()
                .inNamespace("change")
                .withName("team-config")
                .get()
                .getData())
            .containsEntry("SITE_NAME", "Decisions"));
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(changed(beforeName, cluster.versions("change")))
            .containsExactlyInAnyOrder(
                "ConfigMap/team-config", "Deployment/team-web", "Deployment/team-worker"));
  }

  /**
   * A StatefulSet made before the headless Service existed governs with {@code <name>-postgres}; spec.serviceName
   * is immutable on a real server (the mock would take the change, so keeping it here proves it is never sent).
   */
  @Test
  void anExistingDatabaseStatefulSetKeepsItsServiceNameAndGetsTheHeadlessServiceBeside() {
    create("governed", "team", "host: team.example.org");
    awaitConverged("governed", "team");
    var sets = cluster.client().apps().statefulSets().inNamespace("governed");
    assertThat(sets.withName("team-postgres").get().getSpec().getServiceName())
        .isEqualTo("team-postgres-headless");
    Service headless = cluster
        .client()
        .services()
        .inNamespace("governed")
        .withName("team-postgres-headless")
        .get();
    assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(cluster
            .client()
            .services()
            .inNamespace("governed")
            .withName("team-postgres")
            .get()
            .getSpec()
            .getClusterIP())
        .as("clients keep their ClusterIP Service")
        .isNotEqualTo("None");

    // as an earlier release made it
    MockCluster.edit(sets.withName("team-postgres"), st -> {
      st.getSpec().setServiceName("team-postgres");
      return st;
    });
    MockCluster.edit(
        cluster
            .client()
            .resources(LoomioDeployment.class)
            .inNamespace("governed")
            .withName("team"),
        r -> {
          r.getSpec().setSiteName("Governed");
          return r;
        });
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(cluster
                .client()
                .configMaps()
                .inNamespace("governed")
                .withName("team-config")
                .get()
                .getData())
            .containsEntry("SITE_NAME", "Governed"));
    assertThat(sets.withName("team-postgres").get().getSpec().getServiceName())
        .isEqualTo("team-postgres");

    // deleted with --cascade=orphan (the documented move to the headless Service): re-created
    // governed by it
    sets.withName("team-postgres")
        .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.ORPHAN)
        .delete();
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(sets.withName("team-postgres").get())
            .isNotNull()
            .satisfies(st ->
                assertThat(st.getSpec().getServiceName()).isEqualTo("team-postgres-headless")));
  }

  /**
   * The ServiceAccounts informer drops the token controller's updates (only {@code secrets} changed), not a
   * drift: a flipped automountServiceAccountToken is repaired after the account's {@code secrets} changed.
   */
  @Test
  void aServiceAccountsDriftIsRepairedBesideTheTokenControllersSecrets() {
    create("accounts", "team", "host: team.example.org");
    awaitConverged("accounts", "team");
    var web = cluster.client().serviceAccounts().inNamespace("accounts").withName("team-web");
    assertThat(web.get().getAutomountServiceAccountToken()).isFalse();
    // what kube-controller-manager's token controller (Kubernetes <= 1.23) does to every account
    MockCluster.edit(web, sa -> {
      sa.getSecrets()
          .add(new io.fabric8.kubernetes.api.model.ObjectReferenceBuilder()
              .withName("team-web-token-abcde")
              .build());
      return sa;
    });
    MockCluster.edit(web, sa -> {
      sa.setAutomountServiceAccountToken(true);
      return sa;
    });
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(50))
        .untilAsserted(() -> assertThat(web.get().getAutomountServiceAccountToken())
            .as("automountServiceAccountToken repaired")
            .isFalse());
  }

  @Test
  void deletedOrEditedObjectsAreRestored() {
    create("heal", "team", "host: team.example.org");
    awaitConverged("heal", "team");
    String image = cluster
        .client()
        .apps()
        .deployments()
        .inNamespace("heal")
        .withName("team-web")
        .get()
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .getImage();

    cluster.client().services().inNamespace("heal").withName("team-web").delete();
    cluster.client().configMaps().inNamespace("heal").withName("team-config").delete();
    MockCluster.edit(
        cluster.client().apps().deployments().inNamespace("heal").withName("team-web"), d -> {
          d.getSpec()
              .getTemplate()
              .getSpec()
              .getContainers()
              .get(0)
              .setImage("attacker/loomio:latest");
          d.getSpec()
              .getTemplate()
              .getSpec()
              .getContainers()
              .get(0)
              .getSecurityContext()
              .setPrivileged(true);
          return d;
        });
    await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
      assertThat(cluster
              .client()
              .services()
              .inNamespace("heal")
              .withName("team-web")
              .get())
          .isNotNull();
      assertThat(cluster
              .client()
              .configMaps()
              .inNamespace("heal")
              .withName("team-config")
              .get())
          .isNotNull();
      var web = cluster
          .client()
          .apps()
          .deployments()
          .inNamespace("heal")
          .withName("team-web")
          .get();
      assertThat(web.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
          .isEqualTo(image);
      assertThat(web.getSpec()
              .getTemplate()
              .getSpec()
              .getContainers()
              .get(0)
              .getSecurityContext()
              .getPrivileged())
          .isFalse();
    });
  }

  @Test
  void anInvalidSpecIsReportedAndChangesNothing() {
    create("invalid", "team", "host: team.example.org");
    awaitConverged("invalid", "team");
    awaitCondition(
        "invalid", "team", Conditions.DEGRADED, "False", DegradedReason.AS_EXPECTED.value());
    Map<String, String> before = cluster.versions("invalid");
    // the mock server has no admission (no schema, no CEL): exactly the case the operator's own
    // check covers
    MockCluster.edit(
        cluster
            .client()
            .resources(LoomioDeployment.class)
            .inNamespace("invalid")
            .withName("team"),
        r -> {
          r.getSpec().getWorker().setReplicas(3);
          r.getSpec().setSiteName("Renamed while invalid");
          return r;
        });
    // the status is the reconcile's last write: once it says InvalidSpec, that reconcile has
    // applied what it would
    awaitCondition(
        "invalid", "team", Conditions.DEGRADED, "True", DegradedReason.INVALID_SPEC.value());
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(condition("invalid", "team", Conditions.DEGRADED).getMessage())
          .contains("spec.worker.replicas");
      assertThat(condition("invalid", "team", Conditions.READY).getStatus()).isEqualTo("False");
      assertThat(events("invalid")).contains("Warning InvalidSpec");
    });
    assertThat(cluster.versions("invalid")).isEqualTo(before);
    assertThat(cluster
            .client()
            .configMaps()
            .inNamespace("invalid")
            .withName("team-config")
            .get()
            .getData())
        .doesNotContainKey("SITE_NAME");

    MockCluster.edit(
        cluster
            .client()
            .resources(LoomioDeployment.class)
            .inNamespace("invalid")
            .withName("team"),
        r -> {
          r.getSpec().getWorker().setReplicas(1);
          return r;
        });
    awaitCondition(
        "invalid", "team", Conditions.DEGRADED, "False", DegradedReason.AS_EXPECTED.value());
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(cluster
                .client()
                .configMaps()
                .inNamespace("invalid")
                .withName("team-config")
                .get()
                .getData())
            .containsEntry("SITE_NAME", "Renamed while invalid"));
  }

  @Test
  void missingReferencedSecretsBlockEverythingAndAreNamed() {
    cluster.namespace("refs");
    cluster
        .client()
        .resource(new SecretBuilder()
            .withNewMetadata()
            .withName("mine")
            .withNamespace("refs")
            .addToAnnotations(ReferencedSecrets.CONSENT, "team")
            .endMetadata()
            .addToData("SECRET_KEY_BASE", b64("x"))
            .build())
        .create();
    LoomioDeployment r =
        Fixtures.resource("team", "host: team.example.org\nsecrets: {existingSecret: mine}");
    r.getMetadata().setNamespace("refs");
    r.getMetadata().setGeneration(null);
    cluster.client().resource(r).create();
    awaitCondition(
        "refs", "team", Conditions.DEGRADED, "True", DegradedReason.MISSING_SECRET_KEY.value());
    assertThat(condition("refs", "team", Conditions.DEGRADED).getMessage())
        .isEqualTo(
            "spec.secrets.existingSecret: Secret mine has no keys DEVISE_SECRET, RAILS_INBOUND_EMAIL_PASSWORD,"
                + " POSTGRES_PASSWORD, REDIS_PASSWORD, VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY");
    assertThat(cluster.versions("refs")).isEmpty();

    LoomioDeployment smtp = Fixtures.resource(
        "mail",
        "host: mail.example.org\nsmtp: {host: smtp.example.org, username: u,"
            + " passwordSecretRef: {name: smtp, key: password}}");
    smtp.getMetadata().setNamespace("refs");
    smtp.getMetadata().setGeneration(null);
    cluster.client().resource(smtp).create();
    awaitCondition(
        "refs", "mail", Conditions.DEGRADED, "True", DegradedReason.SECRET_NOT_FOUND.value());
    assertThat(condition("refs", "mail", Conditions.DEGRADED).getMessage())
        .isEqualTo("spec.smtp.passwordSecretRef: Secret smtp does not exist in namespace refs");
  }

  /**
   * examples/production.yaml applied before its six Secrets exist: one message names every one of them, with the
   * field that references it (one round trip for the user, not six), and nothing is applied. (That the stack is
   * applied once they exist with consent: OwnershipOnMockServerTest.)
   */
  @Test
  void theProductionExampleWithoutItsSecretsNamesEveryOneAtOnce() {
    cluster.namespace("prod");
    LoomioDeployment r =
        Fixtures.appliedIn(Fixtures.examplesDir().resolve("production.yaml"), "prod");
    cluster.client().resource(r).create();
    String name = r.getMetadata().getName();
    awaitCondition(
        "prod", name, Conditions.DEGRADED, "True", DegradedReason.SECRET_NOT_FOUND.value());
    String message = condition("prod", name, Conditions.DEGRADED).getMessage();
    List<ReferencedSecrets.Ref> refs =
        ReferencedSecrets.refs(ResolvedSpec.of(r, ImageDefaults.BUILT_IN));
    List<String> secrets =
        refs.stream().map(ReferencedSecrets.Ref::secret).distinct().toList();
    assertThat(secrets)
        .containsExactlyInAnyOrder("pg-app", "pg-ca", "s3-uploads", "smtp", "oauth", "s3-backups");
    for (ReferencedSecrets.Ref ref : refs) {
      assertThat(message)
          .contains(ref.field() + ": Secret " + ref.secret() + " does not exist in namespace prod");
    }
    assertThat(cluster.versions("prod")).as("nothing applied").isEmpty();
  }

  @Test
  void existingCredentialsAreNeverOverwrittenOnlyCompleted() {
    cluster.namespace("keep");
    cluster
        .client()
        .resource(new SecretBuilder()
            .withNewMetadata()
            .withName("team-secrets")
            .withNamespace("keep")
            .addToLabels(Labels.of("team", org.loomio.operator.model.Component.SECRETS))
            .endMetadata()
            .addToData("SECRET_KEY_BASE", b64("kept-from-before"))
            .build())
        .create();
    create("keep", "team", "host: team.example.org");
    awaitConverged("keep", "team");
    await().atMost(WAIT).untilAsserted(() -> {
      Secret s = cluster
          .client()
          .secrets()
          .inNamespace("keep")
          .withName("team-secrets")
          .get();
      assertThat(new String(Base64.getDecoder().decode(s.getData().get("SECRET_KEY_BASE"))))
          .isEqualTo("kept-from-before");
      assertThat(s.getData()).hasSize(8).containsKey(Credentials.HASH_KEY);
    });
  }

  @Test
  void deletionKeepsTheDataUnlessAskedToDeleteIt() {
    create("retain", "team", "host: team.example.org");
    awaitConverged("retain", "team");
    cluster
        .client()
        .resources(LoomioDeployment.class)
        .inNamespace("retain")
        .withName("team")
        .delete();
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(cluster.get("retain", "team")).isNull());
    assertThat(cluster
            .client()
            .persistentVolumeClaims()
            .inNamespace("retain")
            .list()
            .getItems())
        .extracting(p -> p.getMetadata().getName())
        .containsExactlyInAnyOrder("team-uploads", "team-postgres-data", "team-backups");
    assertThat(cluster
            .client()
            .secrets()
            .inNamespace("retain")
            .withName("team-secrets")
            .get())
        .isNotNull();
    assertThat(cluster
            .client()
            .secrets()
            .inNamespace("retain")
            .withName("team-backup-key")
            .get())
        .isNotNull();
    // the database's superuser password stays with the database
    assertThat(cluster
            .client()
            .secrets()
            .inNamespace("retain")
            .withName("team-postgres-superuser")
            .get())
        .isNotNull();

    create("purge", "team", "host: team.example.org\ndeletionPolicy: Delete");
    awaitConverged("purge", "team");
    cluster
        .client()
        .resources(LoomioDeployment.class)
        .inNamespace("purge")
        .withName("team")
        .delete();
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(cluster.get("purge", "team")).isNull();
      // the backups and their key stay even so: they are the way back
      assertThat(cluster
              .client()
              .persistentVolumeClaims()
              .inNamespace("purge")
              .list()
              .getItems())
          .extracting(p -> p.getMetadata().getName())
          .containsExactly("team-backups");
      assertThat(cluster
              .client()
              .secrets()
              .inNamespace("purge")
              .withName("team-secrets")
              .get())
          .isNull();
      assertThat(cluster
              .client()
              .secrets()
              .inNamespace("purge")
              .withName("team-backup-key")
              .get())
          .isNotNull();
      // the database's claim went, and its superuser password with it
      assertThat(cluster
              .client()
              .secrets()
              .inNamespace("purge")
              .withName("team-postgres-superuser")
              .get())
          .isNull();
    });
  }

  @Test
  void switchingAComponentOffRemovesItsObjects() {
    create("off", "team", "host: team.example.org");
    awaitConverged("off", "team");
    MockCluster.edit(
        cluster.client().resources(LoomioDeployment.class).inNamespace("off").withName("team"),
        r -> {
          r.getSpec().getHocuspocus().setEnabled(false);
          r.getSpec().getRedis().setMode(org.loomio.operator.api.v1alpha1.RedisSpec.Mode.NONE);
          return r;
        });
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(cluster.versions("off").keySet())
          .noneMatch(k -> k.endsWith("team-hocuspocus") || k.endsWith("team-redis"));
      var web = cluster
          .client()
          .apps()
          .deployments()
          .inNamespace("off")
          .withName("team-web")
          .get();
      assertThat(web.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
          .noneMatch(e -> e.getName().startsWith("REDIS"));
      assertThat(web.getSpec().getTemplate().getMetadata().getAnnotations())
          .containsKey(HardenedPod.SECRET_HASH_ANNOTATION);
    });
  }

  @Test
  void switchingTheEdgeCreatesAndRemovesExactlyItsObjects() {
    create("edge", "team", "host: team.example.org");
    awaitConverged("edge", "team");
    Map<String, String> base = cluster.versions("edge");
    assertThat(base.keySet())
        .noneMatch(k ->
            k.startsWith("Ingress/") || k.startsWith("HTTPRoute/") || k.startsWith("Middleware/"));

    mergePatch(
        "edge",
        "team",
        "{\"spec\":{\"ingress\":{\"className\":\"nginx\",\"tls\":{\"clusterIssuer\":\"le\"}}}}");
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(added(base, cluster.versions("edge")))
          .containsExactlyInAnyOrder(
              "Ingress/team-web",
              "Ingress/team-websockets",
              "ConfigMap/team-edge-headers",
              "Service/team-closed");
      assertThat(changed(base, cluster.versions("edge")))
          .as("besides the new objects, only the edge's peer changed")
          .containsExactlyInAnyOrder(
              "Ingress/team-web",
              "Ingress/team-websockets",
              "ConfigMap/team-edge-headers",
              "Service/team-closed",
              "NetworkPolicy/team-web",
              "NetworkPolicy/team-hocuspocus");
    });
    awaitCondition("edge", "team", Conditions.EDGE, "False", "CertificatePending");

    mergePatch("edge", "team", "{\"spec\":{\"ingress\":null,\"gateway\":{\"name\":\"public\"}}}");
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(added(base, cluster.versions("edge")))
            .containsExactlyInAnyOrder(
                "HTTPRoute/team-web",
                "HTTPRoute/team-hocuspocus",
                "HTTPRoute/team-https-redirect",
                "Service/team-closed"));
    awaitCondition("edge", "team", Conditions.EDGE, "Unknown", "RoutePending");

    // a certificate of the user's own, which its owner lets this stack use
    cluster
        .client()
        .resource(new SecretBuilder()
            .withNewMetadata()
            .withName("t")
            .withNamespace("edge")
            .addToAnnotations(ReferencedSecrets.CONSENT, "team")
            .endMetadata()
            .withType("kubernetes.io/tls")
            .addToData("tls.crt", b64("c"))
            .addToData("tls.key", b64("k"))
            .build())
        .create();
    mergePatch(
        "edge",
        "team",
        "{\"spec\":{\"gateway\":null,\"ingress\":{\"className\":\"traefik\",\"tls\":{\"secretName\":\"t\"}}}}");
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(added(base, cluster.versions("edge")))
            .containsExactlyInAnyOrder(
                "Ingress/team-web",
                "Ingress/team-websockets",
                "Service/team-closed",
                "Middleware/team-https-redirect",
                "Middleware/team-headers",
                "Middleware/team-ratelimit",
                "Middleware/team-inflight",
                "Middleware/team-body-limit"));

    mergePatch("edge", "team", "{\"spec\":{\"ingress\":null}}");
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(cluster.versions("edge").keySet())
            .as("back to exactly the objects of a stack without an edge")
            .isEqualTo(base.keySet()));
    awaitCondition("edge", "team", Conditions.EDGE, "Unknown", "NotConfigured");
  }

  private static void mergePatch(String ns, String name, String json) {
    cluster
        .client()
        .resources(LoomioDeployment.class)
        .inNamespace(ns)
        .withName(name)
        .patch(
            io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            json);
  }

  private static List<String> added(Map<String, String> before, Map<String, String> after) {
    return after.keySet().stream().filter(k -> !before.containsKey(k)).toList();
  }

  private static List<String> changed(Map<String, String> before, Map<String, String> after) {
    return after.entrySet().stream()
        .filter(e -> !e.getValue().equals(before.get(e.getKey())))
        .map(Map.Entry::getKey)
        .collect(Collectors.toList());
  }

  private static List<String> events(String ns) {
    return cluster.client().v1().events().inNamespace(ns).list().getItems().stream()
        .map(e -> e.getType() + " " + e.getReason())
        .toList();
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes());
  }
}
