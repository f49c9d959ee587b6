package org.loomio.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.loomio.operator.model.CloudNativePGSettings;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.model.Labels;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.base.RenderContext.DatabaseReadiness;
import org.loomio.operator.render.workload.CloudNativePGClusters;
import org.loomio.operator.testing.Fixtures;
import org.loomio.operator.thirdparty.CloudNativePGCluster;

/** The trust in CloudNativePG's Secrets, readiness from the Cluster's status, and the refusals of a changed mode. */
class CloudNativePGDatabaseTest {

  private static final ResolvedSpec CNPG = spec("database: {cloudNativePG: {}}");

  private static ResolvedSpec spec(String database) {
    var r = Fixtures.resource("team", "host: a.example.org\n" + database);
    r.getMetadata().setUid("stack-uid");
    return ResolvedSpec.of(r, ImageDefaults.BUILT_IN);
  }

  private static CloudNativePGCluster cluster(String uid, Map<String, Object> status) {
    CloudNativePGCluster c = new CloudNativePGCluster();
    c.getMetadata().setName("team-postgres");
    c.getMetadata().setUid(uid);
    c.getMetadata().setLabels(Labels.of("team", org.loomio.operator.model.Component.POSTGRES));
    c.getMetadata()
        .setOwnerReferences(List.of(new OwnerReferenceBuilder()
            .withUid("stack-uid")
            .withKind("LoomioDeployment")
            .withApiVersion("loomio.org/v1alpha1")
            .withName("team")
            .build()));
    c.getMetadata().setAnnotations(Map.of(CloudNativePGClusters.MAJOR_ANNOTATION, "17"));
    c.setStatus(status == null ? null : new LinkedHashMap<>(status));
    if (status != null) {
      // the versions of the Secrets CloudNativePG made, as it records them (secret() makes these
      // versions)
      c.getStatus()
          .putIfAbsent(
              "secretsResourceVersion",
              Map.of("applicationSecretVersion", "101", "serverCaSecretVersion", "102"));
    }
    return c;
  }

  private static Secret secret(String name, String ownerUid) {
    return secret(name, ownerUid, name.endsWith("-app") ? "101" : "102");
  }

  private static Secret secret(String name, String ownerUid, String resourceVersion) {
    SecretBuilder b = new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .withResourceVersion(resourceVersion)
        .endMetadata();
    if (ownerUid != null) {
      b.editMetadata()
          .withOwnerReferences(new OwnerReferenceBuilder()
              .withApiVersion("postgresql.cnpg.io/v1")
              .withKind("Cluster")
              .withName("team-postgres")
              .withUid(ownerUid)
              .build())
          .endMetadata();
    }
    return b.build();
  }

  private static final Map<String, Object> HEALTHY = Map.of(
      "phase",
      CloudNativePGDatabase.HEALTHY_PHASE,
      "instances",
      3,
      "readyInstances",
      3,
      "currentPrimary",
      "team-postgres-1");

  private static CloudNativePGDatabase.State observe(
      CloudNativePGCluster c, Map<String, Secret> secrets) {
    return CloudNativePGDatabase.observe(
        CNPG,
        ClusterCapabilities.newest(),
        CloudNativePGSettings.DEFAULTS,
        Optional.ofNullable(c),
        secrets::get);
  }

  @Test
  void secretsOwnedByTheStacksClusterAreTrustedAndAnyOthersRefused() {
    CloudNativePGCluster c = cluster("cluster-uid", HEALTHY);
    var ok = observe(
        c,
        Map.of(
            "team-postgres-app",
            secret("team-postgres-app", "cluster-uid"),
            "team-postgres-ca",
            secret("team-postgres-ca", "cluster-uid")));
    assertThat(ok.refusal()).isEmpty();
    assertThat(ok.readiness()).isEqualTo(DatabaseReadiness.READY);
    assertThat(ok.secrets()).containsOnlyKeys("team-postgres-app", "team-postgres-ca");
    assertThat(ok.healthy()).isTrue();

    for (String owner : new String[] {null, "another-cluster-uid"}) {
      var refused = observe(
          c,
          Map.of(
              "team-postgres-app",
              secret("team-postgres-app", owner),
              "team-postgres-ca",
              secret("team-postgres-ca", "cluster-uid")));
      assertThat(refused.refusal())
          .as("owner " + owner)
          .hasValueSatisfying(m -> assertThat(m)
              .contains("Secret team-postgres-app")
              .contains("cluster-uid")
              .doesNotContain("password"));
      assertThat(refused.secrets()).isEmpty();
      assertThat(refused.readiness()).isEqualTo(DatabaseReadiness.NO_SECRETS);
    }
  }

