package org.loomio.operator.render.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.model.Labels;
import org.loomio.operator.model.Names;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.Stack;
import org.loomio.operator.render.workload.WebDeploymentTest;
import org.loomio.operator.testing.Fixtures;

class ServicesTest {

  private static List<Service> services(String spec) {
    return Services.render(WebDeploymentTest.context(Fixtures.resource("team", spec)));
  }

  @Test
  void everyServiceIsClusterIpWithExplicitProtocol() {
    List<Service> all = services("host: a.example.org");
    assertThat(all)
        .extracting(s -> s.getMetadata().getName())
        .containsExactly(
            "team-web", "team-hocuspocus", "team-postgres", "team-postgres-headless", "team-redis");
    assertThat(all).allSatisfy(s -> {
      assertThat(s.getSpec().getType()).isEqualTo("ClusterIP");
      assertThat(s.getSpec().getPorts())
          .allSatisfy(p -> assertThat(p.getProtocol()).isEqualTo("TCP"));
    });
    Service web = all.get(0);
    assertThat(web.getSpec().getPorts().get(0).getPort()).isEqualTo(80);
    assertThat(web.getSpec().getPorts().get(0).getTargetPort().getStrVal()).isEqualTo("http");
    assertThat(web.getSpec().getSelector())
        .containsEntry(Labels.COMPONENT, "web")
        .containsEntry(Labels.INSTANCE, "team");
  }

  @Test
  void theDatabaseIsGovernedByAHeadlessServiceWhileClientsKeepTheirClusterIp() {
    List<Service> all = services("host: a.example.org");
    Service clients = all.stream()
        .filter(s -> s.getMetadata().getName().equals("team-postgres"))
        .findFirst()
        .orElseThrow();
    Service headless = all.stream()
        .filter(s -> s.getMetadata().getName().equals(Names.postgresHeadless("team")))
        .findFirst()
        .orElseThrow();
    assertThat(clients.getSpec().getClusterIP()).isNull();
    assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(headless.getSpec().getPublishNotReadyAddresses())
        .as("not-ready databases are not published")
        .isNull();
    assertThat(headless.getSpec().getSelector()).isEqualTo(clients.getSpec().getSelector());
    assertThat(headless.getSpec().getPorts()).isEqualTo(clients.getSpec().getPorts());
    assertThat(headless.getMetadata().getLabels())
        .isEqualTo(clients.getMetadata().getLabels());
    assertThat(ResolvedSpec.of(
                Fixtures.resource("team", "host: a.example.org"), ImageDefaults.BUILT_IN)
            .database()
            .host())
        .isEqualTo("team-postgres");
  }

  /** The headless Service changes no flow: the postgres policy selects the pods both Services select. */
  @Test
  void thePostgresPolicyStillAdmitsItsClientsToThePodsBothServicesSelect() {
    Stack stack = Fixtures.render(Fixtures.minimal("team"));
    var pod = stack
        .get(io.fabric8.kubernetes.api.model.apps.StatefulSet.class, "team-postgres")
        .orElseThrow()
        .getSpec()
        .getTemplate()
        .getMetadata()
        .getLabels();
    for (String name : List.of("team-postgres", "team-postgres-headless")) {
      assertThat(pod)
          .as(name)
          .containsAllEntriesOf(
              stack.get(Service.class, name).orElseThrow().getSpec().getSelector());
    }
    var policy = stack
        .get(io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class, "team-postgres")
        .orElseThrow()
        .getSpec();
    assertThat(pod).containsAllEntriesOf(policy.getPodSelector().getMatchLabels());
    assertThat(policy.getIngress())
        .singleElement()
        .satisfies(rule -> assertThat(rule.getFrom())
            .extracting(peer -> peer.getPodSelector().getMatchLabels().get(Labels.COMPONENT))
            .contains("web", "worker", "migrate", "backup", "restore"));
  }

  @Test
  void onlyWhatRuns() {
    assertThat(services("""
        host: a.example.org
        hocuspocus: {enabled: false}
        redis: {mode: none}
        database: {external: {host: pg, passwordSecretRef: {name: p, key: k}, version: 16}}
        """))
        .extracting(s -> s.getMetadata().getName())
        .containsExactly("team-web");
  }
}
