package org.loomio.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.loomio.operator.render.Stack;
import org.loomio.operator.render.StackRenderer;
import org.loomio.operator.render.workload.WebDeploymentTest;
import org.loomio.operator.testing.Fixtures;

class InventoryTest {

  private final KubernetesSerialization serialization = new KubernetesSerialization();

  @Test
  void namesEveryRenderedObjectInApplyOrderAndNothingElse() {
    Stack stack = StackRenderer.render(
        WebDeploymentTest.context(Fixtures.resource("team", "host: team.example.org")));
    List<String> inventory = Inventory.of(stack);
    assertThat(inventory).hasSize(stack.objects().size()).doesNotHaveDuplicates();
    assertThat(inventory)
        .contains(
            "v1/ConfigMap/team-config",
            "apps/v1/Deployment/team-web",
            "apps/v1/StatefulSet/team-postgres",
            "networking.k8s.io/v1/NetworkPolicy/team-default-deny");
    for (int i = 0; i < inventory.size(); i++) {
      HasMetadata o = stack.objects().get(i);
      assertThat(inventory.get(i))
          .isEqualTo(
              o.getApiVersion() + "/" + o.getKind() + "/" + o.getMetadata().getName());
    }
    // names only: not a value of any object
    assertThat(String.join("\n", inventory)).doesNotContain("=").doesNotContain(":");
  }

  @Test
  void anEntryBecomesAnObjectOfItsModelClassToLookUp() {
    HasMetadata web =
        Inventory.object("apps/v1/Deployment/team-web", "ns", serialization).orElseThrow();
    assertThat(web).isInstanceOf(Deployment.class);
    assertThat(web.getMetadata().getName()).isEqualTo("team-web");
    assertThat(web.getMetadata().getNamespace()).isEqualTo("ns");
    assertThat(Inventory.object("v1/ConfigMap/team-config", "ns", serialization).orElseThrow())
        .isInstanceOf(ConfigMap.class);
    assertThat(Inventory.object("batch/v1beta1/CronJob/team-backup", "ns", serialization)
            .orElseThrow())
        .isInstanceOf(io.fabric8.kubernetes.api.model.batch.v1beta1.CronJob.class);
    assertThat(Inventory.object("example.org/v1/Thing/x", "ns", serialization).orElseThrow())
        .isInstanceOf(GenericKubernetesResource.class);
  }

  @Test
  void aMalformedEntryIsNoObject() {
    for (String bad : new String[] {
      null,
      "",
      "team-web",
      "Deployment/team-web",
      "/Deployment/x",
      "apps/v1//x",
      "apps/v1/Deployment/"
    }) {
      assertThat(Inventory.object(bad, "ns", serialization))
          .as(String.valueOf(bad))
          .isEmpty();
    }
  }
}
