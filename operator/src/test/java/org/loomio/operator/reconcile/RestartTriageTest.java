package org.loomio.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.api.v1alpha1.LoomioDeploymentStatus;
import org.loomio.operator.testing.Fixtures;
import org.loomio.operator.testing.MovableClock;

/** The triage's decisions that need no informer; the lookups are {@link RestartTriageOnMockServerTest}'s. */
class RestartTriageTest {

  private static LoomioDeployment settled(String name) {
    LoomioDeployment r = Fixtures.resource(name, "host: " + name + ".example.org");
    r.getMetadata().setNamespace("ns");
    r.getMetadata().setGeneration(3L);
    LoomioDeploymentStatus status = new LoomioDeploymentStatus();
    status.setObservedGeneration(3L);
    status.setInventory(List.of("v1/ConfigMap/" + name + "-config"));
    r.setStatus(status);
    return r;
  }

  @Test
  void onlyAStackReconciledForItsSpecWithAnInventoryMayWait() {
    assertThat(RestartTriage.settled(settled("team"))).isTrue();

    LoomioDeployment fresh = settled("team");
    fresh.setStatus(null);
    assertThat(RestartTriage.settled(fresh)).as("no status").isFalse();

    LoomioDeployment older = settled("team");
    older.getStatus().setInventory(null);
    assertThat(RestartTriage.settled(older))
        .as("a status written before the inventory")
        .isFalse();

    LoomioDeployment empty = settled("team");
    empty.getStatus().setInventory(List.of());
    assertThat(RestartTriage.settled(empty)).as("an empty inventory").isFalse();

    LoomioDeployment changed = settled("team");
    changed.getMetadata().setGeneration(4L);
    assertThat(RestartTriage.settled(changed)).as("a spec changed while down").isFalse();

    LoomioDeployment deleting = settled("team");
    deleting.getMetadata().setDeletionTimestamp("2026-12-07T06:00:00Z");
    assertThat(RestartTriage.settled(deleting)).as("being deleted").isFalse();

    LoomioDeployment huge = settled("team");
    huge.getStatus()
        .setInventory(Collections.nCopies(RestartTriage.MAX_ENTRIES + 1, "v1/ConfigMap/x"));
    assertThat(RestartTriage.settled(huge))
        .as("an inventory longer than any stack's")
        .isFalse();
  }

  @Test
  void eachStackIsTriagedOnceAndOnlyInTheWindowAfterTheFirstReconcile() {
    MovableClock clock = new MovableClock("2026-12-07T06:00:00Z");
    RestartTriage triage = new RestartTriage(clock);
    // constructed long before it leads (a standby replica): the window starts at the first
    // reconcile
    clock.advance(RestartTriage.WINDOW.multipliedBy(10));
    LoomioDeployment a = settled("a");
    a.setStatus(null); // not settled: decided without a lookup
    assertThat(triage.decide(a, null)).isEqualTo(RestartTriage.Decision.NOW);
    assertThat(triage.decide(a, null))
        .as("its second reconcile")
        .isEqualTo(RestartTriage.Decision.NONE);

    clock.advance(RestartTriage.WINDOW.minusSeconds(1));
    LoomioDeployment b = settled("b");
    b.setStatus(null);
    assertThat(triage.decide(b, null))
        .as("within the window")
        .isEqualTo(RestartTriage.Decision.NOW);

    clock.advance(java.time.Duration.ofSeconds(2));
    LoomioDeployment c = settled("c");
    c.setStatus(null);
    assertThat(triage.decide(c, null)).as("past the window").isEqualTo(RestartTriage.Decision.NONE);
  }
}
