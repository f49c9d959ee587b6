package org.loomio.operator.render.base;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;
import org.loomio.operator.testing.Fixtures;

/** The v1beta1 versions of a CronJob and a PodDisruptionBudget never carry a field only v1 has. */
class OlderApisTest {

  @Test
  void aV1OnlyFieldIsRefusedNotSilentlyCarriedOver() {
    CronJob zoned = new CronJobBuilder()
        .withNewMetadata()
        .withName("x")
        .endMetadata()
        .withNewSpec()
        .withSchedule("@daily")
        .withTimeZone("Europe/Berlin")
        .endSpec()
        .build();
    assertThatThrownBy(() -> OlderApis.cronJobV1beta1(zoned)).hasMessageContaining("timeZone");
    // what the check prevents: the older model keeps the unknown field and would send it
    var json = new KubernetesSerialization();
    var carried = json.unmarshal(
        json.asJson(zoned), io.fabric8.kubernetes.api.model.batch.v1beta1.CronJob.class);
    assertThat(Fixtures.additionalProperties(carried)).containsExactly(".Spec.timeZone");

    var budget = new PodDisruptionBudgetBuilder()
        .withNewMetadata()
        .withName("x")
        .endMetadata()
        .withNewSpec()
        .withUnhealthyPodEvictionPolicy("AlwaysAllow")
        .endSpec()
        .build();
    assertThatThrownBy(() -> OlderApis.podDisruptionBudgetV1beta1(budget))
        .hasMessageContaining("unhealthyPodEvictionPolicy");
  }
}
