package org.loomio.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.loomio.operator.api.v1alpha1.LoomioBackup;
import org.loomio.operator.api.v1alpha1.LoomioBackupSpec;
import org.loomio.operator.api.v1alpha1.LoomioBackupStatus;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.api.v1alpha1.LoomioRestore;
import org.loomio.operator.api.v1alpha1.LoomioRestoreSpec;
import org.loomio.operator.api.v1alpha1.LoomioRestoreStatus;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.model.Labels;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.reconcile.ClusterCapabilitiesProvider;
import org.loomio.operator.reconcile.LoomioDeploymentReconciler;
import org.loomio.operator.reconcile.ReferencedSecrets;
import org.loomio.operator.render.Stack;
import org.loomio.operator.render.StackRenderer;
import org.loomio.operator.status.APIAvailableReason;
import org.loomio.operator.status.BackupsHealthyReason;
import org.loomio.operator.status.Conditions;
import org.loomio.operator.status.DegradedReason;
import org.loomio.operator.status.ProgressingReason;
import org.loomio.operator.status.ReadyReason;
import org.loomio.operator.testing.Fixtures;
import org.loomio.operator.testing.HardeningChecklist;
import org.loomio.operator.thirdparty.CloudNativePGCluster;

/**
 * The operator jar, run as users run it (server-side apply on, its own identity), against a real
 * Kubernetes v1.20 API server with controllers, PodSecurityPolicy admission and an audit log. Nothing runs
 * containers there (no kubelet): the suite proves objects, admission and status, not Loomio itself.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EndToEndIT {

  /**
   * What the rig serves, as the operator discovers it (v1.20: CronJob and PodDisruptionBudget only in
   * batch/v1beta1 and policy/v1beta1, no Gateway API, no Traefik).
   */
  private ClusterCapabilities rigApis;
  /** The documented command that installed the CRDs. */
  private String crdCommand;

  private static final Duration CONVERGE = Duration.ofSeconds(120);
  private static final Path OUT = Path.of("target/e2e");

  private Rig rig;
  private KubernetesClient k;
  private OperatorProcess operator;
  private ChartIdentity identity;
  private final String run = "e2e" + Long.toString(System.currentTimeMillis() % 1_000_000, 36);
  /** namespace -> LoomioDeployment name, for the examples that converged. */
  private final Map<String, String> stacks = new LinkedHashMap<>();

  @BeforeAll
  void start() throws Exception {
    rig = new Rig();
    k = rig.admin();
    // CloudNativePG's API, for examples/cloudnativepg.yaml: the rig has no CloudNativePG, the suite
    // plays it
    CloudNativePGPlayer.installCrd(k);
    rigApis = ClusterCapabilitiesProvider.discover(k);
    // as users of 1.20 to 1.24 are told to: kubectl apply --server-side of crds/legacy/ (no CEL
    // rules)
    crdCommand = rig.installCrdsAsDocumented();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(crdCondition("Established")).isEqualTo("True"));
    // the operator runs with exactly the Helm chart's ServiceAccount and RBAC: a missing rule is a
    // 403 here
    identity = ChartIdentity.install(rig, OUT);
    operator = new OperatorProcess(rig, OUT.resolve("operator.log"), identity.kubeconfig());
    operator.start();
  }

  /** Removes this run's namespaces (the rig's Service range is a /24), then stops the operator. */
  @AfterAll
  void stop() throws Exception {
    try {
      List<String> mine = k.namespaces().list().getItems().stream()
          .map(n -> n.getMetadata().getName())
          .filter(n -> n.startsWith(run + "-"))
          .toList();
      rig.deleteNamespaces(mine);
      CloudNativePGPlayer.deleteCrd(k);
    } finally {
      if (operator != null) {
        operator.stop();
      }
    }
  }

  private String crdCondition(String type) {
    var crd = k.apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName("loomiodeployments.loomio.org")
        .get();
    return crd.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .map(c -> c.getStatus())
        .findFirst()
        .orElse(null);
  }

  @Test
  @Order(1)
  void theCrdsInstalledAsDocumentedForOldClustersAreAcceptedAsAStructuralSchema() {
    assertThat(crdCommand)
        .isEqualTo("kubectl apply --server-side --force-conflicts -f crds/legacy/");
    assertThat(crdCondition("Established")).isEqualTo("True");
    assertThat(crdCondition("NamesAccepted")).isEqualTo("True");
    assertThat(crdCondition("NonStructuralSchema")).as("structural schema").isNull();
  }

  @Test
  @Order(2)
  void everyExampleConvergesWithEveryPodAdmittedUnderTheRestrictedPolicy() throws Exception {
    List<Path> examples;
    try (Stream<Path> files = Files.list(Fixtures.examplesDir())) {
      examples = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(examples).isNotEmpty();
    for (Path example : examples) {
      String ns = run + "-" + example.getFileName().toString().replace(".yaml", "");
      long started = System.nanoTime();
      LoomioDeployment resource = apply(example, ns);
      String name = resource.getMetadata().getName();
      Stack expected = awaitConverged(ns, resource);
      awaitPodsAdmitted(ns, name);
      System.out.printf(
          Locale.ROOT,
          "e2e: %s converged and every pod admitted in %.1f s%n",
          example.getFileName(),
          (System.nanoTime() - started) / 1e9);

      LoomioDeployment now = get(ns, name);
      assertThat(now.getMetadata().getGeneration())
          .as("the operator never writes spec")
          .isEqualTo(1L);
      Condition ready = condition(now, Conditions.READY);
      assertThat(ready.getStatus()).isEqualTo("False");
      assertThat(ready.getReason())
          .as("nothing runs pods: the migration is awaited, and said so")
          .isEqualTo(ProgressingReason.MIGRATION_PENDING.value());
      assertThat(ready.getMessage()).contains(expected.migrationJob()).contains("has not finished");
      assertThat(condition(now, Conditions.PROGRESSING).getStatus()).isEqualTo("True");
      assertThat(condition(now, Conditions.DEGRADED).getStatus()).isEqualTo("False");
      assertThat(now.getStatus().getComponents())
          .allSatisfy((component, c) -> assertThat(c.getReady())
              .as(component)
              .isEqualTo(
                  // CloudNativePG (played) reports its instances ready; nothing else runs
                  component.equals("database")
                          && ResolvedSpec.of(now, ImageDefaults.BUILT_IN)
                              .cloudNativePG()
                              .isPresent()
                      ? 3
                      : 0));
      Condition api = condition(now, Conditions.API_AVAILABLE);
      if (!expected.omissions().isEmpty()) {
        assertThat(api.getStatus()).isEqualTo("False");
        expected.omissions().forEach(o -> assertThat(api.getMessage()).contains(o.api()));
        assertThat(events(ns))
            .anySatisfy(
                e -> assertThat(e.getReason()).isEqualTo(APIAvailableReason.API_MISSING.value()));
        System.out.printf(
            "e2e: %s on v1.20: APIAvailable=False: %s%n", example.getFileName(), api.getMessage());
      } else {
        assertThat(api.getStatus()).isEqualTo("True");
      }
      assertThat(HardeningChecklist.check(stored(ns, name, expected), rigApis, false))
          .as("the objects as the API server stores them")
          .isEmpty();
      // GitOps: what the operator owns in the resource is its finalizer and the status, nothing
      // else, so
      // Argo CD or Flux never see drift (the API server's managedFields record who set which field)
      assertThat(now.getMetadata().getManagedFields())
          .filteredOn(m -> LoomioDeploymentReconciler.NAME.equals(m.getManager()))
          .isNotEmpty()
          .allSatisfy(m -> {
            Map<String, Object> fields = new TreeMap<>(m.getFieldsV1().getAdditionalProperties());
            fields.remove("f:status");
            if (fields.get("f:metadata") instanceof Map<?, ?> meta) {
              java.util.Set<String> keys = new java.util.TreeSet<>();
              meta.keySet().forEach(key -> keys.add(String.valueOf(key)));
              assertThat(keys)
                  .as("metadata fields set by the operator")
                  .isEqualTo(java.util.Set.of("f:finalizers"));
              fields.remove("f:metadata");
            }
            assertThat(fields)
                .as("fields the operator manages beyond status and finalizers")
                .isEmpty();
          });
      stacks.put(ns, name);
    }
  }

  @Test
  @Order(3)
  void aQuietMinuteAndARestartMakeNoWrites() throws Exception {
    assertThat(stacks).isNotEmpty();
    long mark = rig.auditMark();
    Thread.sleep(60_000); // the deliberate quiet minute
    List<Rig.Write> quiet = rig.writesSince(mark, identity.user(), ns -> ns.startsWith(run));
    System.out.printf("e2e: operator writes during a quiet minute: %d%n", quiet.size());
    assertThat(quiet).as("writes during a quiet minute").isEmpty();

    mark = rig.auditMark();
    operator.stop();
    operator.start();
    Thread.sleep(15_000); // a fresh operator reconciles every resource at start; nothing may change
    List<Rig.Write> restart = rig.writesSince(mark, identity.user(), ns -> ns.startsWith(run));
    System.out.printf(
        "e2e: operator writes when a restarted operator reconciles everything: %d%n",
        restart.size());
    assertThat(restart).as("writes after a restart").isEmpty();

    // an object deleted while the operator is down: the restarted operator writes it back, and
    // nothing else
    String ns = run + "-minimal";
    String name = stacks.get(ns);
    assertThat(name).isNotNull();
    operator.stop();
    k.configMaps().inNamespace(ns).withName(name + "-config").delete();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> k.configMaps().inNamespace(ns).withName(name + "-config").get() == null);
    mark = rig.auditMark();
    long launched = System.nanoTime();
    operator.start();
    await()
        .atMost(CONVERGE)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> k.configMaps().inNamespace(ns).withName(name + "-config").get() != null);
    System.out.printf(
        "e2e: restart -> ConfigMap %s-config written back: %.1f s (load %s)%n",
        name,
        (System.nanoTime() - launched) / 1e9,
        Files.readString(Path.of("/proc/loadavg")).trim());
    Thread.sleep(15_000); // every other resource is reconciled meanwhile; nothing else may change
    List<Rig.Write> repair = rig.writesSince(mark, identity.user(), n -> n.startsWith(run));
    System.out.printf("e2e: operator writes after a restart with one object deleted: %s%n", repair);
    assertThat(repair)
        .as("writes after a restart with one deleted object")
        .hasSize(1)
        // a server-side apply of the missing object (verb patch)
        .allSatisfy(w -> assertThat(w.resource() + " " + w.name() + " " + w.code())
            .isEqualTo("configmaps " + name + "-config 201"));
  }

  @Test
  @Order(4)
  void ownedObjectsDeletedOrEditedByHandAreRestored() {
    String ns = run + "-minimal";
    String name = stacks.get(ns);
    assertThat(name).isNotNull();
    String image = k.apps()
        .deployments()
        .inNamespace(ns)
        .withName(name + "-web")
        .get()
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .getImage();

    timed(
        "deleted Service/" + name + "-web",
        () -> k.services().inNamespace(ns).withName(name + "-web").delete(),
        () -> assertThat(k.services().inNamespace(ns).withName(name + "-web").get())
            .isNotNull());
    timed(
        "deleted ConfigMap/" + name + "-config",
        () -> k.configMaps().inNamespace(ns).withName(name + "-config").delete(),
        () -> assertThat(
                k.configMaps().inNamespace(ns).withName(name + "-config").get())
            .isNotNull());
    timed(
        "deleted ServiceAccount/" + name + "-worker",
        () -> k.serviceAccounts().inNamespace(ns).withName(name + "-worker").delete(),
        () -> assertThat(
                k.serviceAccounts().inNamespace(ns).withName(name + "-worker").get())
            .isNotNull());
    timed(
        "edited Deployment/" + name + "-web (image, writable root filesystem)",
        () -> k.apps().deployments().inNamespace(ns).withName(name + "-web").edit(d -> {
          var c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
          c.setImage("attacker/loomio:latest");
          c.getSecurityContext().setReadOnlyRootFilesystem(false);
          return d;
        }),
        () -> {
          var c = k.apps()
              .deployments()
              .inNamespace(ns)
              .withName(name + "-web")
              .get()
              .getSpec()
              .getTemplate()
              .getSpec()
              .getContainers()
              .get(0);
          assertThat(c.getImage()).isEqualTo(image);
          assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        });
  }

  @Test
  @Order(5)
  void aSpecOnlyTheOperatorCanRefuseIsReportedAndChangesNothing() {
    String ns = run + "-minimal";
    String name = stacks.get(ns);
    Map<String, String> before = versions(ns, name);
    long mark = rig.auditMark();
    // two web pods on a ReadWriteOnce volume: a CEL rule, which v1.20 does not evaluate
    mergePatch(ns, name, "{\"spec\":{\"web\":{\"replicas\":2}}}");
    await().atMost(CONVERGE).untilAsserted(() -> {
      Condition degraded = condition(get(ns, name), Conditions.DEGRADED);
      assertThat(degraded.getStatus() + " " + degraded.getReason()).isEqualTo("True InvalidSpec");
      assertThat(degraded.getMessage()).contains("spec.web.replicas");
    });
    assertThat(events(ns))
        .anySatisfy(e -> assertThat(e.getReason()).isEqualTo(DegradedReason.INVALID_SPEC.value()));
    assertThat(versions(ns, name)).as("no owned object changed").isEqualTo(before);
    assertThat(rig.writesSince(mark, identity.user(), n -> n.equals(ns)))
        .allSatisfy(w -> assertThat(w.resource()).isEqualTo("loomiodeployments/status"));

    mergePatch(ns, name, "{\"spec\":{\"web\":{\"replicas\":1}}}");
    await()
        .atMost(CONVERGE)
        .untilAsserted(() -> assertThat(
                condition(get(ns, name), Conditions.DEGRADED).getStatus())
            .isEqualTo("False"));
  }

  @Test
  @Order(6)
  void theBadInputCorpusIsRefusedAtAdmissionOrReportedAsDegraded() throws Exception {
    String ns = run + "-invalid";
    rig.restrictedNamespace(ns);
    List<Path> corpus;
    try (Stream<Path> files = Files.list(Path.of("src/test/resources/invalid"))) {
      corpus = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(corpus).hasSizeGreaterThanOrEqualTo(10);
    List<String> report = new ArrayList<>();
    for (Path file : corpus) {
      String field = header(file, "expect");
      String by = header(file, "refused-by");
      if (by.equals(
          "render")) { // what only a file holds (a duplicate key, a namespace): no cluster sees it
        report.add(file.getFileName() + ": render only");
        continue;
      }
      GenericKubernetesResource doc =
          Serialization.unmarshal(Files.readString(file), GenericKubernetesResource.class);
      doc.getMetadata().setNamespace(ns);
      if (!field.equals("metadata.name")) {
        doc.getMetadata().setName(file.getFileName().toString().replace(".yaml", ""));
      }
      String name = doc.getMetadata().getName();
      try {
        k.resource(doc).create();
      } catch (KubernetesClientException e) {
        assertThat(e.getCode()).as(file + ": " + e.getMessage()).isEqualTo(422);
        // v1.20 names list items without their index (spec.x.items.cidr for spec.x.items[0].cidr)
        assertThat(e.getStatus().getMessage())
            .as(file.toString())
            .containsAnyOf(field, field.replaceAll("\\[\\d+]", ""));
        report.add(
            file.getFileName() + ": refused at admission: " + e.getStatus().getMessage());
        continue;
      }
      assertThat(by)
          .as(file + " was admitted; only rules the v1.20 schema cannot express may be")
          .isIn("cel", "operator", "pruned");
      if (by.equals("pruned")) {
        GenericKubernetesResource stored = k.genericKubernetesResources(
                LoomioDeployment.API_VERSION, LoomioDeployment.KIND)
            .inNamespace(ns)
            .withName(name)
            .get();
        String pointer = "/" + field.replace('.', '/');
        assertThat(Serialization.jsonMapper().valueToTree(stored).at(pointer).isMissingNode())
            .as(field + " pruned by the server")
            .isTrue();
        String cli = rig.run(
            List.of(
                System.getProperty("java.home") + "/bin/java",
                "-jar",
                OperatorProcess.jar().toString(),
                "render",
                "-f",
                file.toAbsolutePath().toString()),
            Duration.ofSeconds(60),
            true);
        assertThat(cli).contains(field).contains("unknown field");
        report.add(
            file.getFileName() + ": pruned by the server, refused by render (" + field + ")");
        continue;
      }
      await().atMost(CONVERGE).untilAsserted(() -> {
        LoomioDeployment r = get(ns, name);
        assertThat(r.getStatus()).isNotNull();
        Condition degraded = condition(r, Conditions.DEGRADED);
        assertThat(degraded.getStatus() + " " + degraded.getReason()).isEqualTo("True InvalidSpec");
        assertThat(degraded.getMessage()).contains(field);
      });
      assertThat(versions(ns, name)).as(file + ": nothing created").isEmpty();
      report.add(file.getFileName() + ": admitted by v1.20, Degraded: "
          + condition(get(ns, name), Conditions.DEGRADED).getMessage());
    }
    report.forEach(line -> System.out.println("e2e: " + line));
  }

  @Test
  @Order(7)
  void deletingTheResourceLeavesItToTheGarbageCollectorAndKeepsTheData() {
    String ns = run + "-minimal";
    String name = stacks.get(ns);
    k.resources(LoomioDeployment.class).inNamespace(ns).withName(name).delete();
    await().atMost(CONVERGE).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
      assertThat(get(ns, name)).isNull();
      assertThat(versions(ns, name).keySet())
          .as("what the garbage collector has not removed yet")
          .allMatch(k -> k.startsWith("PersistentVolumeClaim/")
              || k.equals("Secret/" + name + "-secrets")
              || k.equals("Secret/" + name + "-backup-key")
              || k.equals("Secret/" + name + "-backup-signing-key")
              || k.equals("Secret/" + name + "-postgres-superuser"));
    });
    assertThat(k.persistentVolumeClaims().inNamespace(ns).list().getItems())
        .extracting(p -> p.getMetadata().getName())
        .contains(name + "-uploads", name + "-postgres-data", name + "-backups");
    assertThat(k.secrets().inNamespace(ns).withName(name + "-backup-key").get())
        .as("the backups' key")
        .isNotNull();
    assertThat(
            k.secrets().inNamespace(ns).withName(name + "-backup-signing-key").get())
        .as("their signing key")
        .isNotNull();
    assertThat(k.secrets().inNamespace(ns).withName(name + "-secrets").get()).isNotNull();
    assertThat(
            k.secrets().inNamespace(ns).withName(name + "-postgres-superuser").get())
        .as("the kept database's superuser password, kept with it")
        .isNotNull();
  }

  @Test
  @Order(8)
  void deletionPolicyDeleteRemovesTheDataToo() {
    String ns = run + "-ingress-nginx";
    String name = stacks.get(ns);
    assertThat(name).as("the ingress-nginx example converged").isNotNull();
    k.resources(LoomioDeployment.class).inNamespace(ns).withName(name).edit(r -> {
      r.getSpec().setDeletionPolicy(org.loomio.operator.api.v1alpha1.DeletionPolicy.Delete);
      return r;
    });
    k.resources(LoomioDeployment.class).inNamespace(ns).withName(name).delete();
    await().atMost(CONVERGE).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
      assertThat(get(ns, name)).isNull();
      // the data goes; the backups and their key stay (they are the way back)
      assertThat(k
              .persistentVolumeClaims()
              .inNamespace(ns)
              .withLabel(Labels.INSTANCE, name)
              .list()
              .getItems()
              .stream()
              .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
              .map(p -> p.getMetadata().getName())
              .toList())
          .containsExactly(name + "-backups");
      assertThat(k.secrets().inNamespace(ns).withName(name + "-secrets").get()).isNull();
      assertThat(k.secrets().inNamespace(ns).withName(name + "-backup-key").get())
          .isNotNull();
      assertThat(
              k.secrets().inNamespace(ns).withName(name + "-backup-signing-key").get())
          .isNotNull();
    });
  }

  @Test
  @Order(9)
  void anOnDemandBackupRunsAsAJobWhosePodIsAdmitted() {
    String ns = run + "-production";
    String name = stacks.get(ns);
    assertThat(name).as("the production example converged").isNotNull();
    LoomioDeployment now = get(ns, name);
    // v1.20 has no batch/v1 CronJob: the schedule is the same CronJob in batch/v1beta1
    var schedule = k.resources(io.fabric8.kubernetes.api.model.batch.v1beta1.CronJob.class)
        .inNamespace(ns)
        .withName(name + "-backup")
        .get();
    assertThat(schedule).as("batch/v1beta1 CronJob " + name + "-backup").isNotNull();
    assertThat(schedule.getSpec().getConcurrencyPolicy()).isEqualTo("Forbid");
    assertThat(schedule.getSpec().getSuspend()).isFalse();
    assertThat(schedule.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(now.getMetadata().getUid()));
    assertThat(condition(now, Conditions.BACKUPS_HEALTHY).getReason())
        .as("scheduled, no run yet (nothing runs pods here)")
        .isEqualTo(BackupsHealthyReason.NO_BACKUP_YET.value());
    System.out.printf(
        "e2e: %s/%s-backup is a batch/v1beta1 CronJob on v1.20 (schedule '%s')%n",
        ns, name, schedule.getSpec().getSchedule());
    assertThat(k.secrets().inNamespace(ns).withName(name + "-backup-key").get()).isNotNull();
    LoomioBackup backup = new LoomioBackup();
    backup.getMetadata().setName("e2e-now");
    backup.getMetadata().setNamespace(ns);
    backup.setSpec(new LoomioBackupSpec());
    backup.getSpec().setDeploymentName(name);
    k.resource(backup).create();
    await().atMost(CONVERGE).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
      List<Event> refused =
          events(ns).stream().filter(e -> "FailedCreate".equals(e.getReason())).toList();
      if (!refused.isEmpty()) {
        fail("backup pod refused: " + refused.stream().map(Event::getMessage).toList());
      }
      LoomioBackup seen =
          k.resources(LoomioBackup.class).inNamespace(ns).withName("e2e-now").get();
      assertThat(seen.getStatus()).isNotNull();
      assertThat(seen.getStatus().getPhase()).isEqualTo(LoomioBackupStatus.Phase.Running);
      assertThat(k.pods()
              .inNamespace(ns)
              .withLabel(Labels.BACKUP, "e2e-now")
              .list()
              .getItems())
          .singleElement()
          .satisfies(p -> {
            assertThat(p.getMetadata().getAnnotations())
                .containsEntry("kubernetes.io/psp", "restricted");
            assertThat(p.getSpec().getVolumes())
                .noneMatch(v ->
                    v.getSecret() != null && v.getSecret().getSecretName().endsWith("-backup-key"));
          });
    });
    System.out.println(
        "e2e: LoomioBackup e2e-now: Job created, its pod admitted under the restricted policy");
  }

  /**
   * The restore drill: the operator (with the chart's RBAC) renders the CronJob {@code <name>-drill} (batch/v1beta1
   * on v1.20); a Job made from its template, as {@code kubectl create job --from=cronjob/<name>-drill} makes it,
   * gets a pod the restricted policy admits, with the decryption key, no credentials, no database address. No
   * kubelet runs it here: the agent tests run drills end to end against a real PostgreSQL.
   */
  @Test
  @Order(9)
  void theRestoreDrillsPodIsAdmittedUnderTheRestrictedPolicy() {
    String ns = run + "-production";
    String name = stacks.get(ns);
    assertThat(name).as("the production example converged").isNotNull();
    LoomioDeployment now = get(ns, name);
    var drill = k.resources(io.fabric8.kubernetes.api.model.batch.v1beta1.CronJob.class)
        .inNamespace(ns)
        .withName(name + "-drill")
        .get();
    assertThat(drill).as("batch/v1beta1 CronJob " + name + "-drill").isNotNull();
    assertThat(drill.getSpec().getSchedule()).isEqualTo("43 4 * * 0");
    assertThat(drill.getSpec().getConcurrencyPolicy()).isEqualTo("Forbid");
    assertThat(drill.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(now.getMetadata().getUid()));
    assertThat(k.serviceAccounts().inNamespace(ns).withName(name + "-drill").get())
        .isNotNull();
    var policy = k.network()
        .v1()
        .networkPolicies()
        .inNamespace(ns)
        .withName(name + "-drill")
        .get();
    assertThat(policy).isNotNull();
    assertThat(policy.getSpec().getIngress()).isNullOrEmpty();

    var template = drill.getSpec().getJobTemplate();
    io.fabric8.kubernetes.api.model.batch.v1.Job job =
        new io.fabric8.kubernetes.api.model.batch.v1.JobBuilder()
            .withNewMetadata()
            .withName(name + "-drill-e2e")
            .withNamespace(ns)
            .withLabels(template.getMetadata().getLabels())
            .endMetadata()
            .withSpec(template.getSpec())
            .build();
    k.resource(job).create();
    await().atMost(CONVERGE).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
      List<Event> refused =
          events(ns).stream().filter(e -> "FailedCreate".equals(e.getReason())).toList();
      if (!refused.isEmpty()) {
        fail("drill pod refused: " + refused.stream().map(Event::getMessage).toList());
      }
      assertThat(k.pods()
              .inNamespace(ns)
              .withLabel("job-name", name + "-drill-e2e")
              .list()
              .getItems())
          .singleElement()
          .satisfies(p -> {
            assertThat(p.getMetadata().getAnnotations())
                .containsEntry("kubernetes.io/psp", "restricted");
            assertThat(p.getSpec().getSecurityContext().getRunAsUser()).isEqualTo(10001L);
            assertThat(p.getSpec().getServiceAccountName()).isEqualTo(name + "-drill");
            assertThat(p.getSpec().getVolumes())
                .anyMatch(v -> v.getSecret() != null
                    && v.getSecret().getSecretName().equals(name + "-backup-key"));
            assertThat(p.getSpec().getVolumes())
                .noneMatch(v -> v.getSecret() != null
                    && v.getSecret().getSecretName().equals(name + "-secrets"));
            assertThat(p.getSpec().getInitContainers())
                .extracting(c -> c.getName())
                .containsExactly("prepare", "restore");
          });
    });
    k.resource(job)
        .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND)
        .delete();
    System.out.println(
        "e2e: " + name + "-drill: a Job from the CronJob's template, its pod admitted under the"
            + " restricted policy");
  }

  @Test
  @Order(10)
  void aRestoreStopsTheAppAndItsPodIsAdmittedAndDeletingItReleasesTheStack() {
    String ns = run + "-production";
    String name = stacks.get(ns);
    LoomioRestore restore = new LoomioRestore();
    restore.getMetadata().setName("e2e-restore");
    restore.getMetadata().setNamespace(ns);
    restore.setSpec(new LoomioRestoreSpec());
    restore.getSpec().setDeploymentName(name);
    restore.getSpec().setSource(LoomioRestoreSpec.Source.s3);
    k.resource(restore).create();
    // nothing runs pods here, so the stack's migration never finishes: the restore must wait for it
    String migration = get(ns, name).getStatus().getMigration();
    await().atMost(CONVERGE).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
      LoomioRestore seen = k.resources(LoomioRestore.class)
          .inNamespace(ns)
          .withName("e2e-restore")
          .get();
      assertThat(seen.getStatus()).isNotNull();
      assertThat(seen.getStatus().getPhase()).isEqualTo(LoomioRestoreStatus.Phase.Pending);
      assertThat(seen.getStatus().getMessage()).contains(migration);
    });
    // play the Job controller: the migration succeeded (a finished Job is left alone by the real
    // one)
    k.batch().v1().jobs().inNamespace(ns).withName(migration).editStatus(j -> {
      j.getStatus().setActive(null);
      j.getStatus().setSucceeded(1);
      j.getStatus()
          .setCompletionTime(java.time.Instant.now()
              .truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
              .toString());
      j.getStatus()
          .setConditions(List.of(new io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder()
              .withType("Complete")
              .withStatus("True")
              .build()));
      return j;
    });
    long started = System.nanoTime();
    await().atMost(CONVERGE).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
      LoomioRestore seen = k.resources(LoomioRestore.class)
          .inNamespace(ns)
          .withName("e2e-restore")
          .get();
      assertThat(seen.getStatus()).isNotNull();
      assertThat(seen.getStatus().getPhase())
          .as(seen.getStatus().getMessage())
          .isEqualTo(LoomioRestoreStatus.Phase.Restoring);
      for (String component : List.of("web", "worker", "hocuspocus")) {
        assertThat(pods(ns, name, component)).as(component + " pods").isEmpty();
      }
      List<Event> refused =
          events(ns).stream().filter(e -> "FailedCreate".equals(e.getReason())).toList();
      if (!refused.isEmpty()) {
        fail("restore pod refused: " + refused.stream().map(Event::getMessage).toList());
      }
      assertThat(k.pods()
              .inNamespace(ns)
              .withLabel(Labels.RESTORE, "e2e-restore")
              .list()
              .getItems())
          .singleElement()
          .satisfies(p -> assertThat(p.getMetadata().getAnnotations())
              .containsEntry("kubernetes.io/psp", "restricted"));
      assertThat(condition(get(ns, name), Conditions.READY).getReason())
          .isEqualTo(ReadyReason.RESTORING.value());
    });
    System.out.printf(
        Locale.ROOT,
        "e2e: LoomioRestore scaled the app to zero and started its Job in %.1f s%n",
        (System.nanoTime() - started) / 1e9);
    k.resources(LoomioRestore.class).inNamespace(ns).withName("e2e-restore").delete();
    await().atMost(CONVERGE).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
      assertThat(k.apps()
              .deployments()
              .inNamespace(ns)
              .withName(name + "-web")
              .get()
              .getSpec()
              .getReplicas())
          .as("deleting the restore releases the stack")
          .isEqualTo(2);
      assertThat(get(ns, name).getStatus().getRestore()).isNull();
    });
  }

  /**
   * spec.isolation cuts a stack off and lifting it brings the stack back, without touching its data: isolated,
   * only the deny-all NetworkPolicy is left, web, worker and hocuspocus are at zero replicas (PostgreSQL and Redis
   * keep running), the Ingress is gone and the status says Isolated; lifted, the allow policies, replicas and
   * Ingress are back as before and Isolated is False (IsolationLifted). The audit log shows that nobody (the
   * operator, the controllers) wrote a PersistentVolumeClaim or a Secret of the namespace meanwhile.
   */
  @Test
  @Order(11)
  void isolationCutsTheStackOffAndLiftingItRestoresItWithoutTouchingData() throws Exception {
    String ns = run + "-isolation";
    LoomioDeployment resource = apply(Fixtures.examplesDir().resolve("ingress-nginx.yaml"), ns);
    String name = resource.getMetadata().getName();
    awaitConverged(ns, resource);
    awaitPodsAdmitted(ns, name);
    String deny = name + "-default-deny";
    List<String> policies = policyNames(ns, name);
    assertThat(policies)
        .contains(
            deny,
            name + "-web",
            name + "-worker",
            name + "-hocuspocus",
            name + "-postgres",
            name + "-redis");
    Map<String, Integer> replicas = replicas(ns, name);
    assertThat(replicas)
        .containsKeys(
            name + "-web",
            name + "-worker",
            name + "-hocuspocus",
            name + "-redis",
            name + "-postgres");
    List<String> ingresses = ingressNames(ns, name);
    assertThat(ingresses).as("the example's Ingress").isNotEmpty();
    String readyBefore = condition(get(ns, name), Conditions.READY).getReason();
    assertThat(dataVersions(ns))
        .containsKeys(
            "PersistentVolumeClaim/" + name + "-postgres-data",
            "PersistentVolumeClaim/" + name + "-uploads",
            "PersistentVolumeClaim/" + name + "-backups",
            "Secret/" + name + "-secrets",
            "Secret/" + name + "-backup-key");
    // v1.20's token controller gives every ServiceAccount a Secret: let it finish before the mark
    await()
        .atMost(CONVERGE)
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(() -> assertThat(
                k.serviceAccounts().inNamespace(ns).list().getItems())
            .allSatisfy(sa -> assertThat(sa.getSecrets())
                .as(sa.getMetadata().getName() + " token")
                .isNotEmpty()));
    Map<String, String> data = dataVersions(ns);
    long mark = rig.auditMark();

    long started = System.nanoTime();
    mergePatch(ns, name, "{\"spec\":{\"isolation\":true}}");
    await().atMost(CONVERGE).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
      assertThat(policyNames(ns, name)).as("the stack's NetworkPolicies").containsExactly(deny);
      var spec = k.network()
          .v1()
          .networkPolicies()
          .inNamespace(ns)
          .withName(deny)
          .get()
          .getSpec();
      assertThat(spec.getPodSelector().getMatchLabels()).isEqualTo(Map.of(Labels.INSTANCE, name));
      assertThat(spec.getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
      assertThat(spec.getIngress()).isNullOrEmpty();
      assertThat(spec.getEgress()).isNullOrEmpty();
      Map<String, Integer> now = replicas(ns, name);
      for (String component : List.of("web", "worker", "hocuspocus")) {
        assertThat(now.get(name + "-" + component)).as(component + " replicas").isZero();
        assertThat(pods(ns, name, component)).as(component + " pods").isEmpty();
      }
      assertThat(now.get(name + "-redis"))
          .as("Redis keeps running")
          .isEqualTo(replicas.get(name + "-redis"));
      assertThat(now.get(name + "-postgres"))
          .as("PostgreSQL keeps running")
          .isEqualTo(replicas.get(name + "-postgres"));
      assertThat(ingressNames(ns, name)).as("the stack's Ingresses").isEmpty();
      LoomioDeployment r = get(ns, name);
      assertThat(r.getStatus().getObservedGeneration())
          .isEqualTo(r.getMetadata().getGeneration());
      Condition isolated = condition(r, Conditions.ISOLATED);
      assertThat(isolated.getStatus() + " " + isolated.getReason()).isEqualTo("True Isolated");
      Condition ready = condition(r, Conditions.READY);
      assertThat(ready.getStatus() + " " + ready.getReason()).isEqualTo("False Isolated");
      assertThat(r.getStatus().getIsolatedSince()).as("status.isolatedSince").isNotNull();
      java.time.Instant.parse(r.getStatus().getIsolatedSince());
    });
    System.out.printf(
        Locale.ROOT,
        "e2e: spec.isolation=true: stack cut off in %.1f s%n",
        (System.nanoTime() - started) / 1e9);

    started = System.nanoTime();
    mergePatch(ns, name, "{\"spec\":{\"isolation\":false}}");
    await().atMost(CONVERGE).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
      assertThat(policyNames(ns, name)).as("the stack's NetworkPolicies").isEqualTo(policies);
      assertThat(replicas(ns, name)).isEqualTo(replicas);
      assertThat(ingressNames(ns, name)).as("the stack's Ingresses").isEqualTo(ingresses);
      LoomioDeployment r = get(ns, name);
      assertThat(r.getStatus().getObservedGeneration())
          .isEqualTo(r.getMetadata().getGeneration());
      Condition isolated = condition(r, Conditions.ISOLATED);
      assertThat(isolated.getStatus() + " " + isolated.getReason())
          .isEqualTo("False IsolationLifted");
      assertThat(condition(r, Conditions.READY).getReason()).isEqualTo(readyBefore);
      assertThat(r.getStatus().getIsolatedSince()).as("status.isolatedSince").isNull();
    });
    awaitPodsAdmitted(ns, name);
    System.out.printf(
        Locale.ROOT,
        "e2e: spec.isolation=false: stack back in %.1f s%n",
        (System.nanoTime() - started) / 1e9);

    // the lever works while the rest of the spec is refused (web replicas 2 on a ReadWriteOnce
    // volume), with
    // the direct calls the chart's RBAC allows
    mergePatch(ns, name, "{\"spec\":{\"web\":{\"replicas\":2},\"isolation\":true}}");
    await().atMost(CONVERGE).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
      LoomioDeployment r = get(ns, name);
      assertThat(condition(r, Conditions.DEGRADED).getReason())
          .isEqualTo(DegradedReason.INVALID_SPEC.value());
      assertThat(condition(r, Conditions.ISOLATED).getStatus()).isEqualTo("True");
      assertThat(policyNames(ns, name)).containsExactly(deny);
      assertThat(replicas(ns, name).get(name + "-web")).isZero();
      assertThat(replicas(ns, name).get(name + "-worker")).isZero();
      assertThat(ingressNames(ns, name)).isEmpty();
    });
    mergePatch(ns, name, "{\"spec\":{\"web\":{\"replicas\":1},\"isolation\":false}}");
    await().atMost(CONVERGE).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
      assertThat(policyNames(ns, name)).isEqualTo(policies);
      assertThat(replicas(ns, name)).isEqualTo(replicas);
      assertThat(ingressNames(ns, name)).isEqualTo(ingresses);
      assertThat(condition(get(ns, name), Conditions.DEGRADED).getStatus()).isEqualTo("False");
    });
    awaitPodsAdmitted(ns, name);

    List<Rig.Write> writes = rig.writesByAnyoneSince(mark, ns::equals);
    assertThat(writes)
        .as("the audit log saw the isolation (policies deleted, app scaled)")
        .anySatisfy(
            w -> assertThat(w.verb() + " " + w.resource()).isEqualTo("delete networkpolicies"))
        .anySatisfy(w -> assertThat(w.resource()).isEqualTo("deployments"));
    assertThat(writes)
        .as("writes to PersistentVolumeClaims or Secrets while isolating and lifting")
        .noneMatch(w -> w.resource().startsWith("persistentvolumeclaims")
            || w.resource().startsWith("secrets"));
    assertThat(dataVersions(ns))
        .as("resourceVersions of the namespace's PersistentVolumeClaims and Secrets")
        .isEqualTo(data);
    Map<String, Long> byOperator = new TreeMap<>();
    rig.writesSince(mark, identity.user(), ns::equals)
        .forEach(w -> byOperator.merge(w.verb() + " " + w.resource(), 1L, Long::sum));
    System.out.println("e2e: operator writes to isolate and lift: " + byOperator);
  }

  @Test
  @Order(20)
  void theOperatorNeededNoRightBeyondTheHelmChartsRbac() {
    // (a namespace being deleted refuses new objects with a 403 too; that is not about RBAC)
    List<String> refused = operator
        .logSinceStart()
        .lines()
        .filter(l -> l.contains("Forbidden") || l.contains("forbidden") || l.contains(" 403"))
        .filter(l -> !l.contains("because it is being terminated"))
        .toList();
    assertThat(refused)
        .as("requests refused to the operator (it ran as %s)", identity.user())
        .isEmpty();
  }

  /**
   * Someone else's Service, Secret, claim and ConfigMap of a stack's names, made before the stack: the operator
   * (as the chart's ServiceAccount) writes none of them, reports NameConflict, applies nothing, and deleting the
   * resource with deletionPolicy Delete leaves them all (nothing of theirs carries an owner reference either,
   * so the garbage collector has nothing to take). Before, the Service was taken over by a forced apply and
   * then garbage-collected with the resource, and the Secret and the claim were deleted by name.
   */
  @Test
  @Order(13)
  void foreignObjectsOfTheStacksNamesAreNeverWrittenAdoptedOrDeleted() {
    String ns = run + "-foreign";
    rig.restrictedNamespace(ns);
    List<HasMetadata> foreign = List.of(
        k.resource(new io.fabric8.kubernetes.api.model.ServiceBuilder()
                .withNewMetadata()
                .withName("tenant-web")
                .withNamespace(ns)
                .endMetadata()
                .withNewSpec()
                .addToSelector("app", "shop")
                .addNewPort()
                .withPort(80)
                .withProtocol("TCP")
                .endPort()
                .endSpec()
                .build())
            .create(),
        k.resource(new SecretBuilder()
                .withNewMetadata()
                .withName("tenant-secrets")
                .withNamespace(ns)
                .endMetadata()
                .addToData("password", "aHVudGVyMg==")
                .build())
            .create(),
        k.resource(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName("tenant-uploads")
                .withNamespace(ns)
                .endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withNewResources()
                .addToRequests("storage", new io.fabric8.kubernetes.api.model.Quantity("1Gi"))
                .endResources()
                .endSpec()
                .build())
            .create(),
        k.resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                .withNewMetadata()
                .withName("tenant-edge-headers")
                .withNamespace(ns)
                .endMetadata()
                .addToData("X-Shop", "1")
                .build())
            .create());
    Map<String, String> before = new LinkedHashMap<>();
    foreign.forEach(o -> before.put(
        o.getKind() + "/" + o.getMetadata().getName(), o.getMetadata().getResourceVersion()));
    long mark = rig.auditMark();
    LoomioDeployment tenant = Fixtures.resource(
        "tenant",
        "host: tenant.example.org\ndeletionPolicy: Delete\n"
            + "ingress: {className: nginx, tls: {clusterIssuer: letsencrypt}}");
    tenant.getMetadata().setNamespace(ns);
    tenant.getMetadata().setGeneration(null);
    k.resource(tenant).create();
    await().atMost(CONVERGE).untilAsserted(() -> {
      assertThat(get(ns, "tenant").getStatus()).as("status").isNotNull();
      Condition degraded = condition(get(ns, "tenant"), Conditions.DEGRADED);
      assertThat(degraded.getStatus() + " " + degraded.getReason()).isEqualTo("True NameConflict");
      assertThat(degraded.getMessage())
          .contains(
              "Service tenant-web exists and is not this stack's",
              "Secret tenant-secrets",
              "PersistentVolumeClaim tenant-uploads",
              "ConfigMap tenant-edge-headers");
    });
    k.resources(LoomioDeployment.class).inNamespace(ns).withName("tenant").delete();
    await().atMost(CONVERGE).untilAsserted(() -> assertThat(get(ns, "tenant")).isNull());
    Map<String, String> after = new LinkedHashMap<>();
    foreign.forEach(o -> {
      HasMetadata now = k.resource(o).get();
      after.put(
          o.getKind() + "/" + o.getMetadata().getName(),
          now == null ? "<deleted>" : now.getMetadata().getResourceVersion());
    });
    assertThat(after).as("untouched, not deleted").isEqualTo(before);
    assertThat(rig.writesSince(mark, identity.user(), n -> n.equals(ns)))
        .as(
            "the operator wrote nothing but the resource's finalizer and status (events are not audited)")
        .allSatisfy(
            w -> assertThat(w.resource()).isIn("loomiodeployments", "loomiodeployments/status"));
  }

  /** A stack naming a Secret its owner did not mark for it: nothing is applied, the Secret is only read. */
  @Test
  @Order(14)
  void anUnconsentedSecretReferenceAppliesNothing() {
    String ns = run + "-consent";
    rig.restrictedNamespace(ns);
    k.resource(new SecretBuilder()
            .withNewMetadata()
            .withName("payroll")
            .withNamespace(ns)
            .endMetadata()
            .addToData("api-key", "c2VjcmV0")
            .build())
        .create();
    long mark = rig.auditMark();
    LoomioDeployment team = Fixtures.resource(
        "team",
        "host: team.example.org\n"
            + "secretEnv: [{name: OAUTH_APP_SECRET, secretKeyRef: {name: payroll, key: api-key}}]");
    team.getMetadata().setNamespace(ns);
    team.getMetadata().setGeneration(null);
    k.resource(team).create();
    await().atMost(CONVERGE).untilAsserted(() -> {
      assertThat(get(ns, "team").getStatus()).as("status").isNotNull();
      Condition degraded = condition(get(ns, "team"), Conditions.DEGRADED);
      assertThat(degraded.getStatus() + " " + degraded.getReason())
          .isEqualTo("True ConsentRequired");
      assertThat(degraded.getMessage())
          .contains(
              "kubectl -n " + ns + " annotate secret payroll" + " loomio.org/allowed-stacks=team");
    });
    assertThat(k.apps().deployments().inNamespace(ns).list().getItems()).isEmpty();
    assertThat(k.secrets().inNamespace(ns).withLabel(Labels.MANAGED_BY).list().getItems())
        .as("not even the credentials are generated")
        .isEmpty();
    assertThat(rig.writesSince(mark, identity.user(), n -> n.equals(ns)))
        .allSatisfy(
            w -> assertThat(w.resource()).isIn("loomiodeployments", "loomiodeployments/status"));
  }

  // --- helpers ---

  private LoomioDeployment apply(Path example, String ns) throws IOException {
    rig.restrictedNamespace(ns);
    GenericKubernetesResource doc =
        Serialization.unmarshal(Files.readString(example), GenericKubernetesResource.class);
    doc.getMetadata().setNamespace(ns);
    LoomioDeployment typed =
        Serialization.unmarshal(Serialization.asJson(doc), LoomioDeployment.class);
    // every Secret and ConfigMap the example references, with a value per key and its owner's
    // consent
    for (var ref : ReferencedSecrets.refs(ResolvedSpec.of(typed, ImageDefaults.BUILT_IN))) {
      String value = Base64.getEncoder().encodeToString(("e2e value of " + ref.key()).getBytes());
      if (ref.kind() == ReferencedSecrets.Kind.ConfigMap) {
        var existing = k.configMaps().inNamespace(ns).withName(ref.name()).get();
        Map<String, String> data =
            new LinkedHashMap<>(existing == null ? Map.of() : existing.getData());
        data.put(ref.key(), "e2e value of " + ref.key());
        k.resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                .withNewMetadata()
                .withName(ref.name())
                .withNamespace(ns)
                .addToAnnotations(ReferencedSecrets.CONSENT, typed.getMetadata().getName())
                .endMetadata()
                .withData(data)
                .build())
            .createOr(r -> r.update());
        continue;
      }
      Secret existing = k.secrets().inNamespace(ns).withName(ref.secret()).get();
      Map<String, String> data =
          new LinkedHashMap<>(existing == null ? Map.of() : existing.getData());
      data.put(ref.key() == null ? "tls.crt" : ref.key(), value);
      Secret secret = new SecretBuilder()
          .withNewMetadata()
          .withName(ref.secret())
          .withNamespace(ns)
          .addToAnnotations(ReferencedSecrets.CONSENT, typed.getMetadata().getName())
          .endMetadata()
          .withData(data)
          .build();
      if (existing == null) {
        k.resource(secret).create();
      } else {
        k.resource(secret).update();
      }
    }
    k.resource(doc).create();
    return typed;
  }

  /** Waits until every object the spec renders exists and the status has seen the spec; returns the render. */
  private Stack awaitConverged(String ns, LoomioDeployment resource) {
    String name = resource.getMetadata().getName();
    Stack expected = StackRenderer.renderForDisplay(resource, rigApis);
    await().atMost(CONVERGE).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
      playRoleSetup(ns, name);
      playCloudNativePG(ns, name);
      for (HasMetadata want : expected.objects()) {
        assertThat(k.resource(want).inNamespace(ns).get())
            .as(want.getKind() + "/" + want.getMetadata().getName())
            .isNotNull();
      }
      LoomioDeployment now = get(ns, name);
      assertThat(now.getStatus()).isNotNull();
      assertThat(now.getStatus().getObservedGeneration())
          .isEqualTo(now.getMetadata().getGeneration());
    });
    return expected;
  }

  /**
   * The rig runs no kubelet, so the embedded database's role setup Job never finishes by itself, and the operator
   * creates the migration Job only once it succeeded: the test plays the Job's success (its pod was admitted like every
   * other; the job controller leaves a Job alone once it is Complete).
   */
  /** CloudNativePG's part, once the operator declared the Cluster of a stack in that mode. */
  private void playCloudNativePG(String ns, String name) {
    CloudNativePGCluster pg = k.resources(CloudNativePGCluster.class)
        .inNamespace(ns)
        .withName(name + "-postgres")
        .get();
    if (pg != null
        && k.secrets().inNamespace(ns).withName(name + "-postgres-app").get() == null) {
      CloudNativePGPlayer.provision(k, ns, pg);
    }
  }

  private void playRoleSetup(String ns, String name) {
    for (io.fabric8.kubernetes.api.model.batch.v1.Job j : k.batch()
        .v1()
        .jobs()
        .inNamespace(ns)
        .withLabel(Labels.INSTANCE, name)
        .withLabel(Labels.COMPONENT, "db-roles")
        .list()
        .getItems()) {
      boolean complete = j.getStatus() != null
          && j.getStatus().getConditions() != null
          && j.getStatus().getConditions().stream().anyMatch(c -> "Complete".equals(c.getType()));
      if (!complete) {
        j.setStatus(new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder(
                j.getStatus() == null
                    ? new io.fabric8.kubernetes.api.model.batch.v1.JobStatus()
                    : j.getStatus())
            .withActive(0)
            .withSucceeded(1)
            .withCompletionTime(java.time.Instant.now().toString())
            .addNewCondition()
            .withType("Complete")
            .withStatus("True")
            .endCondition()
            .build());
        try {
          k.batch().v1().jobs().inNamespace(ns).resource(j).updateStatus();
        } catch (KubernetesClientException e) {
          // the job controller wrote meanwhile: the next round tries again
        }
      }
    }
  }

  private void awaitPodsAdmitted(String ns, String name) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(() -> {
          List<Event> refused = events(ns).stream()
              .filter(e -> "FailedCreate".equals(e.getReason()))
              .toList();
          if (!refused.isEmpty()) {
            fail("pod creation refused: "
                + refused.stream().map(Event::getMessage).toList());
          }
          for (Deployment d : k.apps()
              .deployments()
              .inNamespace(ns)
              .withLabel(Labels.INSTANCE, name)
              .list()
              .getItems()) {
            assertThat(pods(ns, name, d.getMetadata().getLabels().get(Labels.COMPONENT)))
                .as(d.getMetadata().getName())
                .hasSize(d.getSpec().getReplicas());
          }
          for (StatefulSet s : k.apps()
              .statefulSets()
              .inNamespace(ns)
              .withLabel(Labels.INSTANCE, name)
              .list()
              .getItems()) {
            assertThat(pods(ns, name, s.getMetadata().getLabels().get(Labels.COMPONENT)))
                .as(s.getMetadata().getName())
                .hasSize(s.getSpec().getReplicas());
          }
          assertThat(pods(ns, name, "migrate")).as("migration Job pod").hasSize(1);
        });
    for (Pod p :
        k.pods().inNamespace(ns).withLabel(Labels.INSTANCE, name).list().getItems()) {
      assertThat(p.getMetadata().getAnnotations())
          .as(p.getMetadata().getName())
          .containsEntry("kubernetes.io/psp", "restricted");
      assertThat(p.getSpec().getSecurityContext().getRunAsUser()).isEqualTo(10001L);
    }
  }

  /** A JSON merge patch of the spec, as kubectl patch --type=merge sends it. */
  private void mergePatch(String ns, String name, String json) {
    k.resources(LoomioDeployment.class)
        .inNamespace(ns)
        .withName(name)
        .patch(
            io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            json);
  }

  private List<Pod> pods(String ns, String name, String component) {
    return k.pods()
        .inNamespace(ns)
        .withLabel(Labels.INSTANCE, name)
        .withLabel(Labels.COMPONENT, component)
        .list()
        .getItems();
  }

  private List<Event> events(String ns) {
    return k.v1().events().inNamespace(ns).list().getItems();
  }

  private LoomioDeployment get(String ns, String name) {
    return k.resources(LoomioDeployment.class).inNamespace(ns).withName(name).get();
  }

  private static Condition condition(LoomioDeployment r, String type) {
    return Conditions.find(r.getStatus().getConditions(), type)
        .orElseThrow(() -> new AssertionError("no condition " + type));
  }

  /** The stack as the API server stores it, for the hardening checklist. */
  private Stack stored(String ns, String name, Stack expected) {
    List<HasMetadata> objects = new ArrayList<>();
    for (HasMetadata want : expected.objects()) {
      objects.add(k.resource(want).inNamespace(ns).get());
    }
    return new Stack(
        objects,
        expected.omissions(),
        expected.image(),
        expected.version(),
        expected.migrationJob());
  }

  /**
   * A fingerprint of every object of a stack, by kind/name: what a writer of the object sets, not
   * what Kubernetes' own controllers maintain beside it. A resourceVersion would also move when the
   * deployment controller writes a Deployment's status or its {@code deployment.kubernetes.io/revision}
   * annotation (after the previous test's repair; or when a rollout's progress deadline passes, since
   * no pod ever runs on the rig), or when the token controller fills a ServiceAccount's
   * {@code secrets}. The audit log, not this map, tells who wrote.
   */
  private Map<String, String> versions(String ns, String name) {
    Map<String, String> v = new LinkedHashMap<>();
    List<List<? extends HasMetadata>> lists = List.of(
        k.serviceAccounts()
            .inNamespace(ns)
            .withLabel(Labels.INSTANCE, name)
            .list()
            .getItems(),
        k.secrets().inNamespace(ns).withLabel(Labels.INSTANCE, name).list().getItems(),
        k.configMaps().inNamespace(ns).withLabel(Labels.INSTANCE, name).list().getItems(),
        k.persistentVolumeClaims()
            .inNamespace(ns)
            .withLabel(Labels.INSTANCE, name)
            .list()
            .getItems(),
        k.services().inNamespace(ns).withLabel(Labels.INSTANCE, name).list().getItems(),
        k.apps()
            .statefulSets()
            .inNamespace(ns)
            .withLabel(Labels.INSTANCE, name)
            .list()
            .getItems(),
        k.apps()
            .deployments()
            .inNamespace(ns)
            .withLabel(Labels.INSTANCE, name)
            .list()
            .getItems(),
        k.batch()
            .v1()
            .jobs()
            .inNamespace(ns)
            .withLabel(Labels.INSTANCE, name)
            .list()
            .getItems());
    for (List<? extends HasMetadata> items : lists) {
      items.forEach(o -> v.put(o.getKind() + "/" + o.getMetadata().getName(), fingerprint(o)));
    }
    return v;
  }

  /**
   * The object's uid and a digest of its content without what controllers maintain (status,
   * resourceVersion, managedFields, the revision annotation, a ServiceAccount's token list). A
   * Secret is fingerprinted by its resourceVersion: no controller writes the stack's Secrets, and
   * not even a digest of their data belongs in a test log.
   */
  static String fingerprint(HasMetadata o) {
    String uid = String.valueOf(o.getMetadata().getUid());
    if (o instanceof Secret) {
      return uid + "@" + o.getMetadata().getResourceVersion();
    }
    com.fasterxml.jackson.databind.node.ObjectNode tree =
        Serialization.jsonMapper().valueToTree(o);
    tree.remove("status");
    if (o.getKind().equals("ServiceAccount")) {
      tree.remove("secrets");
    }
    com.fasterxml.jackson.databind.node.ObjectNode meta =
        (com.fasterxml.jackson.databind.node.ObjectNode) tree.get("metadata");
    meta.remove(List.of("resourceVersion", "managedFields"));
    if (meta.get("annotations") instanceof com.fasterxml.jackson.databind.node.ObjectNode a) {
      a.remove("deployment.kubernetes.io/revision");
    }
    try {
      byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
          .digest(Serialization.jsonMapper()
              .writer()
              .with(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
              .writeValueAsBytes(tree));
      return uid + "#" + java.util.HexFormat.of().formatHex(digest, 0, 8);
    } catch (java.security.NoSuchAlgorithmException
        | com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Names of the stack's NetworkPolicies, sorted. */
  private List<String> policyNames(String ns, String name) {
    return k
        .network()
        .v1()
        .networkPolicies()
        .inNamespace(ns)
        .withLabel(Labels.INSTANCE, name)
        .list()
        .getItems()
        .stream()
        .map(p -> p.getMetadata().getName())
        .sorted()
        .toList();
  }

  /** Names of the stack's Ingresses, sorted. */
  private List<String> ingressNames(String ns, String name) {
    return k
        .network()
        .v1()
        .ingresses()
        .inNamespace(ns)
        .withLabel(Labels.INSTANCE, name)
        .list()
        .getItems()
        .stream()
        .map(i -> i.getMetadata().getName())
        .sorted()
        .toList();
  }

  /** spec.replicas of the stack's Deployments and StatefulSets, by name. */
  private Map<String, Integer> replicas(String ns, String name) {
    Map<String, Integer> r = new TreeMap<>();
    k.apps()
        .deployments()
        .inNamespace(ns)
        .withLabel(Labels.INSTANCE, name)
        .list()
        .getItems()
        .forEach(d -> r.put(d.getMetadata().getName(), d.getSpec().getReplicas()));
    k.apps()
        .statefulSets()
        .inNamespace(ns)
        .withLabel(Labels.INSTANCE, name)
        .list()
        .getItems()
        .forEach(s -> r.put(s.getMetadata().getName(), s.getSpec().getReplicas()));
    return r;
  }

  /** resourceVersion of every PersistentVolumeClaim and Secret of a namespace (labelled or not), by kind/name. */
  private Map<String, String> dataVersions(String ns) {
    Map<String, String> v = new TreeMap<>();
    k.persistentVolumeClaims()
        .inNamespace(ns)
        .list()
        .getItems()
        .forEach(p -> v.put(
            "PersistentVolumeClaim/" + p.getMetadata().getName(),
            p.getMetadata().getResourceVersion()));
    k.secrets()
        .inNamespace(ns)
        .list()
        .getItems()
        .forEach(x ->
            v.put("Secret/" + x.getMetadata().getName(), x.getMetadata().getResourceVersion()));
    return v;
  }

  private static void timed(
      String what, Runnable action, org.awaitility.core.ThrowingRunnable restored) {
    long t0 = System.nanoTime();
    action.run();
    await().atMost(CONVERGE).pollInterval(Duration.ofMillis(25)).untilAsserted(restored);
    System.out.printf(
        Locale.ROOT, "e2e: %s restored in %d ms%n", what, (System.nanoTime() - t0) / 1_000_000);
  }

  private static String header(Path file, String key) throws IOException {
    return Files.readAllLines(file).stream()
        .filter(l -> l.startsWith("# " + key + ":"))
        .map(l -> l.substring(l.indexOf(':') + 1).trim())
        .findFirst()
        .orElseThrow();
  }
}