  /**
   * An owner reference can be forged by anyone who may create Secrets and read the Cluster's UID; the Cluster's
   * status, where CloudNativePG records the version of each Secret it made, cannot: a Secret replaced by someone
   * else (a new resource version) is not read, and the stack waits, saying so.
   */
  @Test
  void onlyTheSecretVersionsTheClustersStatusRecordsAreRead() {
    CloudNativePGCluster c = cluster("cluster-uid", HEALTHY);
    var replaced = observe(
        c,
        Map.of(
            "team-postgres-app",
            secret("team-postgres-app", "cluster-uid", "999"),
            "team-postgres-ca",
            secret("team-postgres-ca", "cluster-uid")));
    assertThat(replaced.secrets()).isEmpty();
    assertThat(replaced.readiness()).isEqualTo(DatabaseReadiness.NO_SECRETS);
    assertThat(replaced.refusal()).isEmpty();
    assertThat(replaced.message())
        .contains("team-postgres-app")
        .contains("status.secretsResourceVersion")
        .doesNotContain("team-postgres-ca");

    CloudNativePGCluster unrecorded = cluster("cluster-uid", HEALTHY);
    unrecorded.getStatus().remove("secretsResourceVersion");
    var waiting = observe(
        unrecorded,
        Map.of(
            "team-postgres-app",
            secret("team-postgres-app", "cluster-uid"),
            "team-postgres-ca",
            secret("team-postgres-ca", "cluster-uid")));
    assertThat(waiting.readiness())
        .as("CloudNativePG has recorded nothing yet")
        .isEqualTo(DatabaseReadiness.NO_SECRETS);
    assertThat(waiting.message()).contains("team-postgres-app and team-postgres-ca");

    CloudNativePGCluster older = cluster("cluster-uid", HEALTHY);
    older
        .getStatus()
        .put(
            "secretsResourceVersion",
            Map.of("applicationSecretVersion", "101", "caSecretVersion", "102"));
    assertThat(observe(
                older,
                Map.of(
                    "team-postgres-app",
                    secret("team-postgres-app", "cluster-uid"),
                    "team-postgres-ca",
                    secret("team-postgres-ca", "cluster-uid")))
            .readiness())
        .as("older CloudNativePG releases record the CA as caSecretVersion")
        .isEqualTo(DatabaseReadiness.READY);
  }

  @Test
  void readinessFollowsTheClustersStatus() {
    Map<String, Secret> secrets = Map.of(
        "team-postgres-app",
        secret("team-postgres-app", "u"),
        "team-postgres-ca",
        secret("team-postgres-ca", "u"));
    assertThat(observe(cluster("u", null), Map.of()).readiness())
        .isEqualTo(DatabaseReadiness.NO_SECRETS);
    assertThat(observe(null, Map.of()).message())
        .contains("creating the CloudNativePG Cluster team-postgres");
    var creating =
        observe(cluster("u", Map.of("phase", "Setting up primary", "readyInstances", 0)), secrets);
    assertThat(creating.readiness()).isEqualTo(DatabaseReadiness.NO_PRIMARY);
    assertThat(creating.message()).contains("no ready primary").contains("Setting up primary");
    var failingOver = observe(
        cluster(
            "u",
            Map.of(
                "phase", "Failing over", "readyInstances", 2, "currentPrimary", "team-postgres-1")),
        secrets);
    assertThat(failingOver.readiness())
        .as("the app keeps running")
        .isEqualTo(DatabaseReadiness.READY);
    assertThat(failingOver.healthy()).isFalse();
    assertThat(failingOver.component().getReady()).isEqualTo(2);
    assertThat(failingOver.component().getDesired()).isEqualTo(3);
    assertThat(failingOver.message()).contains("Failing over").contains("2/3");
    var noApi = CloudNativePGDatabase.observe(
        CNPG,
        new ClusterCapabilities(1, 30, Set.of()),
        CloudNativePGSettings.DEFAULTS,
        Optional.empty(),
        n -> null);
    assertThat(noApi.readiness()).isEqualTo(DatabaseReadiness.NO_SECRETS);
    assertThat(noApi.message()).contains("does not serve postgresql.cnpg.io/v1");
    assertThat(CloudNativePGDatabase.observe(
                spec(""),
                ClusterCapabilities.newest(),
                CloudNativePGSettings.DEFAULTS,
                Optional.empty(),
                n -> null)
            .applies())
        .as("embedded: nothing to observe")
        .isFalse();
  }

  @Test
  void aChangedModeOrMajorIsRefusedNamingTheField() {
    Optional<CloudNativePGCluster> cluster = Optional.of(cluster("u", HEALTHY));
    assertThat(CloudNativePGDatabase.modeChange(
            spec("database: {embedded: {}}"), false, cluster, true))
        .hasValueSatisfying(m -> assertThat(m)
            .startsWith("spec.database:")
            .contains("cloudNativePG")
            .contains("LoomioRestore"));
    assertThat(CloudNativePGDatabase.modeChange(
            spec("database: {external: {host: pg.example.org,"
                + " passwordSecretRef: {name: pg, key: password}, version: 17}}"),
            false,
            cluster,
            true))
        .isPresent();
    assertThat(CloudNativePGDatabase.modeChange(CNPG, true, Optional.empty(), true))
        .hasValueSatisfying(m -> assertThat(m).startsWith("spec.database:").contains("embedded"));
    assertThat(CloudNativePGDatabase.modeChange(CNPG, false, Optional.empty(), true))
        .as("a stack that migrated an external database")
        .hasValueSatisfying(m -> assertThat(m).contains("status.migrated"));
    assertThat(CloudNativePGDatabase.modeChange(CNPG, false, Optional.empty(), false))
        .as("a new stack")
        .isEmpty();
    assertThat(CloudNativePGDatabase.modeChange(CNPG, false, cluster, true)).isEmpty();
    assertThat(CloudNativePGDatabase.modeChange(
            spec("database: {cloudNativePG: {version: 18}}"), false, cluster, true))
        .hasValueSatisfying(m -> assertThat(m)
            .startsWith("spec.database.cloudNativePG.version:")
            .contains("runs PostgreSQL 17")
            .contains("cloudnative-pg.io"));
    assertThat(CloudNativePGDatabase.modeChange(
            spec("database: {embedded: {}}"), true, Optional.empty(), true))
        .isEmpty();
  }
}
