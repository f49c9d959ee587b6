package org.loomio.operator.render.base;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * The same object in the older API version a cluster before 1.21 serves: batch/v1beta1 CronJob and
 * policy/v1beta1 PodDisruptionBudget have the fields the operator sets under the same names (a v1-only field,
 * {@code timeZone} or {@code unhealthyPodEvictionPolicy}, is refused, never dropped: render leaves those out
 * for such clusters itself). Everything is rendered once, in v1; this only changes the version.
 */
public final class OlderApis {

  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  private OlderApis() {}

  public static io.fabric8.kubernetes.api.model.batch.v1beta1.CronJob cronJobV1beta1(CronJob v1) {
    if (v1.getSpec().getTimeZone() != null) {
      throw new IllegalArgumentException("batch/v1beta1 CronJob has no timeZone");
    }
    return convert(
        v1, io.fabric8.kubernetes.api.model.batch.v1beta1.CronJob.class, "batch/v1beta1");
  }

  public static io.fabric8.kubernetes.api.model.policy.v1beta1.PodDisruptionBudget
      podDisruptionBudgetV1beta1(PodDisruptionBudget v1) {
    if (v1.getSpec().getUnhealthyPodEvictionPolicy() != null) {
      throw new IllegalArgumentException(
          "policy/v1beta1 PodDisruptionBudget has no unhealthyPodEvictionPolicy");
    }
    return convert(
        v1,
        io.fabric8.kubernetes.api.model.policy.v1beta1.PodDisruptionBudget.class,
        "policy/v1beta1");
  }

  private static <T extends HasMetadata> T convert(
      HasMetadata from, Class<T> to, String apiVersion) {
    T converted = JSON.unmarshal(JSON.asJson(from), to);
    converted.setApiVersion(apiVersion);
    return converted;
  }
}
