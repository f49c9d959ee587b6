package org.loomio.operator.render.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.api.v1alpha1.LoomioRestoreSpec;
import org.loomio.operator.api.v1alpha1.SecretKeyRef;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.Credentials;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.model.Labels;
import org.loomio.operator.model.LoomioImage;
import org.loomio.operator.model.Names;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.model.SecretDigests;
import org.loomio.operator.render.Stack;
import org.loomio.operator.render.StackRenderer;
import org.loomio.operator.render.backup.BackupJob;
import org.loomio.operator.render.backup.RestoreJob;
import org.loomio.operator.render.base.RenderContext;
import org.loomio.operator.render.base.Rotation;
import org.loomio.operator.render.base.UpgradeGate;
import org.loomio.operator.testing.Fixtures;

/**
 * The role setup Job as rendered, and two invariants over every example's pods: whatever signs in to the embedded
 * database as the app (web, worker, hocuspocus, the migration, the upgrade gate, backups, restores) does so as
 * {@code loomio_app}, and the superuser's password Secret reaches no pod but PostgreSQL's own, the role setup's and
 * the rotation's.
 */
class RoleSetupJobTest {

  private static final String SUPERUSER_SECRET = "team-postgres-superuser";

  private static RenderContext ctx(LoomioDeployment r, SecretDigests digests) {
    return new RenderContext(
        ResolvedSpec.of(r, ImageDefaults.BUILT_IN),
        ClusterCapabilities.newest(),
        Fixtures.credentials(r),
        digests);
  }

  private static Stack render(LoomioDeployment r, UnaryOperator<RenderContext> more) {
    return StackRenderer.render(more.apply(ctx(r, SecretDigests.none())));
  }

  @Test
  void theJobSignsInAsTheSuperuserWithItsOwnSecretAndRunsBeforeTheMigration() {
    LoomioDeployment r = Fixtures.minimal("team");
    Stack stack = render(r, c -> c);
    List<Job> jobs = stack.all(Job.class);
    assertThat(jobs)
        .extracting(j -> j.getMetadata().getName())
        .as("the role setup first, then the migration")
        .containsExactly(RoleSetupJob.name(ctx(r, SecretDigests.none())), stack.migrationJob());
    Job job = jobs.get(0);
    assertThat(job.getMetadata().getName()).matches("team-db-roles-[0-9a-f]{8}");
    assertThat(job.getMetadata().getLabels()).containsEntry(Labels.COMPONENT, "db-roles");
    var pod = job.getSpec().getTemplate().getSpec();
    assertThat(pod.getServiceAccountName()).isEqualTo("team-db-roles");
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(pod.getRestartPolicy()).isEqualTo("Never");
    Container c = pod.getContainers().get(0);
    assertThat(c.getImage()).startsWith("postgres:");
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(c.getEnv())
        .filteredOn(e -> e.getValueFrom() != null)
        .extracting(e -> e.getName() + "=" + e.getValueFrom().getSecretKeyRef().getName() + "/"
            + e.getValueFrom().getSecretKeyRef().getKey())
        .containsExactly(
            "SUPERUSER_PASSWORD=" + SUPERUSER_SECRET + "/" + RoleSetupJob.SUPERUSER_PASSWORD,
            "SUPERUSER_VERIFIER=" + SUPERUSER_SECRET + "/" + RoleSetupJob.SUPERUSER_VERIFIER,
            "APP_PASSWORD=team-secrets/POSTGRES_PASSWORD");
    assertThat(c.getEnv())
        .filteredOn(e -> e.getValue() != null)
        .extracting(EnvVar::getName)
        .containsExactly("PGHOST", "PGPORT", "PGCONNECT_TIMEOUT");
    String script = c.getCommand().get(2);
    // the kubelet hands it over as written: nothing it would expand or unescape
    assertThat(script).doesNotContain("$(").doesNotContain("$$");
    assertThat(script)
        .contains("CREATE EXTENSION IF NOT EXISTS pg_stat_statements WITH SCHEMA public;")
        .contains("ALTER DATABASE loomio_production OWNER TO loomio_app;")
        .contains("NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS")
        .contains("SET search_path = pg_catalog, pg_temp;");
    assertThat(stack
            .get(io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class, "team-db-roles")
            .orElseThrow()
            .getSpec()
            .getEgress())
        .as("DNS and the database only")
        .hasSize(2);
  }

