package org.loomio.operator.render.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import org.junit.jupiter.api.Test;
import org.loomio.operator.testing.Fixtures;
import org.loomio.operator.testing.Pods;

class PostgresStatefulSetTest {

  private static StatefulSet postgres(String spec) {
    return PostgresStatefulSet.render(WebDeploymentTest.context(Fixtures.resource("team", spec)));
  }

  @Test
  void runsTheOfficialImageOfTheConfiguredMajorOnTheRetainedClaim() {
    StatefulSet s = postgres("host: a.example.org\ndatabase: {embedded: {version: 16}}");
    Container c = Pods.container(s.getSpec().getTemplate(), "postgres");
    assertThat(c.getImage()).isEqualTo("postgres:16");
    assertThat(s.getSpec().getVolumeClaimTemplates()).isNullOrEmpty();
    assertThat(Pods.volume(s.getSpec().getTemplate(), "data")
            .orElseThrow()
            .getPersistentVolumeClaim()
            .getClaimName())
        .isEqualTo("team-postgres-data");
    assertThat(Pods.env(c))
        .containsEntry("PGDATA", "/var/lib/postgresql/data/pgdata")
        // the bootstrap superuser's password is its own, never the app's
        .containsEntry(
            "POSTGRES_PASSWORD", "secret:team-postgres-superuser/POSTGRES_SUPERUSER_PASSWORD")
        .containsEntry("POSTGRES_DB", "loomio_production")
        .containsEntry("POSTGRES_USER", "loomio");
    assertThat(s.getSpec().getServiceName()).isEqualTo("team-postgres-headless");
  }

  @Test
  void anExistingStatefulSetKeepsItsImmutableServiceName() {
    var ctx = WebDeploymentTest.context(Fixtures.resource("team", "host: a.example.org"))
        .withExistingPostgresServiceName("team-postgres");
    assertThat(PostgresStatefulSet.render(ctx).getSpec().getServiceName())
        .isEqualTo("team-postgres");
    var fresh = WebDeploymentTest.context(Fixtures.resource("team", "host: a.example.org"))
        .withExistingPostgresServiceName(null);
    assertThat(PostgresStatefulSet.render(fresh).getSpec().getServiceName())
        .isEqualTo("team-postgres-headless");
  }

  /** The render kept a legacy name from a cache that is stale by the create: the create never brings it back. */
  @Test
  void aStatefulSetIsCreatedGovernedByTheHeadlessServiceWhateverTheRenderKept() {
    var legacy = PostgresStatefulSet.render(
        WebDeploymentTest.context(Fixtures.resource("team", "host: a.example.org"))
            .withExistingPostgresServiceName("team-postgres"));
    StatefulSet created = PostgresStatefulSet.toCreate(legacy, "team");
    assertThat(created.getSpec().getServiceName()).isEqualTo("team-postgres-headless");
    assertThat(legacy.getSpec().getServiceName())
        .as("the rendered object is not changed")
        .isEqualTo("team-postgres");
    created.getSpec().setServiceName(legacy.getSpec().getServiceName());
    assertThat(created).as("nothing else differs").isEqualTo(legacy);

    StatefulSet fresh = postgres("host: a.example.org");
    assertThat(PostgresStatefulSet.toCreate(fresh, "team")).isSameAs(fresh);
  }

  @Test
  void writesOnlyToItsVolumes() {
    var t = postgres("host: a.example.org").getSpec().getTemplate();
    assertThat(Pods.mounts(Pods.container(t, "postgres")))
        .containsKeys("/var/lib/postgresql/data", "/var/run/postgresql", "/tmp", "/dev/shm");
    assertThat(Pods.volume(t, "shm").orElseThrow().getEmptyDir().getMedium()).isEqualTo("Memory");
  }

  @Test
  void mirrorsAndDigestsAreHonoured() {
    String digest = "sha256:" + "0".repeat(64);
    Container c = Pods.container(
        postgres(
                "host: a.example.org\ndatabase: {embedded: {image: {repository: mirror.example.org/postgres, digest: "
                    + digest + "}}}")
            .getSpec()
            .getTemplate(),
        "postgres");
    assertThat(c.getImage()).isEqualTo("mirror.example.org/postgres:17@" + digest);
    assertThat(c.getImagePullPolicy()).isEqualTo("Always");
  }

  @Test
  void readinessChecksConnectionsLivenessTheSocket() {
    Container c =
        Pods.container(postgres("host: a.example.org").getSpec().getTemplate(), "postgres");
    assertThat(String.join(" ", c.getReadinessProbe().getExec().getCommand()))
        .contains("pg_isready");
    assertThat(c.getLivenessProbe().getTcpSocket().getPort().getStrVal()).isEqualTo("postgres");
  }
}
