package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** The certificate of the edge: an existing Secret, or one cert-manager issues. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!(has(self.clusterIssuer) && has(self.issuer))",
    message = "spec.ingress.tls: set at most one of clusterIssuer or issuer")
public class TlsSpec {

  /** Why a Secret of another name is refused with an issuer (CEL and SpecValidator). */
  public static final String ISSUER_WRITES_SECRET =
      "spec.ingress.tls.secretName: with clusterIssuer or issuer,"
          + " cert-manager writes the certificate into the Secret the Ingress names, so it is always the stack's own"
          + " <name>-tls (leave secretName out); name a Secret only for a certificate you provide, without an issuer";

  @Pattern(SecretKeyRef.NAME_PATTERN)
  @Size(max = 253)
  @JsonPropertyDescription(
      "Secret (type kubernetes.io/tls) holding a certificate you provide for host and"
          + " hocuspocusHost. Default <name>-tls, which cert-manager fills when an issuer is named (then no other name is"
          + " accepted: cert-manager would overwrite it). A Secret you provide, <name>-tls included when no issuer is"
          + " named, needs its owner's consent: the annotation loomio.org/allowed-stacks naming this stack. With an"
          + " issuer, an existing <name>-tls that cert-manager did not issue for this stack's Ingress (and that its owner"
          + " did not mark) stops the stack with NameConflict.")
  private String secretName;

  @Size(max = 253)
  @JsonPropertyDescription("cert-manager ClusterIssuer that issues the certificate (annotation"
      + " cert-manager.io/cluster-issuer).")
  private String clusterIssuer;

  @Size(max = 253)
  @JsonPropertyDescription(
      "cert-manager Issuer in this namespace that issues the certificate (annotation"
          + " cert-manager.io/issuer).")
  private String issuer;

  public String getSecretName() {
    return secretName;
  }

  public void setSecretName(String secretName) {
    this.secretName = secretName;
  }

  public String getClusterIssuer() {
    return clusterIssuer;
  }

  public void setClusterIssuer(String clusterIssuer) {
    this.clusterIssuer = clusterIssuer;
  }

  public String getIssuer() {
    return issuer;
  }

  public void setIssuer(String issuer) {
    this.issuer = issuer;
  }
}
