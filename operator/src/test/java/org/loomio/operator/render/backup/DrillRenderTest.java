package org.loomio.operator.render.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.backup.DatabaseFactsQuery;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.model.Labels;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.model.SecretDigests;
import org.loomio.operator.render.Stack;
import org.loomio.operator.render.StackRenderer;
import org.loomio.operator.render.base.RenderContext;
import org.loomio.operator.render.workload.PostgresStatefulSet;
import org.loomio.operator.testing.Fixtures;
import org.loomio.operator.testing.HardeningChecklist;

/** The restore drill CronJob (spec.backup.drill), its pod, ServiceAccount and NetworkPolicy. */
class DrillRenderTest {

  private static final String S3 = """
      host: a.example.org
      backup:
        volume: {enabled: false}
        s3: {endpoint: https://s3.example.org, bucket: bk, credentialsSecretRef: {name: s3}}
      """;

  private static Stack render(String spec) {
    LoomioDeployment r = Fixtures.resource("team", spec);
    return StackRenderer.render(new RenderContext(
            ResolvedSpec.of(r, ImageDefaults.BUILT_IN),
            ClusterCapabilities.newest(),
            Fixtures.credentials(r),
            SecretDigests.none())
        .withBackupPublicKey("-----BEGIN PGP PUBLIC KEY BLOCK-----\n..."));
  }

  private static Optional<CronJob> drill(Stack stack) {
    return stack.all(CronJob.class).stream()
        .filter(c -> c.getMetadata().getName().equals("team-drill"))
        .findFirst();
  }

  private static Container container(PodSpec pod, String name) {
    List<Container> all = new ArrayList<>(pod.getInitContainers());
    all.addAll(pod.getContainers());
    return all.stream().filter(c -> c.getName().equals(name)).findFirst().orElseThrow();
  }