  @Test
  void itsNameFitsTheLimitsAndIsTheSameOfflineAndLive() {
    LoomioDeployment longest = Fixtures.minimal("a".repeat(LoomioDeployment.MAX_NAME_LENGTH));
    String name = RoleSetupJob.name(ctx(longest, SecretDigests.none()));
    // a Job's name must fit the job-name label (63 characters) its pods get
    assertThat(name.length()).as(name).isLessThanOrEqualTo(63);
    assertThat(name.substring(longest.getMetadata().getName().length() + 1).length())
        .isLessThanOrEqualTo(Names.MAX_SUFFIX_LENGTH);
    assertThat(Names.postgresSuperuser("team").substring("team-".length()).length())
        .isLessThanOrEqualTo(Names.MAX_SUFFIX_LENGTH);

    // the spec alone names it: the offline render (no passwords) names the Job the operator creates
    // (with them)
    LoomioDeployment r = Fixtures.minimal("team");
    byte[] key = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    String offline = RoleSetupJob.name(new RenderContext(
        ResolvedSpec.of(r, ImageDefaults.BUILT_IN),
        ClusterCapabilities.newest(),
        Credentials.placeholders(ResolvedSpec.of(r, ImageDefaults.BUILT_IN)),
        SecretDigests.none()));
    assertThat(RoleSetupJob.name(ctx(r, SecretDigests.keyed(key, List.of(superuser("one"))))))
        .isEqualTo(offline);
    assertThat(RoleSetupJob.name(ctx(r, SecretDigests.keyed(key, List.of(superuser("two"))))))
        .isEqualTo(offline);
    assertThat(StackRenderer.renderForDisplay(r, ClusterCapabilities.newest()).all(Job.class))
        .extracting(j -> j.getMetadata().getName())
        .contains(offline);
  }

  @Test
  void noRoleSetupForAnExternalDatabaseNorWhileIsolatedAndAHeldMigrationIsNotRendered() {
    Stack external = Fixtures.render(Fixtures.resource(
        "team",
        "host: a.example.org\ndatabase: {external: {host:"
            + " db.example.org, version: 16, passwordSecretRef: {name: db, key: password}}}"));
    assertThat(external.all(Job.class))
        .extracting(j -> j.getMetadata().getName())
        .containsExactly(external.migrationJob());
    assertThat(names(external)).noneMatch(n -> n.contains("db-roles"));
    assertThat(envOf(external, "team-config")).isEmpty();

    Stack isolated =
        Fixtures.render(Fixtures.resource("team", "host: a.example.org\nisolation: true"));
    assertThat(isolated.all(Job.class)).isEmpty();
    assertThat(isolated.objects())
        .as("only its ServiceAccount stays, like every component's")
        .filteredOn(o -> o.getMetadata().getName().contains("db-roles"))
        .extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
        .containsExactly("ServiceAccount/team-db-roles");

    Stack held = render(Fixtures.minimal("team"), c -> c.withMigrationHeld(true));
    assertThat(held.all(Job.class))
        .extracting(j -> j.getMetadata().getName())
        .singleElement()
        .asString()
        .startsWith("team-db-roles-");
    assertThat(held.migrationJob())
        .as("the status still names the migration it waits for")
        .startsWith("team-migrate-");
  }

