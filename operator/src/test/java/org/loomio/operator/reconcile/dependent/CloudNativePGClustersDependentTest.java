package org.loomio.operator.reconcile.dependent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.thirdparty.CloudNativePGCluster;

/**
 * The Cluster matches when what the operator renders is in it, whatever CloudNativePG's defaulting webhook added;
 * a value of the operator's that someone changed or removed does not match, so the next apply restores it.
 */
class CloudNativePGClustersDependentTest {

  private static CloudNativePGCluster cluster(Map<String, Object> spec, String ownerUid) {
    CloudNativePGCluster c = new CloudNativePGCluster();
    c.getMetadata().setName("team-postgres");
    c.getMetadata().setLabels(Map.of("app.kubernetes.io/instance", "team"));
    c.getMetadata().setAnnotations(Map.of("loomio.org/postgres-major", "17"));
    if (ownerUid != null) {
      c.getMetadata()
          .setOwnerReferences(
              List.of(new OwnerReferenceBuilder().withUid(ownerUid).build()));
    }
    c.setSpec(spec);
    return c;
  }

  private static Map<String, Object> desiredSpec() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("instances", 3);
    s.put(
        "affinity", Map.of("enablePodAntiAffinity", true, "topologyKey", "kubernetes.io/hostname"));
    s.put(
        "bootstrap",
        Map.of(
            "initdb",
            Map.of(
                "database",
                "loomio_production",
                "postInitApplicationSQL",
                List.of("CREATE EXTENSION IF NOT EXISTS citext"))));
    return s;
  }

  @Test
  void whatTheWebhookAddsStillMatchesWhatSomeoneChangedDoesNot() {
    LoomioDeployment primary = new LoomioDeployment();
    primary.getMetadata().setUid("stack-uid");
    CloudNativePGCluster desired = cluster(desiredSpec(), null);
    var dependent = new CloudNativePGClustersDependent();

    Map<String, Object> defaulted = new LinkedHashMap<>(desiredSpec());
    defaulted.put("instances", 3L);
    defaulted.put("logLevel", "info");
    defaulted.put(
        "affinity",
        Map.of(
            "enablePodAntiAffinity",
            true,
            "topologyKey",
            "kubernetes.io/hostname",
            "podAntiAffinityType",
            "preferred"));
    defaulted.put(
        "bootstrap",
        Map.of(
            "initdb",
            Map.of(
                "database",
                "loomio_production",
                "encoding",
                "UTF8",
                "postInitApplicationSQL",
                List.of("CREATE EXTENSION IF NOT EXISTS citext"))));
    assertThat(dependent
            .match(cluster(defaulted, "stack-uid"), desired, primary, null)
            .matched())
        .isTrue();

    Map<String, Object> scaledDown = new LinkedHashMap<>(defaulted);
    scaledDown.put("instances", 1);
    assertThat(dependent
            .match(cluster(scaledDown, "stack-uid"), desired, primary, null)
            .matched())
        .isFalse();
    Map<String, Object> noAntiAffinity = new LinkedHashMap<>(defaulted);
    noAntiAffinity.remove("affinity");
    assertThat(dependent
            .match(cluster(noAntiAffinity, "stack-uid"), desired, primary, null)
            .matched())
        .isFalse();
    Map<String, Object> moreSql = new LinkedHashMap<>(defaulted);
    moreSql.put(
        "bootstrap",
        Map.of(
            "initdb",
            Map.of(
                "database",
                "loomio_production",
                "postInitApplicationSQL",
                List.of("CREATE EXTENSION IF NOT EXISTS citext", "ALTER ROLE loomio SUPERUSER"))));
    assertThat(dependent
            .match(cluster(moreSql, "stack-uid"), desired, primary, null)
            .matched())
        .isFalse();
    assertThat(dependent
            .match(cluster(defaulted, "other-uid"), desired, primary, null)
            .matched())
        .as("without the owner reference to the stack")
        .isFalse();
  }
}
