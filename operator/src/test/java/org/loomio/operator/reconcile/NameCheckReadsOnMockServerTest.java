package org.loomio.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.client.ObjectPaths;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.testing.Fixtures;
import org.loomio.operator.testing.MockCluster;

/**
 * What the name check asks the API server for a new stack ({@link NameConflicts}): each name it does not hold in
 * an informer is read once, from the watch cache ({@code resourceVersion=0}) where the create refuses an existing
 * name, with a quorum read where it does not (a Service before Kubernetes 1.21); a foreign object the cheap read
 * finds is read again with a quorum read before the stack stops on it.
 */
class NameCheckReadsOnMockServerTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  private static void create(MockCluster cluster, String ns, String name) {
    cluster.createStack(ns, name, "host: " + name + ".example.org");
  }

  private static void awaitApplied(MockCluster cluster, String ns, String name) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
      LoomioDeployment r = cluster.get(ns, name);
      assertThat(r.getStatus()).isNotNull();
      assertThat(r.getStatus().getObservedGeneration())
          .isEqualTo(r.getMetadata().getGeneration());
      assertThat(cluster
              .client()
              .apps()
              .deployments()
              .inNamespace(ns)
              .withName(name + "-web")
              .get())
          .isNotNull();
    });
  }

  /** The GETs of one object by name (no list, no watch), with their query. */
  private static List<String> readsOf(MockCluster cluster, HasMetadata o) {
    return readsOf(cluster.requests(), o);
  }

  private static List<String> readsOf(List<String> requests, HasMetadata o) {
    String path = ObjectPaths.of(o);
    return requests.stream()
        .filter(r -> r.equals("GET " + path) || r.startsWith("GET " + path + "?"))
        .toList();
  }

  /**
   * The objects of the stack the check reads (its Secrets are checked where they are made) as the test renders
   * them, those the operator made under these names (a Job's name carries a hash of what the operator's render
   * put into it).
   */
  private static List<HasMetadata> checked(
      MockCluster cluster, String ns, String name, ClusterCapabilities version) {
    LoomioDeployment r = Fixtures.minimal(name);
    r.getMetadata().setNamespace(ns);
    List<HasMetadata> objects = Fixtures.render(r, version).objects().stream()
        .filter(o -> !(o instanceof Secret))
        .toList();
    List<String> before = cluster.requests();
    List<HasMetadata> made = objects.stream()
        .filter(
            o -> readsOf(before, o).size() > 0 && cluster.client().resource(o).get() != null)
        .toList();
    assertThat(made).hasSizeGreaterThan(objects.size() - 2);
    return made;
  }

  @Test
  void aNewStacksNamesAreReadFromTheWatchCacheAndAForeignOneAgainFromEtcd() {
    try (MockCluster cluster = new MockCluster()) {
      cluster.startOperator();
      create(cluster, "fresh", "team");
      awaitApplied(cluster, "fresh", "team");
      for (HasMetadata o : checked(cluster, "fresh", "team", ClusterCapabilities.newest())) {
        assertThat(readsOf(cluster, o))
            .as(o.getKind() + " " + o.getMetadata().getName())
            .isNotEmpty()
            .first()
            .isEqualTo("GET " + ObjectPaths.of(o) + "?resourceVersion=0");
      }

      // someone else's ConfigMap of the stack's name: found by the cheap read, confirmed by etcd's
      cluster.namespace("taken");
      cluster
          .client()
          .resource(new ConfigMapBuilder()
              .withNewMetadata()
              .withName("other-config")
              .withNamespace("taken")
              .endMetadata()
              .addToData("owner", "another team")
              .build())
          .create();
      create(cluster, "taken", "other");
      await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
        LoomioDeployment r = cluster.get("taken", "other");
        assertThat(r.getStatus()).isNotNull();
        assertThat(r.getStatus().getConditions())
            .anySatisfy(c -> assertThat(c.getReason()).isEqualTo("NameConflict"));
      });
      HasMetadata config = new ConfigMapBuilder()
          .withNewMetadata()
          .withName("other-config")
          .withNamespace("taken")
          .endMetadata()
          .build();
      assertThat(readsOf(cluster, config))
          .startsWith(
              "GET " + ObjectPaths.of(config) + "?resourceVersion=0",
              "GET " + ObjectPaths.of(config));
      assertThat(cluster
              .client()
              .configMaps()
              .inNamespace("taken")
              .withName("other-config")
              .get()
              .getData())
          .containsEntry("owner", "another team");
    }
  }

  @Test
  void beforeKubernetes121AServiceIsReadFromEtcd() {
    try (MockCluster cluster = MockCluster.kubernetes120()) {
      cluster.startOperator();
      create(cluster, "old", "team");
      awaitApplied(cluster, "old", "team");
      for (HasMetadata o :
          checked(cluster, "old", "team", ClusterCapabilities.forVersion("1.20"))) {
        String expected =
            "GET " + ObjectPaths.of(o) + (o instanceof Service ? "" : "?resourceVersion=0");
        assertThat(readsOf(cluster, o))
            .as(o.getKind() + " " + o.getMetadata().getName())
            .isNotEmpty()
            .first()
            .isEqualTo(expected);
      }
    }
  }
}
