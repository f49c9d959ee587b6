package org.loomio.operator.render.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.api.v1alpha1.LoomioRestoreSpec;
import org.loomio.operator.api.v1alpha1.SecretKeyRef;
import org.loomio.operator.model.BackupSchedule;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.Defaults;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.model.Labels;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.model.SecretDigests;
import org.loomio.operator.render.Stack;
import org.loomio.operator.render.StackRenderer;
import org.loomio.operator.render.base.Omission;
import org.loomio.operator.render.base.RenderContext;
import org.loomio.operator.testing.Fixtures;
import org.loomio.operator.testing.HardeningChecklist;
import org.loomio.operator.validation.SpecValidator;

/** The backup CronJob, on-demand backup and restore Jobs, the keys' ConfigMap, the restore hold. */
class BackupRenderTest {

  private static RenderContext ctx(LoomioDeployment r, ClusterCapabilities cluster) {
    ResolvedSpec spec = ResolvedSpec.of(r, ImageDefaults.BUILT_IN);
    return new RenderContext(spec, cluster, Fixtures.credentials(r), SecretDigests.none())
        .withBackupPublicKey("-----BEGIN PGP PUBLIC KEY BLOCK-----\n...");
  }

  private static CronJob cronJob(String spec) {
    Stack stack =
        StackRenderer.render(ctx(Fixtures.resource("team", spec), ClusterCapabilities.newest()));
    return stack.all(CronJob.class).get(0);
  }