  private static Volume volume(PodSpec pod, String name) {
    return pod.getVolumes().stream()
        .filter(v -> v.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void byDefaultAWeeklyDrillOfTheNewestSignedBackupOnTheVolume() {
    Stack stack = render("host: a.example.org");
    CronJob cj = drill(stack).orElseThrow();
    assertThat(cj.getSpec().getSchedule()).isEqualTo("43 4 * * 0");
    assertThat(cj.getSpec().getTimeZone()).isEqualTo("Etc/UTC");
    assertThat(cj.getSpec().getConcurrencyPolicy()).isEqualTo("Forbid");
    assertThat(cj.getSpec().getStartingDeadlineSeconds()).isEqualTo(3600L);
    assertThat(cj.getSpec().getSuccessfulJobsHistoryLimit()).isEqualTo(3);
    assertThat(cj.getSpec().getJobTemplate().getSpec().getBackoffLimit())
        .as("a failed drill is a finding")
        .isZero();
    PodSpec pod = cj.getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
    assertThat(pod.getServiceAccountName()).isEqualTo("team-drill");
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(
            cj.getSpec().getJobTemplate().getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry(Labels.COMPONENT, "drill")
        .containsEntry(Labels.RUN_ONCE, "true");

    assertThat(pod.getInitContainers())
        .extracting(Container::getName)
        .containsExactly("prepare", "restore");
    assertThat(pod.getContainers()).extracting(Container::getName).containsExactly("agent");
    Container prepare = container(pod, "prepare");
    assertThat(prepare.getImage()).isEqualTo(container(pod, "agent").getImage());
    assertThat(prepare.getArgs())
        .containsSubsequence("drill", "prepare", "--stack", "team")
        .containsSubsequence("--private-key", "/keys/private.asc")
        .containsSubsequence("--verification-key", "/signing/verification.asc")
        .containsSubsequence("--from-directory", "/backups")
        .doesNotContain("--from-s3");
    assertThat(volume(pod, "decryption").getSecret().getSecretName()).isEqualTo("team-backup-key");
    assertThat(volume(pod, "verification").getSecret().getSecretName())
        .isEqualTo("team-backup-signing-key");
    assertThat(volume(pod, "verification").getSecret().getItems().get(0).getKey())
        .isEqualTo("public.asc");
    assertThat(volume(pod, "backups").getPersistentVolumeClaim().getReadOnly())
        .as("never writes backups")
        .isTrue();
    assertThat(prepare.getVolumeMounts())
        .filteredOn(m -> m.getName().equals("backups"))
        .singleElement()
        .satisfies(m -> assertThat(m.getReadOnly()).isTrue());

    Container restore = container(pod, "restore");
    assertThat(restore.getImage()).as("the stack's configured PostgreSQL").isEqualTo("postgres:17");
    assertThat(restore.getCommand()).startsWith("/bin/bash", "-c");
    assertThat(restore.getCommand().get(2))
        .contains("listen_addresses=")
        .contains("pg_restore --no-owner")
        .contains("PGUSER=drill pg_restore")
        .contains("NOSUPERUSER");
    assertThat(restore.getEnv()).extracting(e -> e.getName()).containsExactly("DATABASE_FACTS_SQL");
    assertThat(restore.getEnv().get(0).getValue()).isEqualTo(DatabaseFactsQuery.SQL);
    assertThat(container(pod, "agent").getArgs())
        .containsExactly("drill", "report", "--work", "/scratch/drill");

    // nothing of the live stack: no database, credentials or uploads
    for (Container c : List.of(prepare, restore, container(pod, "agent"))) {
      assertThat(c.getEnv()).noneSatisfy(e -> assertThat(e.getName()).startsWith("PG"));
    }
    assertThat(pod.getVolumes())
        .noneSatisfy(v -> assertThat(v.getName()).isIn("credentials", "uploads"));
    // scratch, the throwaway server's data (sized like the backup's scratch) and its socket
    assertThat(volume(pod, "drill-db").getEmptyDir().getSizeLimit().toString()).isEqualTo("10Gi");
    assertThat(volume(pod, "scratch").getEmptyDir().getSizeLimit().toString()).isEqualTo("10Gi");
    assertThat(volume(pod, "drill-run").getEmptyDir()).isNotNull();
    assertThat(HardeningChecklist.check(stack, ClusterCapabilities.newest(), false))
        .isEmpty();
  }

  @Test
  void fromTheBucketWhenThereIsOneWithItsCredentialsOnly() {
    Stack stack = render(S3);
    PodSpec pod = drill(stack)
        .orElseThrow()
        .getSpec()
        .getJobTemplate()
        .getSpec()
        .getTemplate()
        .getSpec();
    Container prepare = container(pod, "prepare");
    assertThat(prepare.getArgs())
        .containsSubsequence(
            "--from-s3", "--s3-endpoint", "https://s3.example.org", "--s3-bucket", "bk")
        .doesNotContain("--from-directory");
    assertThat(prepare.getEnv())
        .filteredOn(e -> e.getValueFrom() != null)
        .extracting(e -> e.getName())
        .containsExactlyInAnyOrder("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY");
    assertThat(pod.getVolumes()).noneSatisfy(v -> assertThat(v.getName()).isEqualTo("backups"));
    assertThat(HardeningChecklist.check(stack, ClusterCapabilities.newest(), false))
        .isEmpty();
  }

  @Test
  void passphraseModeDrillsWithThePassphrase() {
    Stack stack = render("""
        host: a.example.org
        backup: {encryption: {mode: Passphrase, passphraseSecretRef: {name: pp, key: passphrase}}}
        """);
    PodSpec pod = drill(stack)
        .orElseThrow()
        .getSpec()
        .getJobTemplate()
        .getSpec()
        .getTemplate()
        .getSpec();
    assertThat(container(pod, "prepare").getArgs())
        .containsSubsequence("--passphrase-file", "/keys/passphrase")
        .doesNotContain("--private-key");
    assertThat(volume(pod, "decryption").getSecret().getSecretName()).isEqualTo("pp");
  }

  @Test
  void aScheduleOfItsOwnInTheBackupsTimeZone() {
    CronJob cj = drill(render("""
        host: a.example.org
        backup: {timeZone: Europe/Berlin, drill: {schedule: "@daily"}}
        """)).orElseThrow();
    assertThat(cj.getSpec().getSchedule()).isEqualTo("@daily");
    assertThat(cj.getSpec().getTimeZone()).isEqualTo("Europe/Berlin");
  }

  @Test
  void noDrillWhenSwitchedOffWhenBackupsAreOffOrWithoutADecryptionKeyInTheCluster() {
    for (String spec : List.of(
        "host: a.example.org\nbackup: {drill: {enabled: false}}",
        "host: a.example.org\nbackup: {enabled: false}",
        "host: a.example.org\nbackup: {encryption: {recipientsConfigMapRef: {name: keys, key: recipients.asc}}}")) {
      Stack stack = render(spec);
      assertThat(drill(stack)).as(spec).isEmpty();
      assertThat(stack.all(io.fabric8.kubernetes.api.model.ServiceAccount.class))
          .noneSatisfy(a -> assertThat(a.getMetadata().getName()).isEqualTo("team-drill"));
      assertThat(stack.all(NetworkPolicy.class))
          .noneSatisfy(p -> assertThat(p.getMetadata().getName()).isEqualTo("team-drill"));
    }
  }

  @Test
  void itsNetworkPolicyAdmitsNothingAndReachesDnsAndTheBucketOnly() {
    Stack stack = render(S3);
    NetworkPolicy drill = stack.all(NetworkPolicy.class).stream()
        .filter(p -> p.getMetadata().getName().equals("team-drill"))
        .findFirst()
        .orElseThrow();
    NetworkPolicy backup = stack.all(NetworkPolicy.class).stream()
        .filter(p -> p.getMetadata().getName().equals("team-backup"))
        .findFirst()
        .orElseThrow();
    assertThat(drill.getSpec().getPodSelector().getMatchLabels())
        .containsEntry(Labels.COMPONENT, "drill")
        .containsEntry(Labels.INSTANCE, "team");
    assertThat(drill.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
    assertThat(drill.getSpec().getIngress()).isEmpty();
    // the backup's egress is DNS, the database and the bucket: the drill's is the same without the
    // database
    var expected = new ArrayList<>(backup.getSpec().getEgress());
    expected.removeIf(rule -> rule.getPorts() != null
        && rule.getPorts().stream()
            .anyMatch(p -> p.getPort() != null
                && Integer.valueOf(PostgresStatefulSet.PORT).equals(p.getPort().getIntVal())));
    assertThat(drill.getSpec().getEgress()).isEqualTo(expected).hasSizeGreaterThanOrEqualTo(2);
    assertThat(drill.getSpec().getEgress())
        .noneSatisfy(rule -> assertThat(rule.getPorts())
            .anySatisfy(p -> assertThat(p.getPort().getIntVal()).isIn(5432, 6379)));
  }
}
