package org.loomio.operator.render.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import org.junit.jupiter.api.Test;
import org.loomio.operator.testing.Fixtures;
import org.loomio.operator.testing.Pods;

class MigrationJobTest {

  private static Job job(String spec) {
    return MigrationJob.render(WebDeploymentTest.context(Fixtures.resource("team", spec)));
  }

  @Test
  void preparesTheDatabaseOnceAfterItAcceptsConnections() {
    Job j = job("host: a.example.org");
    assertThat(j.getMetadata().getName()).matches("team-migrate-[0-9a-f]{8}");
    var t = j.getSpec().getTemplate();
    assertThat(Pods.container(t, "migrate").getCommand())
        .containsExactly("bundle", "exec", "rake", "db:prepare");
    var wait = Pods.container(t, "wait-for-database");
    assertThat(wait.getImage()).isEqualTo("postgres:17");
    assertThat(Pods.env(wait))
        .containsEntry("PGHOST", "team-postgres")
        .containsEntry("PGPORT", "5432");
    assertThat(wait.getVolumeMounts())
        .as("a bare init container mounts only what it declares")
        .isEmpty();
    assertThat(t.getSpec().getRestartPolicy()).isEqualTo("Never");
    assertThat(j.getSpec().getTtlSecondsAfterFinished())
        .as("kept as the record of the migration")
        .isNull();
    assertThat(j.getSpec().getBackoffLimit()).isEqualTo(3);
    assertThat(j.getSpec().getActiveDeadlineSeconds()).isPositive();
    assertThat(t.getSpec().getServiceAccountName()).isEqualTo("team-migrate");
    assertThat(t.getSpec().getTopologySpreadConstraints()).isNullOrEmpty();
  }

  @Test
  void nameChangesWithTheImageAndTheDatabaseOnly() {
    String base = job("host: a.example.org").getMetadata().getName();
    assertThat(job("host: a.example.org\nsiteName: Other\nweb: {replicas: 0}")
            .getMetadata()
            .getName())
        .isEqualTo(base);
    assertThat(job("host: b.example.org").getMetadata().getName()).isEqualTo(base);
    assertThat(job("host: a.example.org\nimage: {tag: '3.6'}").getMetadata().getName())
        .isNotEqualTo(base);
    assertThat(
            job("host: a.example.org\ndatabase: {external: {host: pg, passwordSecretRef: {name: p, key: k}, version: 16}}")
                .getMetadata()
                .getName())
        .isNotEqualTo(base);
  }

  @Test
  void externalDatabaseIsWaitedForWithAClientOfItsVersion() {
    var wait = Pods.container(
        job("host: a.example.org\ndatabase: {external: {host: pg.example.org, port: 6432,"
                + " passwordSecretRef: {name: p, key: k}, version: 15}}")
            .getSpec()
            .getTemplate(),
        "wait-for-database");
    assertThat(wait.getImage()).isEqualTo("postgres:15");
    assertThat(Pods.env(wait))
        .containsEntry("PGHOST", "pg.example.org")
        .containsEntry("PGPORT", "6432");
  }

  @Test
  void aMigrateOnlyStoneGetsAWritableAppTmpForItsOldBootsnapAServedReleaseOnlyItsPidFiles() {
    var stone = job("host: a.example.org\nimage: {tag: \"2.17.1\"}").getSpec().getTemplate();
    assertThat(Pods.mounts(Pods.container(stone, "migrate")))
        .containsKey("/loomio/tmp")
        .doesNotContainKey(RailsContainer.PIDS_DIR);
    var served = job("host: a.example.org\nimage: {tag: \"3.5\"}").getSpec().getTemplate();
    assertThat(Pods.mounts(Pods.container(served, "migrate")))
        .containsKey(RailsContainer.PIDS_DIR)
        .doesNotContainKey("/loomio/tmp");
    assertThat(Pods.env(Pods.container(served, "migrate")))
        .containsEntry("REDIS_URL", "redis://:$(REDIS_PASSWORD)@team-redis:6379");
  }
}
