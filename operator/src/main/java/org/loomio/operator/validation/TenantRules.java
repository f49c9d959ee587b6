package org.loomio.operator.validation;

import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import org.loomio.operator.api.v1alpha1.ImageOverride;
import org.loomio.operator.api.v1alpha1.LoomioDeploymentSpec;
import org.loomio.operator.api.v1alpha1.PodMetadataKeys;
import org.loomio.operator.api.v1alpha1.PodOptions;

/**
 * The {@link TenantPolicy} applied to one spec: every image field it can set, and the pod options of every
 * component. A refusal names the field and the operator setting that would admit it.
 */
final class TenantRules {

  private TenantRules() {}

  static void check(LoomioDeploymentSpec s, TenantPolicy policy, List<Violation> v) {
    images(s, policy, v);
    pod("spec.web.pod", s.getWeb() == null ? null : s.getWeb().getPod(), policy, v);
    pod("spec.worker.pod", s.getWorker() == null ? null : s.getWorker().getPod(), policy, v);
    pod(
        "spec.hocuspocus.pod",
        s.getHocuspocus() == null ? null : s.getHocuspocus().getPod(),
        policy,
        v);
    if (s.getDatabase() != null && s.getDatabase().getEmbedded() != null) {
      pod("spec.database.embedded.pod", s.getDatabase().getEmbedded().getPod(), policy, v);
    }
    if (s.getRedis() != null && s.getRedis().getEmbedded() != null) {
      pod("spec.redis.embedded.pod", s.getRedis().getEmbedded().getPod(), policy, v);
    }
  }

  private static void images(LoomioDeploymentSpec s, TenantPolicy policy, List<Violation> v) {
    if (s.getImage() != null) {
      repository("spec.image.repository", s.getImage().getRepository(), policy, v);
    }
    if (s.getDatabase() != null && s.getDatabase().getEmbedded() != null) {
      override("spec.database.embedded.image", s.getDatabase().getEmbedded().getImage(), policy, v);
    }
    if (s.getDatabase() != null && s.getDatabase().getCloudNativePG() != null) {
      override(
          "spec.database.cloudNativePG.image",
          s.getDatabase().getCloudNativePG().getImage(),
          policy,
          v);
    }
    if (s.getRedis() != null && s.getRedis().getEmbedded() != null) {
      override("spec.redis.embedded.image", s.getRedis().getEmbedded().getImage(), policy, v);
    }
    if (s.getBackup() != null && s.getBackup().getImage() != null) {
      v.add(new Violation(
          "spec.backup.image",
          "the backup agent is always the operator's own image "
              + policy.agentImage()
              + " (its pods read the backup key and the stack's credentials); remove"
              + " spec.backup.image"));
    }
  }

  private static void override(
      String field, ImageOverride image, TenantPolicy policy, List<Violation> v) {
    if (image != null) {
      repository(field + ".repository", image.getRepository(), policy, v);
    }
  }

  private static void repository(
      String field, String repository, TenantPolicy policy, List<Violation> v) {
    if (repository == null || repository.isEmpty() || policy.admitsRepository(repository)) {
      return;
    }
    v.add(new Violation(
        field,
        repository + " is not an image repository this operator admits (allowed: "
            + String.join(", ", policy.allowedImageRepositories()) + "); "
            + TenantPolicy.IMAGE_SETTING
            + ", admits more"));
  }

  private static void pod(String field, PodOptions pod, TenantPolicy policy, List<Violation> v) {
    if (pod == null) {
      return;
    }
    if (pod.getAnnotations() != null) {
      for (String key : pod.getAnnotations().keySet()) {
        if (TenantPolicy.securityAnnotation(key)) {
          // the security profile has its own setting: admitted by it alone, whatever the annotation
          // list says
          if (policy.allowSecurityAnnotations()) {
            continue;
          }
          v.add(
              new Violation(
                  field + ".annotations",
                  key + ": annotations that change the pods' security profile"
                      + " (AppArmor, seccomp, *.security.* keys, CRI-O overrides) are refused; the operator sets the profile"
                      + " (seccomp RuntimeDefault, the runtime's default AppArmor profile). The operator's"
                      + " ALLOW_SECURITY_ANNOTATIONS, chart value tenancy.allowSecurityAnnotations, admits them"));
        } else if (PodMetadataKeys.operatorsAnnotation(key)) {
          v.add(new Violation(
              field + ".annotations", key + ": " + PodMetadataKeys.OPERATORS_ANNOTATION_MESSAGE));
        } else if (!policy.admitsPodAnnotation(key)) {
          v.add(new Violation(
              field + ".annotations", key + ": " + PodMetadataKeys.NOT_ALLOWED_ANNOTATION_MESSAGE));
        }
      }
    }
    if (!policy.allowSystemPriorityClasses()
        && TenantPolicy.systemPriorityClass(pod.getPriorityClassName())) {
      v.add(new Violation(
          field + ".priorityClassName",
          pod.getPriorityClassName() + ": the system-* priority"
              + " classes belong to the cluster's own components (they preempt other pods and are evicted last); use a"
              + " priority class of your cluster's. The operator's ALLOW_SYSTEM_PRIORITY_CLASSES, chart value"
              + " tenancy.allowSystemPriorityClasses, admits them"));
    }
    if (!policy.allowControlPlaneTolerations() && pod.getTolerations() != null) {
      List<Toleration> tolerations = pod.getTolerations();
      for (int i = 0; i < tolerations.size(); i++) {
        Toleration t = tolerations.get(i);
        if (t == null || !TenantPolicy.controlPlaneToleration(t)) {
          continue;
        }
        String what = t.getKey() == null || t.getKey().isEmpty()
            ? "a toleration without key tolerates every taint (with operator Exists), control-plane nodes' included;"
                + " name the taint's key"
            : "tolerates the control-plane taint " + t.getKey()
                + " (the pods would run beside the API server and" + " etcd)";
        v.add(
            new Violation(
                field + ".tolerations[" + i + "]",
                what + ". The operator's"
                    + " ALLOW_CONTROL_PLANE_TOLERATIONS, chart value tenancy.allowControlPlaneTolerations, admits it"));
      }
    }
  }
}
