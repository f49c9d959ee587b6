package org.loomio.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import io.javaoperatorsdk.operator.OperatorException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.secrets.CredentialGenerator;
import org.loomio.operator.secrets.GeneratedCredentials;
import org.loomio.operator.testing.Fixtures;
import org.loomio.operator.testing.MovableClock;

/**
 * A namespace being deleted: the API server's refusal is recognised from its cause (as kube-apiserver v1.20 sends
 * it, seen on the rig), holds the namespace's reconciles for a while, and is not reported as the stack's failure.
 */
class TerminatingNamespacesTest {

  /** The 403 kube-apiserver answers a create in a terminating namespace with (NamespaceLifecycle). */
  static KubernetesClientException terminating(String namespace) {
    Status status = new StatusBuilder()
        .withCode(403)
        .withReason("Forbidden")
        .withMessage(
            "networkpolicies.networking.k8s.io \"team-default-deny\" is forbidden: unable to create"
                + " new content in namespace " + namespace + " because it is being terminated")
        .withNewDetails()
        .withKind("networkpolicies")
        .withName("team-default-deny")
        .addNewCause()
        .withField("metadata.namespace")
        .withMessage("namespace " + namespace + " is being terminated")
        .withReason("NamespaceTerminating")
        .endCause()
        .endDetails()
        .build();
    return new KubernetesClientException(status);
  }

  private static KubernetesClientException rbacForbidden() {
    return new KubernetesClientException(new StatusBuilder()
        .withCode(403)
        .withReason("Forbidden")
        .withMessage("configmaps is forbidden: User \"x\" cannot create resource \"configmaps\"")
        .withNewDetails()
        .withKind("configmaps")
        .endDetails()
        .build());
  }

  @Test
  void theRefusalIsRecognisedWhereverTheWorkflowPutsIt() {
    assertThat(TerminatingNamespaces.refused(terminating("team"), "team")).isTrue();
    assertThat(TerminatingNamespaces.refused(
            new OperatorException(new AggregatedOperatorException(
                "Exception(s) during workflow execution.",
                Map.of(
                    "configmaps",
                    new KubernetesClientException("refused", 500, null),
                    "networkpolicies",
                    terminating("team")))),
            "team"))
        .isTrue();
  }

  @Test
  void aRefusalNamingAnotherNamespaceOrNoneHoldsNothingHere() {
    assertThat(TerminatingNamespaces.refused(terminating("other"), "team")).isFalse();
    assertThat(TerminatingNamespaces.refused(terminating("team-2"), "team")).isFalse();
    var unnamed = terminating("team");
    unnamed.getStatus().getDetails().getCauses().get(0).setMessage(null);
    assertThat(TerminatingNamespaces.refused(unnamed, "team")).isFalse();
  }

  @Test
  void aCycleOfCausesEnds() {
    RuntimeException a = new RuntimeException("a");
    RuntimeException b = new RuntimeException("b", a);
    a.initCause(b);
    assertThat(TerminatingNamespaces.refused(a, "team")).isFalse();
  }

  @Test
  void anyOther403IsNot() {
    assertThat(TerminatingNamespaces.refused(rbacForbidden(), "team")).isFalse();
    assertThat(TerminatingNamespaces.refused(
            new KubernetesClientException("forbidden", 403, null), "team"))
        .isFalse();
    assertThat(TerminatingNamespaces.refused(
            new AggregatedOperatorException(
                "Exception(s) during workflow execution.", Map.of("configmaps", rbacForbidden())),
            "team"))
        .isFalse();
    assertThat(TerminatingNamespaces.refused(new IllegalStateException("x"), "team"))
        .isFalse();
  }

  @Test
  void aHoldLastsItsTimeAndIsSaidOnce() {
    MovableClock clock = new MovableClock("2026-12-07T18:00:00Z");
    TerminatingNamespaces namespaces = new TerminatingNamespaces(clock);
    assertThat(namespaces.held("team")).isFalse();
    assertThat(namespaces.hold("team")).as("new").isTrue();
    assertThat(namespaces.hold("team")).as("already held").isFalse();
    assertThat(namespaces.held("team")).isTrue();
    assertThat(namespaces.held("other")).isFalse();
    clock.advance(TerminatingNamespaces.HOLD.minusMillis(1));
    assertThat(namespaces.held("team")).isTrue();
    clock.advance(Duration.ofMillis(1));
    assertThat(namespaces.held("team")).as("run out").isFalse();
    assertThat(namespaces.hold("team")).as("held anew").isTrue();
  }

  @Test
  void theHoldsOfNamespacesThatAreGoneAreForgotten() {
    MovableClock clock = new MovableClock("2026-12-07T18:00:00Z");
    TerminatingNamespaces namespaces = new TerminatingNamespaces(clock);
    for (int i = 0; i < 100; i++) {
      namespaces.hold("gone-" + i);
    }
    assertThat(namespaces.size()).isEqualTo(100);
    clock.advance(TerminatingNamespaces.HOLD);
    namespaces.hold("leaving");
    assertThat(namespaces.size()).as("only the new hold").isEqualTo(1);
  }

  @Test
  void theReconcilerNeitherReportsNorRetriesItAndThenLeavesTheNamespaceAlone() {
    MovableClock clock = new MovableClock("2026-12-07T18:00:00Z");
    var reconciler = new LoomioDeploymentReconciler(
        () -> ClusterCapabilities.forVersion(ClusterCapabilities.NEWEST),
        ImageDefaults.BUILT_IN,
        OperatorMetrics.inMemory(),
        new GeneratedCredentials(new CredentialGenerator(), clock),
        clock);
    var stack = Fixtures.minimal("team");
    stack.getMetadata().setNamespace("leaving");
    // no context: a status read, an event or any request would need one
    var failed = reconciler.updateErrorStatus(
        stack,
        null,
        new AggregatedOperatorException(
            "Exception(s) during workflow execution.",
            Map.of("networkpolicies", terminating("leaving"))));
    assertThat(failed.getResource()).as("status untouched").isEmpty();
    assertThat(failed.isNoRetry()).isTrue();
    assertThat(failed.getScheduleDelay())
        .as("looked at again when the hold runs out")
        .contains(TerminatingNamespaces.HOLD.toMillis());

    var next = reconciler.reconcile(stack, null);
    assertThat(next.isNoUpdate()).isTrue();
    assertThat(next.getScheduleDelay()).contains(TerminatingNamespaces.HOLD.toMillis());

    var another = Fixtures.minimal("second");
    another.getMetadata().setNamespace("leaving");
    assertThat(reconciler.reconcile(another, null).isNoUpdate())
        .as("every stack of the namespace")
        .isTrue();
    clock.advance(Duration.ofMinutes(5));
    assertThat(reconciler.updateErrorStatus(stack, null, terminating("leaving")).isNoRetry())
        .as("refused again after the hold")
        .isTrue();
  }
}
