package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/**
 * The stack's NetworkPolicies: a default deny for every pod of the stack, and per component an allow policy
 * naming exactly the flows it needs. They only take effect on a cluster whose network plugin enforces
 * NetworkPolicies.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NetworkPolicySpec {

  @Default("true")
  @JsonPropertyDescription("Render the NetworkPolicies. Default true.")
  private Boolean enabled = true;

  @JsonPropertyDescription(
      "Who may open connections to web (port 8080) and hocuspocus (port 80) besides the"
          + " stack's own hocuspocus: the pods of your ingress controller or Gateway. Default: ingress-nginx: pods"
          + " app.kubernetes.io/name=ingress-nginx in namespace ingress-nginx; Traefik: pods app.kubernetes.io/name=traefik"
          + " in namespace traefik or kube-system (k3s); a Gateway: every pod of the Gateway's namespace"
          + " (spec.gateway.namespace, default this one); no edge: nobody. An unset namespaceSelector here means every"
          + " namespace. docs/networking.md lists Gateway implementations whose proxies run elsewhere.")
  private PeerSelector edge;

  @JsonPropertyDescription(
      "The cluster DNS every pod may query on port 53. Default: pods k8s-app=kube-dns in"
          + " namespace kube-system.")
  private PeerSelector dns;

  @JsonPropertyDescription("Egress to destinations outside the cluster.")
  private EgressSpec egress = new EgressSpec();

  public Boolean getEnabled() {
    return enabled;
  }

  public void setEnabled(Boolean enabled) {
    this.enabled = enabled;
  }

  public PeerSelector getEdge() {
    return edge;
  }

  public void setEdge(PeerSelector edge) {
    this.edge = edge;
  }

  public PeerSelector getDns() {
    return dns;
  }

  public void setDns(PeerSelector dns) {
    this.dns = dns;
  }

  public EgressSpec getEgress() {
    return egress;
  }

  public void setEgress(EgressSpec egress) {
    this.egress = egress;
  }
}
