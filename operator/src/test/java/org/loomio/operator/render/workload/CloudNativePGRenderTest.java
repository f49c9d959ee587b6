package org.loomio.operator.render.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.model.CloudNativePGSettings;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Credentials;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.model.Labels;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.model.SecretDigests;
import org.loomio.operator.render.Stack;
import org.loomio.operator.render.StackRenderer;
import org.loomio.operator.render.base.LoomioSettings;
import org.loomio.operator.render.base.RenderContext;
import org.loomio.operator.testing.Fixtures;
import org.loomio.operator.testing.Pods;
import org.loomio.operator.thirdparty.CloudNativePGCluster;

/**
 * spec.database.cloudNativePG: the Cluster object, no embedded PostgreSQL objects, and the wiring of every pod that
 * talks to the database (web, worker and their init containers, the migration Job, the backup CronJob) to the
 * Cluster's -rw Service with CloudNativePG's credentials and verify-full TLS against its CA.
 */
class CloudNativePGRenderTest {

  private static final String SPEC = """
      host: a.example.org
      database: {cloudNativePG: {}}
      """;

  private static Stack render(String spec) {
    return Fixtures.render(Fixtures.resource("team", spec));
  }

  private static CloudNativePGCluster cluster(Stack stack) {
    return stack.all(CloudNativePGCluster.class).stream().findFirst().orElseThrow();
  }

  @SuppressWarnings("unchecked")
  private static <T> T at(Map<String, Object> map, String... path) {
    Object o = map;
    for (String p : path) {
      o = ((Map<String, Object>) o).get(p);
    }
    return (T) o;
  }

