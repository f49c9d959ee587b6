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
  @JsonPropertyDescription("Taints the pods tolerate.")
  private List<Toleration> tolerations = new ArrayList<>();

  @JsonPropertyDescription("Node and pod affinity. nodeAffinity and podAffinity are added to the operator's own"
      + " scheduling rules; a podAntiAffinity here replaces the operator's default (spread over hosts).")
  private Affinity affinity;

  @Size(max = 253)
  @JsonPropertyDescription("PriorityClass of the pods (recommended for production).")
  private String priorityClassName;

  @JsonPropertyDescription("Extra annotations on the pods.")
  private Map<String, String> annotations = new LinkedHashMap<>();

  @JsonPropertyDescription("Extra labels on the pods. The app.kubernetes.io/* labels are the operator's.")
  private Map<String, String> labels = new LinkedHashMap<>();

  public Map<String, String> getNodeSelector() { return nodeSelector; }
  public void setNodeSelector(Map<String, String> nodeSelector) { this.nodeSelector = nodeSelector; }
  public List<Toleration> getTolerations() { return tolerations; }
  public void setTolerations(List<Toleration> tolerations) { this.tolerations = tolerations; }
  public Affinity getAffinity() { return affinity; }
  public void setAffinity(Affinity affinity) { this.affinity = affinity; }
  public String getPriorityClassName() { return priorityClassName; }
  public void setPriorityClassName(String priorityClassName) { this.priorityClassName = priorityClassName; }
  public Map<String, String> getAnnotations() { return annotations; }
  public void setAnnotations(Map<String, String> annotations) { this.annotations = annotations; }
  public Map<String, String> getLabels() { return labels; }
  public void setLabels(Map<String, String> labels) { this.labels = labels; }
}
