package org.loomio.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.LoomioBackup;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.api.v1alpha1.LoomioRestore;

/**
 * A status written by a newer release (a field this one does not know, at any depth) is read by this one, as
 * its informers read it: after a rollback of the operator the CRD keeps the newer fields (Helm never downgrades
 * CRDs), and one unreadable object stops the informer of every stack.
 */
class StatusCompatibilityTest {

  private final KubernetesSerialization serialization = new KubernetesSerialization();

  @Test
  void aLoomioDeploymentStatusWithFieldsOfANewerReleaseIsRead() {
    LoomioDeployment r = serialization.unmarshal("""
        {"apiVersion": "loomio.org/v1alpha1", "kind": "LoomioDeployment",
         "metadata": {"name": "team", "namespace": "loomio"},
         "spec": {"host": "team.example.org"},
         "status": {"observedGeneration": 2, "fromTheFuture": [1, 2],
           "components": {"web": {"ready": 1, "desired": 1, "surge": 0}},
           "migrated": {"image": "loomio/loomio:3.5", "checksum": "x"},
           "upgrade": {"phase": "Migrating", "eta": "soon"},
           "secrets": {"valueSince": {}, "rotationPlan": "x"},
           "backup": {"lastSuccessfulBackup": "b", "lastDrill": {"passed": true, "extra": 1,
              "checks": [{"name": "c", "passed": true, "weight": 3}]}, "sizeBytes": 5}}}
        """, LoomioDeployment.class);
    assertThat(r.getStatus().getObservedGeneration()).isEqualTo(2L);
    assertThat(r.getStatus().getComponents()).containsKey("web");
    assertThat(r.getStatus().getBackup().getLastSuccessfulBackup()).isEqualTo("b");
  }

  @Test
  void backupAndRestoreStatusesWithFieldsOfANewerReleaseAreRead() {
    LoomioBackup b = serialization.unmarshal("""
        {"apiVersion": "loomio.org/v1alpha1", "kind": "LoomioBackup",
         "metadata": {"name": "b", "namespace": "loomio"},
         "spec": {"deploymentName": "team"},
         "status": {"observedGeneration": 1, "future": true, "objects": [{"name": "x", "future": 1}]}}
        """, LoomioBackup.class);
    assertThat(b.getStatus().getObservedGeneration()).isEqualTo(1L);
    LoomioRestore r = serialization.unmarshal("""
        {"apiVersion": "loomio.org/v1alpha1", "kind": "LoomioRestore",
         "metadata": {"name": "r", "namespace": "loomio"},
         "spec": {"deploymentName": "team"},
         "status": {"future": true, "steps": [{"name": "Restore", "future": 1}]}}
        """, LoomioRestore.class);
    assertThat(r.getStatus().getSteps()).hasSize(1);
  }
}
