package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/**
 * Egress outside the cluster, as address ranges. "Public" means every address except private, loopback,
 * link-local (which includes cloud metadata endpoints), carrier-grade NAT and the IPv4-in-IPv6 ranges. No list
 * here may reach a cloud metadata address ({@link Cidrs#METADATA}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EgressSpec {

  @Default("true")
  @JsonPropertyDescription(
      "Let web and worker open HTTPS (port 443) connections to public addresses: web push"
          + " delivery, webhooks (Slack, Matrix, ...), OAuth/SAML sign-in, link previews. Default true; false cuts"
          + " those features off.")
  private Boolean internetHTTPS = true;

  @Size(max = 16)
  @JsonPropertyDescription(
      "What counts as public addresses. Default: 0.0.0.0/0 without 10.0.0.0/8, 172.16.0.0/12,"
          + " 192.168.0.0/16, 100.64.0.0/10, 127.0.0.0/8, 169.254.0.0/16, 0.0.0.0/8, and ::/0 without fc00::/7,"
          + " fe80::/10, ::1/128, 64:ff9b::/96 (an IPv4-mapped destination leaves the pod as IPv4: the IPv4 block"
          + " governs it).")
  private List<CidrBlock> publicCIDRs;

  @Size(max = 16)
  @JsonPropertyDescription(
      "Where the SMTP server is (port spec.smtp.port, web and worker). Default: public"
          + " addresses. Set it for a relay on a private network.")
  private List<CidrBlock> smtp;

  @Size(max = 16)
  @JsonPropertyDescription(
      "Where the S3 endpoint is (its port, web and worker). Default: public addresses.")
  private List<CidrBlock> s3;

  @Size(max = 16)
  @JsonPropertyDescription(
      "Where the backup bucket's endpoint is (spec.backup.s3, its port; backup and restore"
          + " pods). Default: public addresses.")
  private List<CidrBlock> backupS3;

  @Size(max = 16)
  @JsonPropertyDescription(
      "Where the external PostgreSQL is (spec.database.external.port; web, worker, the"
          + " migration Job, backup and restore pods). Default from spec.database.external.host: an IPv4 address its"
          + " /32; an in-cluster Service name (<service>.<namespace>.svc[.cluster.local]) the pods of that namespace"
          + " (a namespace selector, not a range); any other name public addresses only. Set it for a managed"
          + " database on a private network, for example [{cidr: 10.0.12.0/24}].")
  private List<CidrBlock> database;

  @Size(max = 16)
  @JsonPropertyDescription(
      "Where the external Redis is (port redisPort; web, worker, the migration Job). Default"
          + " from spec.redis.external.host like database; without that host, public addresses only.")
  private List<CidrBlock> redis;

  @Default("6379")
  @Min(1)
  @Max(65535)
  @JsonPropertyDescription("Port of the external Redis. Default 6379.")
  private Integer redisPort = 6379;

  public Boolean getInternetHTTPS() {
    return internetHTTPS;
  }

  public void setInternetHTTPS(Boolean internetHTTPS) {
    this.internetHTTPS = internetHTTPS;
  }

  public List<CidrBlock> getPublicCIDRs() {
    return publicCIDRs;
  }

  public void setPublicCIDRs(List<CidrBlock> publicCIDRs) {
    this.publicCIDRs = publicCIDRs;
  }

  public List<CidrBlock> getSmtp() {
    return smtp;
  }

  public void setSmtp(List<CidrBlock> smtp) {
    this.smtp = smtp;
  }

  public List<CidrBlock> getS3() {
    return s3;
  }

  public void setS3(List<CidrBlock> s3) {
    this.s3 = s3;
  }

  public List<CidrBlock> getBackupS3() {
    return backupS3;
  }

  public void setBackupS3(List<CidrBlock> backupS3) {
    this.backupS3 = backupS3;
  }

  public List<CidrBlock> getDatabase() {
    return database;
  }

  public void setDatabase(List<CidrBlock> database) {
    this.database = database;
  }

  public List<CidrBlock> getRedis() {
    return redis;
  }

  public void setRedis(List<CidrBlock> redis) {
    this.redis = redis;
  }

  public Integer getRedisPort() {
    return redisPort;
  }

  public void setRedisPort(Integer redisPort) {
    this.redisPort = redisPort;
  }
}
