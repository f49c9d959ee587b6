package org.loomio.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.api.v1alpha1.LoomioDeploymentStatus;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.render.Stack;
import org.loomio.operator.status.APIAvailableReason;
import org.loomio.operator.status.Conditions;
import org.loomio.operator.status.DegradedReason;
import org.loomio.operator.status.MailDeliveryReason;
import org.loomio.operator.status.NetworkPoliciesReason;
import org.loomio.operator.status.ProgressingReason;
import org.loomio.operator.status.ReadyReason;
import org.loomio.operator.testing.Fixtures;

class StatusAggregatorTest {

  private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
  private static final Instant T1 = Instant.parse("2026-11-27T10:05:00Z");

  private final LoomioDeployment resource = Fixtures.minimal("team");
  private final Stack stack = Fixtures.render(resource);

  private StatusAggregator.Observed nothingRuns() {
    return new StatusAggregator.Observed(Map.of(), Map.of(), Optional.empty());
  }

  /** Everything as the controllers would report it once every pod is ready. */
  private StatusAggregator.Observed allReady(Stack s) {
    Map<String, Deployment> deployments = new HashMap<>();
    for (Deployment d : s.all(Deployment.class)) {
      Deployment seen = new DeploymentBuilder(d)
          .editMetadata()
          .withGeneration(1L)
          .endMetadata()
          .withNewStatus()
          .withObservedGeneration(1L)
          .withReplicas(d.getSpec().getReplicas())
          .withUpdatedReplicas(d.getSpec().getReplicas())
          .withReadyReplicas(d.getSpec().getReplicas())
          .withAvailableReplicas(d.getSpec().getReplicas())
          .endStatus()
          .build();
      deployments.put(d.getMetadata().getName(), seen);
    }
    Map<String, StatefulSet> sets = new HashMap<>();
    for (StatefulSet st : s.all(StatefulSet.class)) {
      sets.put(
          st.getMetadata().getName(),
          new StatefulSetBuilder(st)
              .editMetadata()
              .withGeneration(1L)
              .endMetadata()
              .withNewStatus()
              .withObservedGeneration(1L)
              .withReplicas(1)
              .withReadyReplicas(1)
              .withCurrentRevision("r1")
              .withUpdateRevision("r1")
              .endStatus()
              .build());
    }
    Job job = new JobBuilder(s.all(Job.class).get(0))
        .withNewStatus()
        .withSucceeded(1)
        .endStatus()
        .build();
    return new StatusAggregator.Observed(deployments, sets, Optional.of(job));
  }

  private static Condition condition(LoomioDeploymentStatus s, String type) {
    return Conditions.find(s.getConditions(), type).orElseThrow();
  }

