package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** A PostgreSQL server the user runs. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = ServerHosts.CEL_NOT_LOCAL,
    message = "spec.database.external.host: " + ServerHosts.NOT_LOCAL)
@ValidationRule(
    value = ServerHosts.CEL_NUMERIC_IS_IPV4,
    message = "spec.database.external.host: " + ServerHosts.NUMERIC_IS_IPV4)
public class ExternalDatabaseSpec {

  /** A DNS name (labels of at most 63 characters) or an IPv4 address. */
  public static final String HOST_PATTERN =
      "^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*|[0-9]{1,3}(\\.[0-9]{1,3}){3})$";

  public static final String IDENTIFIER_PATTERN = "^[A-Za-z_][A-Za-z0-9_$-]{0,62}$";

  @Required
  @Pattern(HOST_PATTERN)
  @Size(max = 253)
  @JsonPropertyDescription(
      "Host name or IPv4 address of the server. Not the loopback, a link-local address or a"
          + " cloud metadata service (169.254.0.0/16, 100.100.100.200, metadata.google.internal, ...).")
  private String host;

  @Default("5432")
  @Min(1)
  @Max(65535)
  @JsonPropertyDescription("Port. Default 5432.")
  private Integer port = 5432;

  @Default("loomio")
  @Pattern(IDENTIFIER_PATTERN)
  @JsonPropertyDescription(
      "Database name. Default loomio. It must exist; the migration Job loads the schema"
          + " into it when it is empty.")
  private String database = "loomio";

  @Default("loomio")
  @Pattern(IDENTIFIER_PATTERN)
  @JsonPropertyDescription(
      "Role Loomio connects as. Default loomio. It needs to create tables and the"
          + " extensions citext, hstore, pgcrypto and pg_stat_statements (create the last one as a superuser first).")
  private String user = "loomio";

  @Required
  @JsonPropertyDescription(
      "The role's password (never part of DATABASE_URL; passed as PGPASSWORD).")
  private SecretKeyRef passwordSecretRef;

  @Default("verify-full")
  @JsonPropertyDescription(
      "TLS to the server: disable, require, verify-ca or verify-full (default).")
  private SslMode sslMode = SslMode.VERIFY_FULL;

  @JsonPropertyDescription(
      "CA certificate (PEM) that signed the server certificate. Without it the system CA"
          + " set is used (sslrootcert=system).")
  private SecretKeyRef caSecretRef;

  @Required
  @Min(14)
  @Max(18)
  @JsonPropertyDescription(
      "The server's PostgreSQL major version (backups use a client of the same major).")
  private Integer version;

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

  public String getDatabase() {
    return database;
  }

  public void setDatabase(String database) {
    this.database = database;
  }

  public String getUser() {
    return user;
  }

  public void setUser(String user) {
    this.user = user;
  }

  public SecretKeyRef getPasswordSecretRef() {
    return passwordSecretRef;
  }

  public void setPasswordSecretRef(SecretKeyRef passwordSecretRef) {
    this.passwordSecretRef = passwordSecretRef;
  }

  public SslMode getSslMode() {
    return sslMode;
  }

  public void setSslMode(SslMode sslMode) {
    this.sslMode = sslMode;
  }

  public SecretKeyRef getCaSecretRef() {
    return caSecretRef;
  }

  public void setCaSecretRef(SecretKeyRef caSecretRef) {
    this.caSecretRef = caSecretRef;
  }

  public Integer getVersion() {
    return version;
  }

  public void setVersion(Integer version) {
    this.version = version;
  }
}
