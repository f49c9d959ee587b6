package org.loomio.operator.render.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;
import org.loomio.operator.model.Labels;
import org.loomio.operator.testing.Fixtures;
import org.loomio.operator.testing.Pods;

class WorkerDeploymentTest {

  private static Deployment worker(String spec) {
    return WorkerDeployment.render(WebDeploymentTest.context(Fixtures.resource("team", spec)));
  }

  @Test
  void runsTheJobQueueWithTheConfiguredConcurrency() {
    Deployment d = worker("host: a.example.org\nworker: {concurrency: 3}");
    Container c = Pods.container(d.getSpec().getTemplate(), "worker");
    assertThat(d.getMetadata().getName()).isEqualTo("team-worker");
    assertThat(Pods.env(c))
        .containsEntry("TASK", "worker")
        .containsEntry("JOB_CONCURRENCY", "3")
        .doesNotContainKey("WEB_CONCURRENCY");
    assertThat(c.getCommand())
        .as("the image's entrypoint runs bin/jobs for TASK=worker")
        .isNullOrEmpty();
  }

  @Test
  void neverRunsTwoWorkersAtOnce() {
    Deployment d = worker("host: a.example.org");
    assertThat(d.getSpec().getReplicas()).isEqualTo(1);
    assertThat(d.getSpec().getStrategy().getType()).isEqualTo("Recreate");
    assertThat(worker("host: a.example.org\nworker: {replicas: 0}").getSpec().getReplicas())
        .isZero();
  }

  @Test
  void waitsForMigrationsAndSharesTheUploads() {
    var t = worker("host: a.example.org").getSpec().getTemplate();
    assertThat(Pods.container(t, "wait-for-migrations").getCommand())
        .contains("db:abort_if_pending_migrations");
    assertThat(Pods.mounts(Pods.container(t, "worker")))
        .containsEntry("/loomio/storage", "uploads");
    assertThat(t.getMetadata().getLabels()).containsEntry(Labels.UPLOADS_VOLUME, "team-uploads");
    assertThat(t.getSpec().getTerminationGracePeriodSeconds()).isEqualTo(60L);
  }

  @Test
  void hasNoProbesByRecordedException() {
    Container c = Pods.container(worker("host: a.example.org").getSpec().getTemplate(), "worker");
    assertThat(c.getLivenessProbe()).isNull();
    assertThat(c.getReadinessProbe()).isNull();
  }
}
