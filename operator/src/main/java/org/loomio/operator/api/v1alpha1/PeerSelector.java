package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.LabelSelector;

/** Pods in other namespaces, chosen by labels (a NetworkPolicy peer). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PeerSelector {

  @JsonPropertyDescription("Namespaces of the peer pods, by their labels ({} for every namespace).")
  private LabelSelector namespaceSelector;

  @JsonPropertyDescription("The peer pods, by their labels ({} for every pod of those namespaces).")
  private LabelSelector podSelector;

  public PeerSelector() {}

  public PeerSelector(LabelSelector namespaceSelector, LabelSelector podSelector) {
    this.namespaceSelector = namespaceSelector;
    this.podSelector = podSelector;
  }

  public LabelSelector getNamespaceSelector() {
    return namespaceSelector;
  }

  public void setNamespaceSelector(LabelSelector namespaceSelector) {
    this.namespaceSelector = namespaceSelector;
  }

  public LabelSelector getPodSelector() {
    return podSelector;
  }

  public void setPodSelector(LabelSelector podSelector) {
    this.podSelector = podSelector;
  }
}
