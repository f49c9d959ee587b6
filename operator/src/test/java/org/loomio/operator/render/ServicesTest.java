package org.loomio.operator.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.loomio.operator.testing.Fixtures;

class ServicesTest {

  private static List<Service> services(String spec) {
    return Services.render(WebDeploymentTest.context(Fixtures.resource("team", spec)));
  }

  @Test
  void everyServiceIsClusterIpWithExplicitProtocol() {
    List<Service> all = services("host: a.example.org");
    assertThat(all).extracting(s -> s.getMetadata().getName())
        .containsExactly("team-web", "team-hocuspocus", "team-postgres", "team-redis");
    assertThat(all).allSatisfy(s -> {
      assertThat(s.getSpec().getType()).isEqualTo("ClusterIP");
      assertThat(s.getSpec().getPorts()).allSatisfy(p -> assertThat(p.getProtocol()).isEqualTo("TCP"));
    });
    Service web = all.get(0);
    assertThat(web.getSpec().getPorts().get(0).getPort()).isEqualTo(80);
    assertThat(web.getSpec().getPorts().get(0).getTargetPort().getStrVal()).isEqualTo("http");
    assertThat(web.getSpec().getSelector()).containsEntry(Labels.COMPONENT, "web").containsEntry(Labels.INSTANCE, "team");
  }

  @Test
  void onlyWhatRuns() {
    assertThat(services("""
        host: a.example.org
        hocuspocus: {enabled: false}
        redis: {mode: none}
        database: {external: {host: pg, passwordSecretRef: {name: p, key: k}, version: 16}}
        """)).extracting(s -> s.getMetadata().getName()).containsExactly("team-web");
  }
}