  /** Every pod of every example (and the day-2 and backup Jobs): app connections as loomio_app, the superuser's Secret only where it belongs. */
  @Test
  void everyPodOfEveryExampleSignsInAsTheAppRoleAndOnlyTheOperatorsJobsReadTheSuperuserSecret()
      throws Exception {
    List<Stack> stacks = new ArrayList<>();
    Map<String, PodTemplateSpec> pods = new LinkedHashMap<>();
    java.util.Set<String> embedded = new java.util.HashSet<>();
    try (var files = java.nio.file.Files.list(Fixtures.examplesDir())) {
      for (var path : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        LoomioDeployment r = Fixtures.appliedIn(path, "loomio");
        if (ResolvedSpec.of(r, ImageDefaults.BUILT_IN).database().embedded()) {
          embedded.add(path.getFileName() + ":");
        }
        RenderContext c = ctx(r, SecretDigests.none());
        if (ResolvedSpec.of(r, ImageDefaults.BUILT_IN).database().embedded()) {
          // a rotation Job exists only for the embedded database's password
          c.withRotation(new Rotation("t", "u"));
        }
        c.withUpgradeGate(new UpgradeGate(
            "3.3.0",
            new LoomioImage("loomio/loomio:3.2", "3.2"),
            new LoomioImage("loomio/loomio:3.3", "3.3"),
            "2026-11-27T00:00:00Z"));
        Stack stack = StackRenderer.render(c);
        stacks.add(stack);
        collect(stack, path.getFileName() + ":", pods);
        RenderContext plain = ctx(r, SecretDigests.none());
        pods.put(
            path.getFileName() + ":Job/backup",
            BackupJob.render(plain, "0123abcd").getSpec().getTemplate());
        pods.put(
            path.getFileName() + ":Job/restore",
            RestoreJob.render(
                    plain,
                    "0123abcd",
                    "latest",
                    LoomioRestoreSpec.Source.volume,
                    true,
                    new SecretKeyRef(r.getMetadata().getName() + "-backup-key", "private.asc"),
                    false,
                    new SecretKeyRef(
                        r.getMetadata().getName() + "-backup-signing-key", "public.asc"),
                    false)
                .getSpec()
                .getTemplate());
      }
    }
    assertThat(pods).isNotEmpty();
    for (var entry : pods.entrySet()) {
      String where = entry.getKey();
      String component = entry.getValue().getMetadata().getLabels().get(Labels.COMPONENT);
      String instance = entry.getValue().getMetadata().getLabels().get(Labels.INSTANCE);
      List<Container> all = new ArrayList<>(entry.getValue().getSpec().getContainers());
      if (entry.getValue().getSpec().getInitContainers() != null) {
        all.addAll(entry.getValue().getSpec().getInitContainers());
      }
      boolean readsSuperuser = all.stream()
              .flatMap(c -> c.getEnv() == null
                  ? java.util.stream.Stream.<EnvVar>empty()
                  : c.getEnv().stream())
              .anyMatch(e -> e.getValueFrom() != null
                  && e.getValueFrom().getSecretKeyRef() != null
                  && Names.postgresSuperuser(instance)
                      .equals(e.getValueFrom().getSecretKeyRef().getName()))
          || entry.getValue().getSpec().getVolumes().stream()
              .anyMatch(v -> v.getSecret() != null
                  && Names.postgresSuperuser(instance).equals(v.getSecret().getSecretName()));
      assertThat(readsSuperuser)
          .as(where + " (" + component + ") reads the superuser's Secret")
          .isEqualTo(List.of("postgres", "db-roles", "rotate").contains(component));
      if (embedded.contains(where.substring(0, where.indexOf(':') + 1))) {
        for (Container c : all.stream().filter(x -> x.getEnv() != null).toList()) {
          c.getEnv().stream()
              .filter(e -> "PGUSER".equals(e.getName()))
              .forEach(e -> assertThat(e.getValue())
                  .as(where + "/" + c.getName() + " PGUSER")
                  .isEqualTo(ResolvedSpec.EMBEDDED_APP_USER));
        }
      }
    }
    // the app's settings: every embedded stack's DATABASE_URL names loomio_app
    for (Stack s : stacks) {
      s.all(io.fabric8.kubernetes.api.model.ConfigMap.class).stream()
          .filter(m -> m.getMetadata().getName().endsWith("-config")
              && m.getData() != null
              && m.getData().getOrDefault("DATABASE_URL", "").contains("-postgres:5432/"))
          .forEach(m -> assertThat(m.getData().get("DATABASE_URL"))
              .as(m.getMetadata().getName())
              .startsWith("postgresql://" + ResolvedSpec.EMBEDDED_APP_USER + "@"));
    }
    // backups and restores of the embedded database sign in as loomio_app
    LoomioDeployment r = Fixtures.minimal("team");
    RenderContext plain = ctx(r, SecretDigests.none());
    for (PodTemplateSpec t : List.of(
        BackupJob.render(plain, "0123abcd").getSpec().getTemplate(),
        RestoreJob.render(
                plain,
                "0123abcd",
                "latest",
                LoomioRestoreSpec.Source.volume,
                true,
                new SecretKeyRef("team-backup-key", "private.asc"),
                false,
                new SecretKeyRef("team-backup-signing-key", "public.asc"),
                false)
            .getSpec()
            .getTemplate())) {
      List<Container> all = new ArrayList<>(t.getSpec().getContainers());
      all.addAll(t.getSpec().getInitContainers());
      assertThat(all)
          .filteredOn(c ->
              c.getEnv() != null && c.getEnv().stream().anyMatch(e -> "PGUSER".equals(e.getName())))
          .isNotEmpty()
          .allSatisfy(c -> assertThat(c.getEnv())
              .filteredOn(e -> "PGUSER".equals(e.getName()))
              .singleElement()
              .satisfies(e -> assertThat(e.getValue()).isEqualTo(ResolvedSpec.EMBEDDED_APP_USER)));
    }
  }

  private static void collect(Stack stack, String prefix, Map<String, PodTemplateSpec> pods) {
    stack
        .all(Deployment.class)
        .forEach(d -> pods.put(
            prefix + "Deployment/" + d.getMetadata().getName(), d.getSpec().getTemplate()));
    stack
        .all(StatefulSet.class)
        .forEach(d -> pods.put(
            prefix + "StatefulSet/" + d.getMetadata().getName(), d.getSpec().getTemplate()));
    stack
        .all(Job.class)
        .forEach(d ->
            pods.put(prefix + "Job/" + d.getMetadata().getName(), d.getSpec().getTemplate()));
    stack
        .all(CronJob.class)
        .forEach(d -> pods.put(
            prefix + "CronJob/" + d.getMetadata().getName(),
            d.getSpec().getJobTemplate().getSpec().getTemplate()));
  }

  private static List<String> names(Stack stack) {
    return stack.objects().stream().map(o -> o.getMetadata().getName()).toList();
  }

  private static Map<String, String> envOf(Stack stack, String configMap) {
    return stack
        .get(io.fabric8.kubernetes.api.model.ConfigMap.class, configMap)
        .map(m -> m.getData())
        .filter(d -> d.getOrDefault("DATABASE_URL", "").contains(ResolvedSpec.EMBEDDED_APP_USER))
        .orElse(Map.of());
  }

  private static Secret superuser(String password) {
    return secret(SUPERUSER_SECRET, Map.of(RoleSetupJob.SUPERUSER_PASSWORD, password));
  }

  private static Secret secret(String name, Map<String, String> values) {
    Map<String, String> data = new LinkedHashMap<>();
    values.forEach((k, v) ->
        data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withData(data)
        .build();
  }
}