  @Test
  void theClusterIsDeclaredWithLoomiosDatabaseANonSuperuserOwnerAndInstancesOnSeparateNodes() {
    CloudNativePGCluster c = cluster(render(SPEC));
    assertThat(c.getApiVersion()).isEqualTo("postgresql.cnpg.io/v1");
    assertThat(c.getKind()).isEqualTo("Cluster");
    assertThat(c.getMetadata().getName()).isEqualTo("team-postgres");
    assertThat(c.getMetadata().getLabels())
        .containsEntry(Labels.MANAGED_BY, Labels.OPERATOR)
        .containsEntry(Labels.INSTANCE, "team");
    assertThat(c.getMetadata().getAnnotations())
        .containsEntry(CloudNativePGClusters.MAJOR_ANNOTATION, "17");
    Map<String, Object> s = c.getSpec();
    assertThat(s.get("instances")).isEqualTo(3);
    assertThat(s.get("imageName")).isEqualTo("ghcr.io/cloudnative-pg/postgresql:17");
    assertThat(s.get("enableSuperuserAccess")).isEqualTo(false);
    assertThat((Object) at(s, "bootstrap", "initdb", "database")).isEqualTo("loomio_production");
    assertThat((Object) at(s, "bootstrap", "initdb", "owner")).isEqualTo("loomio");
    assertThat((List<String>) at(s, "bootstrap", "initdb", "postInitApplicationSQL"))
        .containsExactly(
            "CREATE EXTENSION IF NOT EXISTS citext", "CREATE EXTENSION IF NOT EXISTS hstore",
            "CREATE EXTENSION IF NOT EXISTS pgcrypto",
                "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    assertThat((Object) at(s, "storage", "size")).isEqualTo("10Gi");
    assertThat((Map<String, Object>) at(s, "affinity"))
        .containsEntry("enablePodAntiAffinity", true)
        .containsEntry("topologyKey", "kubernetes.io/hostname")
        .containsEntry("podAntiAffinityType", "required");
    assertThat(s.get("enablePDB"))
        .as("CloudNativePG's PodDisruptionBudgets, not ours")
        .isEqualTo(true);
    assertThat((Object) at(s, "monitoring", "enablePodMonitor")).isEqualTo(false);
    assertThat((Map<String, Object>) at(s, "inheritedMetadata", "labels"))
        .as(
            "the deny-all selects the instances by the instance label; never the operator's managed-by label")
        .containsEntry(Labels.INSTANCE, "team")
        .doesNotContainKey(Labels.MANAGED_BY);
    assertThat((Map<String, Object>) at(s, "resources", "limits"))
        .containsEntry("cpu", "1")
        .containsEntry("memory", "1Gi");
    assertThat(s).doesNotContainKey("backup");
  }

  @Test
  void theSpecsChoicesReachTheCluster() {
    String spec = """
        host: a.example.org
        imagePullSecrets: [{name: mirror}]
        database:
          cloudNativePG:
            instances: 2
            version: 16
            storage: {size: 50Gi, storageClassName: fast}
            image: {repository: registry.example.org/cnpg/postgresql, tag: "16.4", digest: "sha256:%s"}
            backup: {s3: {endpoint: "https://s3.example.org", bucket: wal, credentialsSecretRef: {name: s3}}, caSecretRef: {name: s3-ca, key: ca.crt}, retentionDays: 14}
        """.formatted("a".repeat(64));
    CloudNativePGCluster c = cluster(render(spec));
    Map<String, Object> s = c.getSpec();
    assertThat(s.get("instances")).isEqualTo(2);
    assertThat(s.get("imageName"))
        .isEqualTo("registry.example.org/cnpg/postgresql:16.4@sha256:" + "a".repeat(64));
    assertThat(s.get("imagePullPolicy")).isEqualTo("Always");
    assertThat(s.get("imagePullSecrets")).isEqualTo(List.of(Map.of("name", "mirror")));
    assertThat((Map<String, Object>) at(s, "storage"))
        .containsEntry("size", "50Gi")
        .containsEntry("storageClass", "fast");
    assertThat(c.getMetadata().getAnnotations())
        .containsEntry(CloudNativePGClusters.MAJOR_ANNOTATION, "16");
    assertThat((Object) at(s, "backup", "retentionPolicy")).isEqualTo("14d");
    Map<String, Object> store = at(s, "backup", "barmanObjectStore");
    assertThat(store)
        .containsEntry("destinationPath", "s3://wal/loomio/team/cloudnativepg")
        .containsEntry("endpointURL", "https://s3.example.org")
        .containsEntry("endpointCA", Map.of("name", "s3-ca", "key", "ca.crt"));
    assertThat((Map<String, Object>) at(store, "s3Credentials"))
        .isEqualTo(Map.of(
            "accessKeyId", Map.of("name", "s3", "key", "access-key-id"),
            "secretAccessKey", Map.of("name", "s3", "key", "secret-access-key")));
    // the migration's and backups' client tools stay the official image of the same major
    PodTemplateSpec migrate = render(spec).all(Job.class).get(0).getSpec().getTemplate();
    assertThat(Pods.container(migrate, "wait-for-database").getImage()).isEqualTo("postgres:16");
    // monitoring on: CloudNativePG's PodMonitor
    var r = Fixtures.resource("team", spec);
    var ctx = new RenderContext(
            r, ClusterCapabilities.newest(), Fixtures.credentials(r), SecretDigests.none())
        .withCloudNativePGSettings(
            new CloudNativePGSettings("cnpg-system", true, List.of("monitoring"), List.of(), null));
    assertThat((Object) at(
            StackRenderer.render(ctx).all(CloudNativePGCluster.class).get(0).getSpec(),
            "monitoring",
            "enablePodMonitor"))
        .isEqualTo(true);
  }

  @Test
  void noEmbeddedPostgresObjectIsRendered() {
    Stack stack = render(SPEC);
    assertThat(stack.all(StatefulSet.class)).isEmpty();
    List<String> names = new ArrayList<>();
    for (HasMetadata o : stack.objects()) {
      if (o instanceof Service
          || o instanceof ServiceAccount
          || o instanceof PersistentVolumeClaim
          || o instanceof PodDisruptionBudget) {
        names.add(o.getKind() + " " + o.getMetadata().getName());
      }
    }
    assertThat(names)
        .as("the names CloudNativePG creates are its own")
        .noneMatch(n -> n.contains("team-postgres"));
  }

  /** Every container that reads the database's password: from CloudNativePG's Secret, with verify-full TLS. */
  @Test
  void everyDatabaseClientUsesTheRwServiceCloudNativePGsCredentialsAndVerifyFull() {
    Stack stack = render(SPEC + "backup: {enabled: true}\n");
    String url = stack
        .get(io.fabric8.kubernetes.api.model.ConfigMap.class, "team-config")
        .orElseThrow()
        .getData()
        .get("DATABASE_URL");
    assertThat(url)
        .isEqualTo("postgresql://loomio@team-postgres-rw:5432/loomio_production?sslmode=verify-full"
            + "&sslrootcert=/etc/loomio/database-ca/ca.crt");
    List<PodTemplateSpec> pods = new ArrayList<>();
    stack.all(Deployment.class).forEach(d -> pods.add(d.getSpec().getTemplate()));
    stack.all(Job.class).forEach(j -> pods.add(j.getSpec().getTemplate()));
    stack
        .all(CronJob.class)
        .forEach(c -> pods.add(c.getSpec().getJobTemplate().getSpec().getTemplate()));
    int clients = 0;
    for (PodTemplateSpec pod : pods) {
      List<Container> all = new ArrayList<>(pod.getSpec().getContainers());
      if (pod.getSpec().getInitContainers() != null) {
        all.addAll(pod.getSpec().getInitContainers());
      }
      for (Container c : all) {
        Map<String, String> env = Pods.env(c);
        if (!env.containsKey("PGPASSWORD")) {
          continue;
        }
        clients++;
        assertThat(env.get("PGPASSWORD"))
            .as(c.getName())
            .isEqualTo("secret:team-postgres-app/password");
        assertThat(Pods.mounts(c))
            .as(c.getName())
            .containsEntry(LoomioSettings.DATABASE_CA_DIR, "database-ca");
        assertThat(Pods.volume(pod, "database-ca").orElseThrow().getSecret().getSecretName())
            .isEqualTo("team-postgres-ca");
        assertThat(Pods.volume(pod, "database-ca")
                .orElseThrow()
                .getSecret()
                .getItems()
                .get(0)
                .getKey())
            .isEqualTo("ca.crt");
        if (env.containsKey("PGHOST")) {
          assertThat(env)
              .as(c.getName())
              .containsEntry("PGHOST", "team-postgres-rw")
              .containsEntry("PGSSLMODE", "verify-full")
              .containsEntry("PGSSLROOTCERT", "/etc/loomio/database-ca/ca.crt")
              .containsEntry("PGUSER", "loomio");
        }
      }
    }
    assertThat(clients)
        .as("web, worker, their wait-for-migrations, the migration, the backup dump")
        .isGreaterThanOrEqualTo(5);
    // never a copy in the operator's own Secret
    assertThat(Credentials.requiredKeys(
            ResolvedSpec.of(Fixtures.resource("team", SPEC), ImageDefaults.BUILT_IN)))
        .doesNotContain(Credentials.POSTGRES_PASSWORD);
  }

  @Test
  void withoutCloudNativePGsApiThereIsNoClusterAndAPIAvailableNamesIt() {
    LoomioDeployment r = Fixtures.resource("team", SPEC);
    ClusterCapabilities noCnpg = new ClusterCapabilities(
        1,
        30,
        Set.of(
            ClusterCapabilities.PDB_V1,
            ClusterCapabilities.CRONJOB_V1,
            ClusterCapabilities.INGRESS_V1));
    Stack stack = Fixtures.render(r, noCnpg);
    assertThat(stack.all(CloudNativePGCluster.class)).isEmpty();
    assertThat(stack.all(StatefulSet.class))
        .as("never a silent fallback to the embedded database")
        .isEmpty();
    assertThat(stack.omissions())
        .anySatisfy(o -> assertThat(o.api()).isEqualTo("postgresql.cnpg.io/v1 Cluster"));
  }

  @Test
  void untilTheDatabasesSecretsExistNothingThatReadsThemRunsAndTheMigrationWaitsForThePrimary() {
    LoomioDeployment r = Fixtures.resource("team", SPEC + "backup: {enabled: true}\n");
    RenderContext pending = new RenderContext(
            r, ClusterCapabilities.newest(), Fixtures.credentials(r), SecretDigests.none())
        .withDatabaseReadiness(RenderContext.DatabaseReadiness.NO_SECRETS);
    Stack stack = StackRenderer.render(pending);
    assertThat(stack.all(CloudNativePGCluster.class)).hasSize(1);
    assertThat(stack.all(Deployment.class))
        .filteredOn(d -> !"redis".equals(d.getMetadata().getLabels().get(Labels.COMPONENT)))
        .allSatisfy(d ->
            assertThat(d.getSpec().getReplicas()).as(d.getMetadata().getName()).isZero());
    assertThat(stack.all(Job.class)).isEmpty();
    // the backup reads the database's Secrets and waits; the drill reads only the backups (its own
    // throwaway server)
    assertThat(stack.all(CronJob.class))
        .filteredOn(
            c -> Component.BACKUP.label().equals(c.getMetadata().getLabels().get(Labels.COMPONENT)))
        .hasSize(1)
        .allSatisfy(c -> assertThat(c.getSpec().getSuspend()).isTrue());
    assertThat(stack.all(CronJob.class))
        .filteredOn(
            c -> Component.DRILL.label().equals(c.getMetadata().getLabels().get(Labels.COMPONENT)))
        .hasSize(1)
        .allSatisfy(c -> assertThat(c.getSpec().getSuspend()).isNotEqualTo(true));

    RenderContext noPrimary = new RenderContext(
            r, ClusterCapabilities.newest(), Fixtures.credentials(r), SecretDigests.none())
        .withDatabaseReadiness(RenderContext.DatabaseReadiness.NO_PRIMARY);
    Stack waiting = StackRenderer.render(noPrimary);
    assertThat(waiting.all(Job.class)).as("the migration waits for the primary").isEmpty();
    assertThat(waiting.all(Deployment.class))
        .anySatisfy(d -> assertThat(d.getSpec().getReplicas()).isPositive());
    assertThat(waiting.all(CronJob.class))
        .allSatisfy(c -> assertThat(c.getSpec().getSuspend()).isFalse());

    Stack ready = Fixtures.render(r);
    assertThat(ready.all(Job.class)).hasSize(1);
  }
}
