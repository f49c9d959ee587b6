package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** The certificate of the edge: an existing Secret, or one cert-manager issues. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!(has(self.clusterIssuer) && has(self.issuer))",
    message = "spec.ingress.tls: set at most one of clusterIssuer or issuer")
public class TlsSpec {

  @Pattern(SecretKeyRef.NAME_PATTERN)
  @Size(max = 253)
  @JsonPropertyDescription("Secret (type kubernetes.io/tls) holding a certificate for host and hocuspocusHost."
      + " Default <name>-tls, which cert-manager fills when an issuer is named.")
  private String secretName;

  @Size(max = 253)
  @JsonPropertyDescription("cert-manager ClusterIssuer that issues the certificate (annotation"
      + " cert-manager.io/cluster-issuer).")
  private String clusterIssuer;

  @Size(max = 253)
  @JsonPropertyDescription("cert-manager Issuer in this namespace that issues the certificate (annotation"
      + " cert-manager.io/issuer).")
  private String issuer;

  public String getSecretName() { return secretName; }
  public void setSecretName(String secretName) { this.secretName = secretName; }
  public String getClusterIssuer() { return clusterIssuer; }
  public void setClusterIssuer(String clusterIssuer) { this.clusterIssuer = clusterIssuer; }
  public String getIssuer() { return issuer; }
  public void setIssuer(String issuer) { this.issuer = issuer; }
}