  @Test
  void beforeAnyPodRunsItSaysWhatItWaitsFor() {
    LoomioDeploymentStatus s = StatusAggregator.applied(resource, stack, nothingRuns(), T0);
    assertThat(s.getObservedGeneration()).isEqualTo(1L);
    assertThat(s.getUrl()).isEqualTo("https://team.example.org");
    assertThat(s.getImage()).isEqualTo("loomio/loomio:3.5");
    assertThat(s.getComponents())
        .containsOnlyKeys("web", "worker", "hocuspocus", "database", "redis");
    assertThat(s.getComponents().get("web").getReady()).isZero();
    Condition ready = condition(s, Conditions.READY);
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getReason()).isEqualTo(ProgressingReason.MIGRATION_PENDING.value());
    assertThat(ready.getMessage()).contains(stack.migrationJob()).contains("has not started a pod");
    assertThat(condition(s, Conditions.PROGRESSING).getStatus()).isEqualTo("True");
    assertThat(condition(s, Conditions.DEGRADED).getStatus()).isEqualTo("False");
    assertThat(condition(s, Conditions.MAIL_DELIVERY).getReason())
        .isEqualTo(MailDeliveryReason.SMTP_NOT_CONFIGURED.value());
    assertThat(condition(s, Conditions.API_AVAILABLE).getStatus()).isEqualTo("True");
    assertThat(s.getConditions())
        .extracting(Condition::getType)
        .containsExactlyElementsOf(Conditions.ORDER.stream()
            .filter(t -> !t.equals(Conditions.EDGE)
                && !t.equals(Conditions.BACKUPS_HEALTHY)
                && !t.equals(Conditions.ISOLATED)
                && !t.equals(Conditions.SECRETS_FRESH))
            .toList());
    assertThat(s.getConditions())
        .allSatisfy(c -> assertThat(c.getObservedGeneration()).isEqualTo(1L));
  }

  @Test
  void readyWhenMigratedAndEveryWorkloadIsAvailable() {
    LoomioDeploymentStatus s = StatusAggregator.applied(resource, stack, allReady(stack), T0);
    assertThat(condition(s, Conditions.READY).getStatus()).isEqualTo("True");
    assertThat(condition(s, Conditions.PROGRESSING).getStatus()).isEqualTo("False");
    assertThat(s.getComponents().values())
        .allSatisfy(c -> assertThat(c.getReady()).isEqualTo(c.getDesired()));
  }

  @Test
  void aNewImageIsNotReadyUntilRolledOut() {
    StatusAggregator.Observed old = allReady(stack);
    LoomioDeployment upgraded =
        Fixtures.resource("team", "host: team.example.org\nimage: {tag: '3.6'}");
    Stack next = Fixtures.render(upgraded);
    Job migrated = new JobBuilder(next.all(Job.class).get(0))
        .withNewStatus()
        .withSucceeded(1)
        .endStatus()
        .build();
    LoomioDeploymentStatus s = StatusAggregator.applied(
        upgraded,
        next,
        new StatusAggregator.Observed(old.deployments(), old.statefulSets(), Optional.of(migrated)),
        T0);
    assertThat(condition(s, Conditions.READY).getReason())
        .isEqualTo(ReadyReason.WORKLOADS_NOT_READY.value());
    assertThat(condition(s, Conditions.PROGRESSING).getReason())
        .isEqualTo(ProgressingReason.ROLLING_OUT.value());
    assertThat(s.getComponents().get("web").getReady())
        .as("old pods do not count")
        .isZero();
    assertThat(s.getComponents().get("database").getReady()).isEqualTo(1);
  }

  @Test
  void aMigrateOnlyStoneSaysOnlyItsMigrationRunsAndWhatComesNext() {
    LoomioDeployment stone =
        Fixtures.resource("team", "host: team.example.org\nimage: {tag: \"2.11.13\"}");
    Stack s = Fixtures.render(stone);
    LoomioDeploymentStatus pending = StatusAggregator.applied(
        stone, s, new StatusAggregator.Observed(Map.of(), Map.of(), Optional.empty()), T0);
    assertThat(condition(pending, Conditions.READY).getReason())
        .isEqualTo(ReadyReason.MIGRATE_ONLY.value());
    assertThat(condition(pending, Conditions.READY).getMessage())
        .contains("stay at zero")
        .contains(s.migrationJob());
    assertThat(condition(pending, Conditions.PROGRESSING).getStatus()).isEqualTo("True");

    Job done = new JobBuilder(s.all(Job.class).get(0))
        .withNewStatus()
        .withSucceeded(1)
        .endStatus()
        .build();
    LoomioDeploymentStatus migrated = StatusAggregator.applied(
        stone, s, new StatusAggregator.Observed(Map.of(), Map.of(), Optional.of(done)), T0);
    assertThat(condition(migrated, Conditions.READY).getStatus()).isEqualTo("False");
    assertThat(condition(migrated, Conditions.READY).getMessage())
        .contains("it succeeded")
        .contains("Set spec.image.tag to 2.15.4 next");
    assertThat(condition(migrated, Conditions.PROGRESSING).getStatus() + " "
            + condition(migrated, Conditions.PROGRESSING).getReason())
        .isEqualTo("False " + ReadyReason.MIGRATE_ONLY.value());
    assertThat(condition(migrated, Conditions.DEGRADED).getStatus()).isEqualTo("False");
  }

  @Test
  void aFailedMigrationDegradesAndSaysWhatToDo() {
    Job failed = new JobBuilder(stack.all(Job.class).get(0))
        .withNewStatus()
        .withFailed(4)
        .addNewCondition()
        .withType("Failed")
        .withStatus("True")
        .withReason("BackoffLimitExceeded")
        .withMessage("Job has reached the specified backoff limit")
        .endCondition()
        .endStatus()
        .build();
    LoomioDeploymentStatus s = StatusAggregator.applied(
        resource,
        stack,
        new StatusAggregator.Observed(Map.of(), Map.of(), Optional.of(failed)),
        T0);
    assertThat(condition(s, Conditions.DEGRADED).getStatus()).isEqualTo("True");
    assertThat(condition(s, Conditions.DEGRADED).getReason())
        .isEqualTo(DegradedReason.MIGRATION_FAILED.value());
    assertThat(condition(s, Conditions.DEGRADED).getMessage())
        .contains("BackoffLimitExceeded")
        .contains("kubectl logs job/" + stack.migrationJob());
    assertThat(condition(s, Conditions.READY).getStatus()).isEqualTo("False");
  }

  @Test
  void transitionTimesMoveOnlyWithTheStatus() {
    LoomioDeploymentStatus first = StatusAggregator.applied(resource, stack, nothingRuns(), T0);
    resource.setStatus(first);
    LoomioDeploymentStatus same = StatusAggregator.applied(resource, stack, nothingRuns(), T1);
    assertThat(same).isEqualTo(first);
    LoomioDeploymentStatus ready = StatusAggregator.applied(resource, stack, allReady(stack), T1);
    assertThat(condition(ready, Conditions.READY).getLastTransitionTime())
        .isEqualTo("2026-11-27T10:05:00Z");
    assertThat(condition(ready, Conditions.DEGRADED).getLastTransitionTime())
        .isEqualTo("2026-11-27T10:00:00Z");
  }

  @Test
  void blockedKeepsWhatWasObservedAndIsNotReady() {
    resource.setStatus(StatusAggregator.applied(resource, stack, allReady(stack), T0));
    resource.getMetadata().setGeneration(2L);
    LoomioDeploymentStatus s = StatusAggregator.blocked(
        resource, DegradedReason.INVALID_SPEC.value(), "spec.web.replicas: bad", T1);
    assertThat(s.getObservedGeneration()).isEqualTo(2L);
    assertThat(s.getImage()).isEqualTo("loomio/loomio:3.5");
    assertThat(s.getComponents().get("web").getReady()).isEqualTo(1);
    assertThat(condition(s, Conditions.DEGRADED).getMessage()).isEqualTo("spec.web.replicas: bad");
    assertThat(condition(s, Conditions.READY).getStatus()).isEqualTo("False");
    assertThat(condition(s, Conditions.MAIL_DELIVERY).getObservedGeneration())
        .as("kept as it was")
        .isEqualTo(1L);
  }

  /**
   * Ready of a generation that is not applied: "the objects of the last good spec are left as they were" only
   * where there is one; a first spec that is refused says nothing was applied yet; a failed apply says so.
   */
  @Test
  void readySaysNothingWasAppliedYetWhenNoSpecEverWas() {
    LoomioDeploymentStatus first = StatusAggregator.blocked(
        resource, DegradedReason.INVALID_SPEC.value(), "spec.web.replicas: bad", T0);
    assertThat(condition(first, Conditions.READY).getMessage())
        .isEqualTo(
            "generation 1 is not applied (see the"
                + " Degraded condition), and no earlier one was: nothing of this stack has been applied yet");
    // refused again at generation 2, still with nothing applied before
    resource.setStatus(first);
    resource.getMetadata().setGeneration(2L);
    assertThat(condition(
                StatusAggregator.blocked(
                    resource, DegradedReason.SECRET_NOT_FOUND.value(), "x", T1),
                Conditions.READY)
            .getMessage())
        .contains("nothing of this stack has been applied yet")
        .doesNotContain("last good spec");

    resource.setStatus(StatusAggregator.applied(resource, stack, allReady(stack), T0));
    resource.getMetadata().setGeneration(3L);
    assertThat(condition(
                StatusAggregator.blocked(resource, DegradedReason.INVALID_SPEC.value(), "x", T1),
                Conditions.READY)
            .getMessage())
        .isEqualTo(
            "generation 3 is not applied (see the Degraded condition); the objects of the last"
                + " good spec are left as they were");
    assertThat(condition(StatusAggregator.failed(resource, "409 conflict", T1), Conditions.READY)
            .getMessage())
        .isEqualTo(
            "generation 3 is not fully applied (see the Degraded condition); the operator tries again");
  }

  @Test
  void namesInWordsNeverInBrackets() {
    assertThat(Conditions.inWords(List.of())).isEmpty();
    assertThat(Conditions.inWords(List.of("team-web"))).isEqualTo("team-web");
    assertThat(Conditions.inWords(List.of("team-web", "team-hocuspocus")))
        .isEqualTo("team-web and team-hocuspocus");
    assertThat(Conditions.inWords(List.of("a", "b", "c"))).isEqualTo("a, b and c");
  }

  @Test
  void missingApisAreNamed() {
    LoomioDeployment scaled = Fixtures.resource(
        "team",
        "host: a.example.org\nweb: {replicas: 2}\nstorage: {volume: {accessMode: ReadWriteMany}}");
    Stack old = Fixtures.render(scaled, ClusterCapabilities.forVersion("1.20"));
    LoomioDeploymentStatus s = StatusAggregator.applied(scaled, old, nothingRuns(), T0);
    Condition api = condition(s, Conditions.API_AVAILABLE);
    assertThat(api.getStatus()).isEqualTo("False");
    assertThat(api.getReason()).isEqualTo(APIAvailableReason.API_MISSING.value());
    // 1.20 holds the budgets as policy/v1beta1, but not the field that keeps an unhealthy pod
    // evictable
    assertThat(api.getMessage()).contains("PodDisruptionBudget.spec.unhealthyPodEvictionPolicy");
    assertThat(condition(s, Conditions.READY).getReason())
        .as("APIAvailable does not affect Ready")
        .isEqualTo(ProgressingReason.MIGRATION_PENDING.value());
  }

  @Test
  void mailDeliveryReportsTheConfiguredServer() {
    LoomioDeployment withMail =
        Fixtures.resource("team", "host: a.example.org\nsmtp: {host: smtp.example.org}");
    LoomioDeploymentStatus s =
        StatusAggregator.applied(withMail, Fixtures.render(withMail), nothingRuns(), T0);
    assertThat(condition(s, Conditions.MAIL_DELIVERY).getStatus()).isEqualTo("True");
    assertThat(condition(s, Conditions.MAIL_DELIVERY).getMessage())
        .contains("smtp.example.org:587 (starttls, certificate verified)");
    assertThat(List.of(s.getConditions().toString())).noneMatch(t -> t.contains("password"));
  }

  @Test
  void networkPoliciesSayWhereAnAddressIsAssumedAndHowToGiveItsRange() {
    var spec = org.loomio.operator.model.ResolvedSpec.of(
        Fixtures.resource("team", """
        host: a.example.org
        database: {external: {host: pg.example.org, passwordSecretRef: {name: pg, key: password}, version: 16}}
        """), org.loomio.operator.model.ImageDefaults.BUILT_IN);
    Condition assumed = StatusAggregator.networkPolicies(spec, 3L);
    assertThat(assumed.getStatus()).isEqualTo("Unknown");
    assertThat(assumed.getReason())
        .isEqualTo(NetworkPoliciesReason.PUBLIC_ADDRESSES_ASSUMED.value());
    assertThat(assumed.getMessage())
        .contains("pg.example.org:5432")
        .contains("spec.networkPolicy.egress.database");
    assertThat(assumed.getObservedGeneration()).isEqualTo(3L);

    Condition pinned = StatusAggregator.networkPolicies(
        org.loomio.operator.model.ResolvedSpec.of(
            Fixtures.resource("team", "host: a.example.org"),
            org.loomio.operator.model.ImageDefaults.BUILT_IN),
        1L);
    assertThat(pinned.getStatus() + " " + pinned.getReason())
        .isEqualTo("True " + NetworkPoliciesReason.AS_SPECIFIED.value());

    Condition off = StatusAggregator.networkPolicies(
        org.loomio.operator.model.ResolvedSpec.of(
            Fixtures.resource("team", "host: a.example.org\nnetworkPolicy: {enabled: false}"),
            org.loomio.operator.model.ImageDefaults.BUILT_IN),
        1L);
    assertThat(off.getStatus() + " " + off.getReason())
        .isEqualTo("False " + NetworkPoliciesReason.DISABLED.value());
  }
}
