package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Scheduling and metadata for the pods of one component. Security settings are not configurable here. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public class PodOptions {

  @JsonPropertyDescription("Node labels the pods must run on.")
  private Map<String, String> nodeSelector = new LinkedHashMap<>();

  @Size(max = 32)
  @JsonPropertyDescription("Taints the pods tolerate. Tolerations of the control-plane taints"
      + " (node-role.kubernetes.io/control-plane, node-role.kubernetes.io/master) and tolerations without a key"
      + " (which tolerate every taint) are refused unless the operator allows them"
      + " (tenancy.allowControlPlaneTolerations).")
  private List<Toleration> tolerations = new ArrayList<>();

  @JsonPropertyDescription(
      "Node and pod affinity. nodeAffinity and podAffinity are added to the operator's own"
          + " scheduling rules; a podAntiAffinity here replaces the operator's default (spread over hosts).")
  private Affinity affinity;

  @Size(max = 253)
  @JsonPropertyDescription(
      "PriorityClass of the pods (recommended for production). The system-* classes are"
          + " refused unless the operator allows them (tenancy.allowSystemPriorityClasses).")
  private String priorityClassName;

  @JsonPropertyDescription(
      "Extra annotations on the pods, from an allowlist: plain keys without a prefix or a dot (team,"
          + " description), prometheus.io/*, and what the operator adds (tenancy.allowedPodAnnotations); others"
          + " (Multus networks, service-mesh, Kata, autoscaler, cloud-identity keys, ...) and the operator's loomio.org/*"
          + " are refused. Keys that change the security profile (AppArmor, seccomp, any key whose prefix has a"
          + " 'security' label such as container.apparmor.security.beta.kubernetes.io/*, CRI-O's io.kubernetes.cri-o.*)"
          + " are refused unless the operator allows them (tenancy.allowSecurityAnnotations).")
  private Map<String, String> annotations = new LinkedHashMap<>();

  @JsonPropertyDescription(
      "Extra labels on the pods. Keys under kubernetes.io, k8s.io (so app.kubernetes.io, the"
          + " operator's selectors), loomio.org, istio.io, linkerd.io, azure.workload.identity, the injectors' domains (datadoghq.com,"
          + " kuma.io, openservicemesh.io, dapr.io, hashicorp.com, opentelemetry.io, newrelic.com, dynatrace.com,"
          + " instana.io) and their subdomains are"
          + " refused. A label may still match another Service's or NetworkPolicy's selector in the namespace: choose"
          + " keys of your own (example.org/team).")
  private Map<String, String> labels = new LinkedHashMap<>();

  public Map<String, String> getNodeSelector() {
    return nodeSelector;
  }

  public void setNodeSelector(Map<String, String> nodeSelector) {
    this.nodeSelector = nodeSelector;
  }

  public List<Toleration> getTolerations() {
    return tolerations;
  }

  public void setTolerations(List<Toleration> tolerations) {
    this.tolerations = tolerations;
  }

  public Affinity getAffinity() {
    return affinity;
  }

  public void setAffinity(Affinity affinity) {
    this.affinity = affinity;
  }

  public String getPriorityClassName() {
    return priorityClassName;
  }

  public void setPriorityClassName(String priorityClassName) {
    this.priorityClassName = priorityClassName;
  }

  public Map<String, String> getAnnotations() {
    return annotations;
  }

  public void setAnnotations(Map<String, String> annotations) {
    this.annotations = annotations;
  }

  public Map<String, String> getLabels() {
    return labels;
  }

  public void setLabels(Map<String, String> labels) {
    this.labels = labels;
  }
}