  private static Container container(PodSpec pod, String name) {
    List<Container> all = new ArrayList<>(pod.getInitContainers());
    all.addAll(pod.getContainers());
    return all.stream().filter(c -> c.getName().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void byDefaultADailyEncryptedBackupToTheVolume() {
    CronJob cj = cronJob("host: a.example.org");
    assertThat(cj.getMetadata().getName()).isEqualTo("team-backup");
    assertThat(cj.getSpec().getSchedule()).isEqualTo("17 3 * * *");
    assertThat(cj.getSpec().getTimeZone()).isEqualTo("Etc/UTC");
    assertThat(cj.getSpec().getConcurrencyPolicy()).isEqualTo("Forbid");
    assertThat(cj.getSpec().getStartingDeadlineSeconds()).isEqualTo(3600L);
    PodSpec pod = cj.getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
    Container dump = container(pod, "dump");
    assertThat(dump.getImage()).isEqualTo("postgres:17");
    assertThat(String.join(" ", dump.getCommand()))
        .contains("set -euo pipefail")
        .contains("pg_dump --format=custom")
        .contains("show server_version_num");
    assertThat(dump.getEnv()).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo("PGPASSWORD");
      assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("team-secrets");
    });
    Container agent = container(pod, BackupPodTemplate.AGENT_CONTAINER);
    assertThat(agent.getImage())
        .isEqualTo("ghcr.io/loomio-operator/loomio-operator:" + Defaults.OPERATOR_VERSION);
    assertThat(agent.getArgs())
        .startsWith("backup")
        .contains(
            "--recipients",
            "/keys/recipients.asc",
            "--to-directory",
            "/backups",
            "--uploads",
            "/loomio/storage",
            "--secrets",
            "/credentials",
            "--keep-last",
            "7")
        .doesNotContain("--to-s3", "--passphrase-file");
    assertThat(agent.getArgs()).containsSequence("--signing-key", "/signing/signing.asc");
    assertThat(pod.getVolumes())
        .extracting(Volume::getName)
        .contains("uploads", "backups", "credentials", "encryption", "scratch", "signing");
    // the backup pod holds the signing key's private half, nothing else of that Secret
    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getName().equals("signing"))
        .singleElement()
        .satisfies(v -> {
          assertThat(v.getSecret().getSecretName()).isEqualTo("team-backup-signing-key");
          assertThat(v.getSecret().getItems())
              .extracting(io.fabric8.kubernetes.api.model.KeyToPath::getKey)
              .containsExactly("private.asc");
        });
    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getName().equals("encryption"))
        .singleElement()
        .satisfies(v -> assertThat(v.getConfigMap().getName()).isEqualTo("team-backup-recipients"));
    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getName().equals("uploads"))
        .singleElement()
        .satisfies(v -> assertThat(v.getPersistentVolumeClaim().getReadOnly()).isTrue());
    assertThat(pod.getVolumes())
        .noneMatch(
            v -> v.getSecret() != null && v.getSecret().getSecretName().equals("team-backup-key"));
  }

  @Test
  void offSiteWithAPassphraseAndNoVolume() {
    CronJob cj = cronJob("""
        host: a.example.org
        backup:
          schedule: "@daily"
          volume: {enabled: false}
          s3: {endpoint: https://s3.example.org, bucket: bk, prefix: prod/loomio/team, credentialsSecretRef: {name: s3},
               forcePathStyle: true, serverSideEncryption: "aws:kms", kmsKeyId: alias/backups}
          encryption: {mode: Passphrase, passphraseSecretRef: {name: pass, key: p}}
          retention: {keepLast: 3, daily: 0, weekly: 0, monthly: 12}
        """);
    PodSpec pod = cj.getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
    Container agent = container(pod, BackupPodTemplate.AGENT_CONTAINER);
    assertThat(agent.getArgs())
        .contains(
            "--to-s3",
            "--s3-endpoint",
            "https://s3.example.org",
            "--s3-bucket",
            "bk",
            "--s3-prefix",
            "prod/loomio/team",
            "--s3-path-style",
            "--s3-sse",
            "aws:kms",
            "--s3-kms-key-id",
            "alias/backups",
            "--passphrase-file",
            "/keys/passphrase",
            "--keep-last",
            "3",
            "--keep-monthly",
            "12")
        .doesNotContain("--to-directory", "--recipients");
    assertThat(agent.getEnv())
        .extracting(e -> e.getName())
        .contains("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");
    assertThat(pod.getVolumes()).extracting(Volume::getName).doesNotContain("backups");
  }

  @Test
  void theScheduleBoundsTheStartingDeadline() {
    assertThat(cronJob("host: a.example.org\nbackup: {schedule: \"*/30 * * * *\"}")
            .getSpec()
            .getStartingDeadlineSeconds())
        .isEqualTo(900L);
    assertThat(BackupSchedule.parse("0 3 * * 1,5").longestInterval()).isEqualTo(Duration.ofDays(4));
    assertThat(BackupSchedule.parse("@hourly").shortestInterval()).isEqualTo(Duration.ofHours(1));
  }

  /**
   * The shortest interval of sparse schedules, whose shortest gap may come years after the reference (28 to 29
   * February: 2028); the defaults the operator computes at start are the ones stacks render with.
   */
  @Test
  void sparseSchedulesIntervalsAndTheDefaultsArePrecomputed() {
    assertThat(BackupSchedule.parse("43 4 * * 0").shortestInterval()).isEqualTo(Duration.ofDays(7));
    assertThat(BackupSchedule.parse("0 3 1,2 12 *").shortestInterval())
        .isEqualTo(Duration.ofDays(1));
    assertThat(BackupSchedule.parse("@yearly").shortestInterval()).isEqualTo(Duration.ofDays(365));
    assertThat(BackupSchedule.parse("0 0 28,29 2 *").shortestInterval())
        .isEqualTo(Duration.ofDays(1));
    BackupSchedule.precomputeDefaults();
    assertThat(BackupSchedule.parse(new org.loomio.operator.api.v1alpha1.BackupSpec().getSchedule())
            .shortestInterval())
        .isEqualTo(Duration.ofDays(1));
    assertThat(
            BackupSchedule.parse(org.loomio.operator.api.v1alpha1.BackupDrillSpec.DEFAULT_SCHEDULE)
                .longestInterval())
        .isEqualTo(Duration.ofDays(7));
  }

  /** The first run after a moment, in that moment's time zone (the never-backed-up metric's first due time). */
  @Test
  void theNextRunIsInTheSchedulesTimeZone() {
    java.time.Instant created = java.time.Instant.parse("2026-11-01T10:00:00Z");
    assertThat(BackupSchedule.parse("0 3 * * *")
            .next(created.atZone(java.time.ZoneId.of("Etc/UTC")))
            .map(java.time.ZonedDateTime::toInstant))
        .contains(java.time.Instant.parse("2026-11-02T03:00:00Z"));
    assertThat(BackupSchedule.parse("0 3 * * *")
            .next(created.atZone(java.time.ZoneId.of("Europe/Berlin")))
            .map(java.time.ZonedDateTime::toInstant))
        .contains(java.time.Instant.parse("2026-11-02T02:00:00Z"));
    assertThat(BackupSchedule.parse("@hourly")
            .next(created.atZone(java.time.ZoneId.of("Etc/UTC")))
            .map(java.time.ZonedDateTime::toInstant))
        .contains(java.time.Instant.parse("2026-11-01T11:00:00Z"));
  }

  @Test
  void anInClusterS3ServersCaIsMountedForTheAgentOfBackupAndRestore() {
    String spec = """
        host: a.example.org
        backup:
          s3: {endpoint: "https://minio.storage.svc:9000", bucket: bk, credentialsSecretRef: {name: s3},
               forcePathStyle: true, caSecretRef: {name: minio-ca, key: ca.pem}}
        """;
    assertThat(SpecValidator.validate(Fixtures.resource("team", spec))).isEmpty();
    RenderContext c = ctx(Fixtures.resource("team", spec), ClusterCapabilities.newest());
    for (PodSpec pod : List.of(
        cronJob(spec).getSpec().getJobTemplate().getSpec().getTemplate().getSpec(),
        RestoreJob.render(
                c,
                "4567ef01",
                "latest",
                LoomioRestoreSpec.Source.s3,
                true,
                new org.loomio.operator.api.v1alpha1.SecretKeyRef("team-backup-key", "private.asc"),
                false,
                new org.loomio.operator.api.v1alpha1.SecretKeyRef(
                    "team-backup-signing-key", "public.asc"),
                false)
            .getSpec()
            .getTemplate()
            .getSpec())) {
      Container agent = container(pod, BackupPodTemplate.AGENT_CONTAINER);
      assertThat(String.join(" ", agent.getArgs()))
          .contains("--s3-endpoint https://minio.storage.svc:9000")
          .contains("--s3-ca-file /backup-s3-ca/ca.crt");
      assertThat(agent.getVolumeMounts()).anySatisfy(m -> {
        assertThat(m.getName()).isEqualTo("backup-s3-ca");
        assertThat(m.getMountPath()).isEqualTo("/backup-s3-ca");
        assertThat(m.getReadOnly()).isTrue();
      });
      assertThat(pod.getVolumes())
          .filteredOn(v -> v.getName().equals("backup-s3-ca"))
          .singleElement()
          .satisfies(v -> {
            assertThat(v.getSecret().getSecretName()).isEqualTo("minio-ca");
            assertThat(v.getSecret().getItems()).singleElement().satisfies(i -> {
              assertThat(i.getKey()).isEqualTo("ca.pem");
              assertThat(i.getPath()).isEqualTo("ca.crt");
            });
          });
    }
    // the CA Secret is a reference like any other: it needs the stack's consent
    assertThat(org.loomio.operator.reconcile.ReferencedSecrets.refs(
            ResolvedSpec.of(Fixtures.resource("team", spec), ImageDefaults.BUILT_IN)))
        .anySatisfy(r ->
            assertThat(r.toString()).contains("spec.backup.s3.caSecretRef").contains("minio-ca"));
  }

  @Test
  void aBackupEndpointMustBeHttps() {
    assertThat(SpecValidator.validate(Fixtures.resource("team", """
        host: a.example.org
        backup: {s3: {endpoint: "http://minio.storage.svc:9000", bucket: bk, credentialsSecretRef: {name: s3}}}
        """)))
        .singleElement()
        .satisfies(v -> assertThat(v.toString())
            .isEqualTo("spec.backup.s3.endpoint: "
                + org.loomio.operator.api.v1alpha1.BackupS3Spec.HTTPS_REQUIRED
                + "; got 'http://minio.storage.svc:9000'"));
  }

  @Test
  void aScheduleThatNeverFiresIsRefusedLikeAnyInvalidScheduleAndARareOneIsNot() {
    for (String never : List.of("0 0 31 2 *", "0 0 30 2 *", "0 0 31 4 *", "0 0 31 6,9,11 *")) {
      assertThat(SpecValidator.validate(Fixtures.resource(
              "team", "host: a.example.org\nbackup: {schedule: \"" + never + "\"}")))
          .as(never)
          .singleElement()
          .satisfies(v -> assertThat(v.toString())
              .startsWith("spec.backup.schedule: '" + never + "' is a schedule that never fires"));
    }
    // 29 February exists every four years (2028 after the reference date 2026), once a day in
    // February does
    assertThat(BackupSchedule.parse("0 0 29 2 *").longestInterval())
        .isGreaterThan(Duration.ofDays(300));
    assertThat(SpecValidator.validate(
            Fixtures.resource("team", "host: a.example.org\nbackup: {schedule: \"0 0 29 2 *\"}")))
        .isEmpty();
  }

  @Test
  void theAgentIsAlwaysTheOperatorsOwnImageWhateverSpecBackupImageSays() {
    // validation refuses spec.backup.image; render ignores it too, so no path runs another agent
    // with the key
    CronJob cj = cronJob(
        "host: a.example.org\nbackup: {image: {repository: quay.io/someone/agent, tag: \"1\","
            + " digest: sha256:" + "d".repeat(64) + "}}");
    Container agent = container(
        cj.getSpec().getJobTemplate().getSpec().getTemplate().getSpec(),
        BackupPodTemplate.AGENT_CONTAINER);
    assertThat(agent.getImage())
        .isEqualTo("ghcr.io/loomio-operator/loomio-operator:" + Defaults.OPERATOR_VERSION);
    assertThat(agent.getImagePullPolicy()).isEqualTo("IfNotPresent");
  }

  @Test
  void aBadScheduleIsRefusedWithTheField() {
    assertThat(SpecValidator.validate(
            Fixtures.resource("team", "host: a.example.org\nbackup: {schedule: \"61 * * * *\"}")))
        .anySatisfy(v -> assertThat(v.toString()).startsWith("spec.backup.schedule"));
    assertThat(SpecValidator.validate(
            Fixtures.resource("team", "host: a.example.org\nbackup: {volume: {enabled: false}}")))
        .anySatisfy(v -> assertThat(v.toString()).contains("backups need a destination"));
  }

  @Test
  void switchedOffThereIsNoScheduleAndAClusterWithoutCronJobsIsTold() {
    assertThat(StackRenderer.render(ctx(
                Fixtures.resource("team", "host: a.example.org\nbackup: {enabled: false}"),
                ClusterCapabilities.newest()))
            .all(CronJob.class))
        .isEmpty();
    // a server that serves neither batch/v1 nor batch/v1beta1 CronJob (batch/v1beta1 went in 1.25)
    Stack none = StackRenderer.render(ctx(
        Fixtures.minimal("team"),
        new ClusterCapabilities(1, 25, java.util.Set.of(ClusterCapabilities.INGRESS_V1))));
    assertThat(none.all(CronJob.class)).isEmpty();
    assertThat(none.all(io.fabric8.kubernetes.api.model.batch.v1beta1.CronJob.class))
        .isEmpty();
    assertThat(none.omissions()).anySatisfy(o -> assertThat(o.api()).isEqualTo("batch/v1 CronJob"));
  }

  @Test
  void kubernetes120GetsTheSameScheduleAsABatchV1beta1CronJob() {
    String spec = "host: a.example.org\nbackup: {schedule: \"0 */6 * * *\"}";
    Stack old = StackRenderer.render(
        ctx(Fixtures.resource("team", spec), ClusterCapabilities.forVersion("1.20")));
    assertThat(old.all(CronJob.class)).as("no batch/v1 CronJob on 1.20").isEmpty();
    assertThat(old.omissions()).noneSatisfy(o -> assertThat(o.api()).contains("CronJob"));
    var beta = old.all(io.fabric8.kubernetes.api.model.batch.v1beta1.CronJob.class);
    assertThat(beta)
        .extracting(cj -> cj.getMetadata().getName())
        .containsExactly("team-backup", "team-drill");
    assertThat(beta.get(0)).satisfies(cj -> {
      assertThat(cj.getApiVersion()).isEqualTo("batch/v1beta1");
      assertThat(cj.getKind()).isEqualTo("CronJob");
      assertThat(cj.getMetadata().getName()).isEqualTo("team-backup");
      assertThat(cj.getSpec().getSchedule()).isEqualTo("0 */6 * * *");
      assertThat(cj.getSpec().getConcurrencyPolicy()).isEqualTo("Forbid");
      assertThat(cj.getSpec().getSuspend()).isFalse();
    });
    assertThat(Fixtures.additionalProperties(beta.get(0)))
        .as("fields batch/v1beta1 does not have")
        .isEmpty();

    // the very object 1.21 gets as batch/v1 (1.21 to 1.26 have no timeZone either), but for its
    // version
    Stack v121 = StackRenderer.render(
        ctx(Fixtures.resource("team", spec), ClusterCapabilities.forVersion("1.21")));
    var asJson = new io.fabric8.kubernetes.client.utils.KubernetesSerialization();
    var v1 = (com.fasterxml.jackson.databind.node.ObjectNode) asJson.convertValue(
        v121.all(CronJob.class).get(0), com.fasterxml.jackson.databind.JsonNode.class);
    var v1beta1 = (com.fasterxml.jackson.databind.node.ObjectNode)
        asJson.convertValue(beta.get(0), com.fasterxml.jackson.databind.JsonNode.class);
    v1.remove("apiVersion");
    v1beta1.remove("apiVersion");
    assertThat(v1beta1).isEqualTo(v1);
    assertThat(HardeningChecklist.check(old, ClusterCapabilities.forVersion("1.20"), false))
        .isEmpty();
  }

  @Test
  void aTimeZoneAClusterBefore127CannotHoldIsReported() {
    String berlin = "host: a.example.org\nbackup: {timeZone: Europe/Berlin}";
    for (String version : List.of("1.20", "1.26")) {
      Stack old = StackRenderer.render(
          ctx(Fixtures.resource("team", berlin), ClusterCapabilities.forVersion(version)));
      assertThat(old.omissions())
          .as(version)
          .contains(
              new Omission(
                  "CronJob spec.timeZone (Kubernetes 1.27)",
                  "scheduled backups run in the kube-controller-manager's time zone, not Europe/Berlin"));
    }
    assertThat(StackRenderer.render(
                ctx(Fixtures.minimal("team"), ClusterCapabilities.forVersion("1.26")))
            .omissions())
        .as("UTC, the default, is what the controller manager runs in")
        .noneSatisfy(o -> assertThat(o.api()).contains("timeZone"));
    Stack current = StackRenderer.render(
        ctx(Fixtures.resource("team", berlin), ClusterCapabilities.forVersion("1.27")));
    assertThat(current.omissions()).isEmpty();
    assertThat(current.all(CronJob.class).get(0).getSpec().getTimeZone())
        .isEqualTo("Europe/Berlin");
  }

  @Test
  void theGeneratedPublicKeyIsPublishedOnlyInGeneratedKeyMode() {
    Stack stack = StackRenderer.render(ctx(Fixtures.minimal("team"), ClusterCapabilities.newest()));
    assertThat(stack.get(io.fabric8.kubernetes.api.model.ConfigMap.class, "team-backup-recipients"))
        .isPresent();
    Stack own = StackRenderer.render(ctx(
        Fixtures.resource(
            "team",
            "host: a.example.org\nbackup: {encryption: {recipientsSecretRef: {name: keys, key: k}}}"),
        ClusterCapabilities.newest()));
    assertThat(own.get(io.fabric8.kubernetes.api.model.ConfigMap.class, "team-backup-recipients"))
        .isEmpty();
  }

  @Test
  void onDemandAndRestoreJobsHoldEveryPodRule() {
    LoomioDeployment r = Fixtures.minimal("team");
    RenderContext c = ctx(r, ClusterCapabilities.newest());
    Job backup = BackupJob.render(c, "0123abcd");
    Job restore = RestoreJob.render(
        c,
        "4567ef01",
        "latest",
        LoomioRestoreSpec.Source.volume,
        true,
        new SecretKeyRef("team-backup-key", "private.asc"),
        true,
        new SecretKeyRef("team-backup-signing-key", "public.asc"),
        false);
    Job unsigned = RestoreJob.render(
        c,
        "4567ef02",
        "team-20250105T020000Z",
        LoomioRestoreSpec.Source.volume,
        true,
        new SecretKeyRef("team-backup-key", "private.asc"),
        false,
        new SecretKeyRef("old-signing", "key.asc"),
        true);
    Stack stack = StackRenderer.render(c);
    List<HasMetadata> objects =
        new ArrayList<>(stack.all(io.fabric8.kubernetes.api.model.ServiceAccount.class));
    objects.addAll(stack.all(NetworkPolicy.class));
    objects.add(backup);
    objects.add(restore);
    objects.add(unsigned);
    assertThat(HardeningChecklist.check(
            new Stack(objects, List.of(), "-", "-", "-"), ClusterCapabilities.newest(), false))
        .isEmpty();
    assertThat(backup.getMetadata().getName()).isEqualTo("team-backup-0123abcd");
    assertThat(backup.getSpec().getBackoffLimit()).isEqualTo(1);

    PodSpec pod = restore.getSpec().getTemplate().getSpec();
    Container agent = container(pod, BackupPodTemplate.AGENT_CONTAINER);
    assertThat(agent.getArgs())
        .startsWith("restore")
        .contains(
            "--backup",
            "latest",
            "--from-directory",
            "/backups",
            "--private-key",
            "/keys/private.asc",
            "--uploads",
            "/loomio/storage",
            "--secrets-to-summary",
            "--verification-key",
            "/signing/verification.asc")
        .doesNotContain("--allow-unsigned", "--signing-key");
    // the restore pod verifies with the signing key's PUBLIC half only
    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getName().equals("verification"))
        .singleElement()
        .satisfies(v -> {
          assertThat(v.getSecret().getSecretName()).isEqualTo("team-backup-signing-key");
          assertThat(v.getSecret().getItems())
              .extracting(io.fabric8.kubernetes.api.model.KeyToPath::getKey)
              .containsExactly("public.asc");
        });
    PodSpec unsignedPod = unsigned.getSpec().getTemplate().getSpec();
    assertThat(container(unsignedPod, BackupPodTemplate.AGENT_CONTAINER).getArgs())
        .contains("--backup", "team-20250105T020000Z", "--allow-unsigned");
    assertThat(unsignedPod.getVolumes())
        .filteredOn(v -> v.getName().equals("verification"))
        .singleElement()
        .satisfies(v -> assertThat(v.getSecret().getSecretName()).isEqualTo("old-signing"));
    assertThat(pod.getInitContainers())
        .extracting(Container::getName)
        .containsExactly(BackupPodTemplate.AGENT_CONTAINER);
    assertThat(String.join(" ", container(pod, "pg-restore").getCommand()))
        .contains("pg_restore --clean --if-exists --no-owner \"$@\" --exit-on-error");
    // the embedded database is restored as its owner, not a superuser: no GRANTs, the dump's
    // extensions left out
    assertThat(container(pod, "pg-restore").getEnv())
        .filteredOn(e -> "RESTORE_AS_OWNER".equals(e.getName()))
        .singleElement()
        .satisfies(e -> assertThat(e.getValue()).isEqualTo("true"));
    assertThat(container(pod, "pg-restore").getEnv())
        .filteredOn(e -> "PGUSER".equals(e.getName()))
        .singleElement()
        .satisfies(e -> assertThat(e.getValue()).isEqualTo("loomio_app"));
    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getName().equals("uploads"))
        .singleElement()
        .satisfies(v -> assertThat(v.getPersistentVolumeClaim().getReadOnly())
            .as("writable: no readOnly, which the API server would drop as false")
            .isNull());
    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getName().equals("decryption"))
        .singleElement()
        .satisfies(v -> assertThat(v.getSecret().getSecretName()).isEqualTo("team-backup-key"));
    assertThat(restore.getSpec().getBackoffLimit()).isZero();
  }

  @Test
  void theBackupAndRestorePodsReachOnlyTheDatabaseAndTheBucket() {
    Stack stack =
        StackRenderer.render(ctx(Fixtures.resource("team", """
        host: a.example.org
        backup: {s3: {endpoint: "https://minio.storage:9000", bucket: bk, credentialsSecretRef: {name: s3}}}
        networkPolicy: {egress: {backupS3: [{cidr: 10.20.0.0/16}]}}
        """), ClusterCapabilities.newest()));
    NetworkPolicy backup = stack.get(NetworkPolicy.class, "team-backup").orElseThrow();
    assertThat(backup.getSpec().getIngress()).isEmpty();
    assertThat(backup.getSpec().getEgress()).hasSize(3); // DNS, PostgreSQL, the bucket
    assertThat(backup.getSpec().getEgress().get(2).getPorts().get(0).getPort().getIntVal())
        .isEqualTo(9000);
    assertThat(backup.getSpec().getEgress().get(2).getTo().get(0).getIpBlock().getCidr())
        .isEqualTo("10.20.0.0/16");
    NetworkPolicy postgres = stack.get(NetworkPolicy.class, "team-postgres").orElseThrow();
    assertThat(postgres.getSpec().getIngress().get(0).getFrom())
        .extracting(p -> p.getPodSelector().getMatchLabels().get(Labels.COMPONENT))
        .contains("backup", "restore");
  }

  @Test
  void aRestoreHoldsTheAppAtZeroButNotTheData() {
    RenderContext c = ctx(
            Fixtures.resource("team", "host: a.example.org\nweb: {replicas: 2}"),
            ClusterCapabilities.newest())
        .withRestoreHold("restore-1");
    Stack stack = StackRenderer.render(c);
    assertThat(stack.all(Deployment.class))
        .allSatisfy(d -> assertThat(d.getSpec().getReplicas())
            .as(d.getMetadata().getName())
            .isEqualTo(d.getMetadata().getName().equals("team-redis") ? 1 : 0));
    assertThat(stack
            .all(io.fabric8.kubernetes.api.model.apps.StatefulSet.class)
            .get(0)
            .getSpec()
            .getReplicas())
        .isEqualTo(1);
  }
}
