package org.loomio.operator.render.workload;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.loomio.operator.testing.Fixtures;

class ServiceAccountsTest {

  @Test
  void oneAccountPerPodRunningComponentNoneMountsAToken() {
    var accounts = ServiceAccounts.render(WebDeploymentTest.context(Fixtures.minimal("team")));
    assertThat(accounts)
        .extracting(a -> a.getMetadata().getName())
        .containsExactly(
            "team-web",
            "team-worker",
            "team-migrate",
            "team-hocuspocus",
            "team-postgres",
            "team-db-roles",
            "team-redis",
            "team-backup",
            "team-restore",
            "team-drill");
    assertThat(accounts)
        .allSatisfy(a -> assertThat(a.getAutomountServiceAccountToken()).isFalse());
    // the ServiceAccounts informer ignores changes of `secrets`
    // (IgnoreUnreadServiceAccountChanges):
    // the operator must never set them, or a drift there would go unrepaired
    assertThat(accounts).allSatisfy(a -> {
      assertThat(a.getSecrets()).isNullOrEmpty();
    });
    var external = ServiceAccounts.render(WebDeploymentTest.context(Fixtures.resource(
        "team", "host: a.example.org\nredis: {mode: none}\nhocuspocus: {enabled: false}")));
    assertThat(external)
        .extracting(a -> a.getMetadata().getName())
        .containsExactly(
            "team-web",
            "team-worker",
            "team-migrate",
            "team-postgres",
            "team-db-roles",
            "team-backup",
            "team-restore",
            "team-drill");
  }
}
