package org.loomio.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.testing.MockCluster;

/**
 * The first pass after a start ({@link RestartTriage}), on a cluster of its own so that the counts are this
 * test's: the stack that lost an object while the operator was down is reconciled at once, the intact one is
 * deferred and then reconciled without a write.
 */
class RestartTriageOnMockServerTest {

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

  private static void create(String namespace, String name) {
    cluster.createStack(namespace, name, "host: " + name + ".example.org");
  }

  /** Reconciled for its current generation, with an inventory that names its settings ConfigMap. */
  private static void awaitSettled(String namespace, String name) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
      LoomioDeployment r = cluster.get(namespace, name);
      assertThat(r.getStatus()).as("status").isNotNull();
      assertThat(r.getStatus().getObservedGeneration())
          .isEqualTo(r.getMetadata().getGeneration());
      assertThat(r.getStatus().getInventory())
          .as("status.inventory")
          .contains("v1/ConfigMap/" + name + "-config", "apps/v1/Deployment/" + name + "-web");
      assertThat(cluster
              .client()
              .configMaps()
              .inNamespace(namespace)
              .withName(name + "-config")
              .get())
          .isNotNull();
    });
  }

  private static double firstPass(String decision) {
    Counter c = cluster
        .metrics()
        .registry()
        .find("loomio.operator.first.pass")
        .tag("decision", decision)
        .counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void theStackThatLostAnObjectIsReconciledAtOnceAndTheIntactOneAfter() {
    create("triage", "intact");
    create("triage", "broken");
    awaitSettled("triage", "intact");
    awaitSettled("triage", "broken");
    assertThat(firstPass("now"))
        .as("stacks created after the start are reconciled at once")
        .isEqualTo(2);

    cluster.stopOperator();
    cluster
        .client()
        .configMaps()
        .inNamespace("triage")
        .withName("broken-config")
        .delete();
    cluster.clearWrites();
    cluster.startOperator();

    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(cluster
                .client()
                .configMaps()
                .inNamespace("triage")
                .withName("broken-config")
                .get())
            .as("broken-config repaired")
            .isNotNull());
    await().atMost(WAIT).until(() -> firstPass("now") + firstPass("deferred") >= 2);
    assertThat(firstPass("now")).as("the stack that misses a ConfigMap").isEqualTo(1);
    assertThat(firstPass("deferred")).as("the intact stack").isEqualTo(1);
    // the deferred stack still gets its full reconcile
    await().atMost(WAIT).until(() -> cluster.stacksObservedSinceStart() >= 2);
    List<String> writes =
        cluster.writes().stream().filter(w -> w.contains("/namespaces/triage/")).toList();
    // a create names no object in its path: the one ConfigMap created is broken-config (checked
    // above). Statuses and events may move (the stacks had not finished converging: no kubelet
    // here).
    assertThat(writes)
        .as("object writes after the restart: the repair only")
        .filteredOn(w -> !w.endsWith("/status") && !w.endsWith("/events"))
        .containsExactly("POST /api/v1/namespaces/triage/configmaps");
  }
}
