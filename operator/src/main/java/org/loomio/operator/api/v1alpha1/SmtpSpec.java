package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Outbound mail. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SmtpSpec {

  @Required
  @Pattern(ExternalDatabaseSpec.HOST_PATTERN)
  @Size(max = 253)
  @JsonPropertyDescription("SMTP server (SMTP_SERVER).")
  private String host;

  @Default("587")
  @Min(1)
  @Max(65535)
  @JsonPropertyDescription("SMTP port (SMTP_PORT). Default 587.")
  private Integer port = 587;

  @JsonPropertyDescription(
      "implicit: TLS from the first byte (SMTPS, SMTP_USE_SSL; usually port 465);"
          + " starttls: plain connection upgraded with STARTTLS (usually 587); none: no TLS requested (Loomio's"
          + " mailer still upgrades when the server offers STARTTLS). Default: implicit on port 465, else starttls.")
  private Tls tls;

  @Default("true")
  @JsonPropertyDescription(
      "Verify the server certificate (SMTP_SSL_VERIFY_MODE=peer). Default true; Loomio's"
          + " own default is not to verify.")
  private Boolean verifyCertificate = true;

  @Size(max = 253)
  @JsonPropertyDescription("User name for SMTP authentication (SMTP_USERNAME).")
  private String username;

  @JsonPropertyDescription("Password for SMTP authentication (SMTP_PASSWORD), from a Secret.")
  private SecretKeyRef passwordSecretRef;

  @Default("plain")
  @JsonPropertyDescription(
      "SMTP authentication method (SMTP_AUTH): plain (default), login or cram_md5.")
  private Authentication authentication = Authentication.PLAIN;

  @Pattern(LoomioDeploymentSpec.DNS_NAME)
  @Size(max = 253)
  @JsonPropertyDescription(
      "HELO domain, and the domain of the default sender notifications@<domain>"
          + " (SMTP_DOMAIN). Default: host.")
  private String domain;

  @Pattern("^[^@\\s]+@[^@\\s]+$")
  @Size(max = 254)
  @JsonPropertyDescription("Sender address of notifications (NOTIFICATIONS_EMAIL_ADDRESS). Default:"
      + " notifications@<domain>.")
  private String fromAddress;

  public enum Tls {
    @JsonProperty("implicit")
    IMPLICIT,
    @JsonProperty("starttls")
    STARTTLS,
    @JsonProperty("none")
    NONE
  }

  public enum Authentication {
    @JsonProperty("plain")
    PLAIN("plain"),
    @JsonProperty("login")
    LOGIN("login"),
    @JsonProperty("cram_md5")
    CRAM_MD5("cram_md5");

    private final String value;

    Authentication(String value) {
      this.value = value;
    }

    public String value() {
      return value;
    }
  }

  public String getHost() {
    return host;
  }

  public void setHost(String host) {
    this.host = host;
  }

  public Integer getPort() {
    return port;
  }

  public void setPort(Integer port) {
    this.port = port;
  }

  public Tls getTls() {
    return tls;
  }

  public void setTls(Tls tls) {
    this.tls = tls;
  }

  public Boolean getVerifyCertificate() {
    return verifyCertificate;
  }

  public void setVerifyCertificate(Boolean verifyCertificate) {
    this.verifyCertificate = verifyCertificate;
  }

  public String getUsername() {
    return username;
  }

  public void setUsername(String username) {
    this.username = username;
  }

  public SecretKeyRef getPasswordSecretRef() {
    return passwordSecretRef;
  }

  public void setPasswordSecretRef(SecretKeyRef passwordSecretRef) {
    this.passwordSecretRef = passwordSecretRef;
  }

  public Authentication getAuthentication() {
    return authentication;
  }

  public void setAuthentication(Authentication authentication) {
    this.authentication = authentication;
  }

  public String getDomain() {
    return domain;
  }

  public void setDomain(String domain) {
    this.domain = domain;
  }

  public String getFromAddress() {
    return fromAddress;
  }

  public void setFromAddress(String fromAddress) {
    this.fromAddress = fromAddress;
  }
}
