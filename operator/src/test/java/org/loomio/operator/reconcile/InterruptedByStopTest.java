package org.loomio.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.testing.Fixtures;

/**
 * A reconcile cut short by the operator's own stop (JOSDK's workflow executor shut down under it) is not reported
 * as the stack's failure: found on the rig, where a stop during a reconcile wrote "applying the stack failed:
 * RejectedExecutionException" into the status and the next start wrote it back.
 */
class InterruptedByStopTest {

  private static RejectedExecutionException rejected() {
    return new RejectedExecutionException(
        "Task rejected from java.util.concurrent.ThreadPoolExecutor[Terminated, pool size = 0]");
  }

  @Test
  void aRefusalOfAShutDownExecutorIsTheStopWhereverItIs() {
    assertThat(LoomioDeploymentReconciler.interruptedByStop(rejected())).isTrue();
    assertThat(LoomioDeploymentReconciler.interruptedByStop(
            new IllegalStateException("workflow", rejected())))
        .isTrue();
    assertThat(LoomioDeploymentReconciler.interruptedByStop(new AggregatedOperatorException(
            "Exception(s) during workflow execution.",
            Map.of(
                "configmaps", new KubernetesClientException("refused", 500, null),
                "services", new RuntimeException(rejected())))))
        .isTrue();
  }

  @Test
  void anyOtherFailureIsTheStacks() {
    assertThat(LoomioDeploymentReconciler.interruptedByStop(
            new KubernetesClientException("refused", 500, null)))
        .isFalse();
    assertThat(LoomioDeploymentReconciler.interruptedByStop(new AggregatedOperatorException(
            "Exception(s) during workflow execution.",
            Map.of("configmaps", new KubernetesClientException("refused", 403, null)))))
        .isFalse();
    assertThat(LoomioDeploymentReconciler.interruptedByStop(new IllegalStateException("x")))
        .isFalse();
  }

  @Test
  void theStatusIsLeftAsItWasAndNothingIsRecorded() {
    var reconciler = new LoomioDeploymentReconciler(
        () -> ClusterCapabilities.forVersion(ClusterCapabilities.NEWEST));
    // no context: an event or a status read would need one
    var control = reconciler.updateErrorStatus(Fixtures.minimal("team"), null, rejected());
    assertThat(control.getResource()).isEmpty();
  }
}
