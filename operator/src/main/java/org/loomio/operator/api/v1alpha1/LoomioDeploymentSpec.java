package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import java.util.ArrayList;
import java.util.List;

/** The desired Loomio installation. Field names follow the project's API contract (docs/api.md). */
@JsonClassDescription(
    "The desired Loomio installation. Only host is required; every other field has a default"
        + " (embedded PostgreSQL and Redis, uploads on a volume, generated credentials, daily backups, hardened pods)."
        + " The operator never writes it. Invalid values are refused at admission where the API server can, otherwise"
        + " reported as Degraded=True (InvalidSpec) naming the field, and nothing is changed.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "host",
  "hocuspocusHost",
  "replyHostname",
  "supportEmail",
  "siteName",
  "uploadLimitMB",
  "image",
  "imagePullSecrets",
  "web",
  "worker",
  "hocuspocus",
  "database",
  "redis",
  "storage",
  "smtp",
  "secrets",
  "features",
  "env",
  "secretEnv",
  "networkPolicy",
  "ingress",
  "gateway",
  "backup",
  "upgrade",
  "isolation",
  "deletionPolicy"
})
@ValidationRule(
    value =
        "!has(self.web) || !has(self.web.replicas) || self.web.replicas <= 1"
            + " || (has(self.storage) && (has(self.storage.s3) || (has(self.storage.volume)"
            + " && has(self.storage.volume.accessMode) && self.storage.volume.accessMode == 'ReadWriteMany')))",
    message = "spec.web.replicas: " + LoomioDeploymentSpec.WEB_REPLICAS_NEED_SHARED_UPLOADS)
@ValidationRule(
    value = "!(has(self.ingress) && has(self.gateway))",
    message = "spec: set at most one of ingress or gateway")
@ValidationRule(
    value = "!has(self.host) || has(self.hocuspocusHost)" + " || size(self.host) <= "
        + LoomioDeploymentSpec.MAX_HOST_LENGTH_WITH_DERIVED_HOCUSPOCUS,
    message = "spec.host: " + LoomioDeploymentSpec.HOST_TOO_LONG_FOR_HOCUSPOCUS)
public class LoomioDeploymentSpec {

  /** RFC 1123 DNS name, lower case, every label 1 to 63 characters (the whole name: {@link #MAX_HOST_LENGTH}). */
  public static final String DNS_NAME =
      "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$";
  /** The refusal of more than one web replica without shared uploads (CEL and SpecValidator, word for word). */
  public static final String WEB_REPLICAS_NEED_SHARED_UPLOADS =
      "above 1 needs uploads that every web pod can reach:"
          + " set spec.storage.s3, or spec.storage.volume.accessMode: ReadWriteMany";
  /** The longest DNS name (RFC 1123). */
  public static final int MAX_HOST_LENGTH = 253;
  /** The prefix of the default hocuspocus host. */
  public static final String HOCUSPOCUS_PREFIX = "hocuspocus.";
  /** The longest host whose derived {@code hocuspocus.<host>} is still a DNS name. */
  public static final int MAX_HOST_LENGTH_WITH_DERIVED_HOCUSPOCUS =
      MAX_HOST_LENGTH - 11; // "hocuspocus.".length()

  public static final String HOST_TOO_LONG_FOR_HOCUSPOCUS = "at most "
      + MAX_HOST_LENGTH_WITH_DERIVED_HOCUSPOCUS
      + " characters without spec.hocuspocusHost (the derived "
      + HOCUSPOCUS_PREFIX + "<host> must stay within " + MAX_HOST_LENGTH
      + "): shorten it or set spec.hocuspocusHost";

  @Required
  @Pattern(DNS_NAME)
  @Size(max = 253)
  @JsonPropertyDescription(
      "The public host name of this Loomio (CANONICAL_HOST), for example loomio.example.org."
          + " Browsers reach it over HTTPS; the edge (Ingress or Gateway) terminates TLS. A lower-case DNS name: labels"
          + " of at most 63 characters, at most 253 in all (242 without hocuspocusHost, so that hocuspocus.<host> fits)."
          + " Required.")
  private String host;

  @Pattern(DNS_NAME)
  @Size(max = 253)
  @JsonPropertyDescription(
      "Host name browsers use for collaborative editing (HOCUSPOCUS_URL=wss://<this>)."
          + " A lower-case DNS name (labels of at most 63 characters), different from host. Default: hocuspocus.<host>.")
  private String hocuspocusHost;

  @Pattern(DNS_NAME)
  @Size(max = 253)
  @JsonPropertyDescription(
      "The domain of the reply-by-email addresses (REPLY_HOSTNAME): every notification about a"
          + " discussion carries Reply-To: <address>@<this>, whose local part holds the recipient's email API key."
          + " Replies reach Loomio only if this domain has an MX record pointing at a mail relay that posts them to"
          + " Loomio's Action Mailbox ingress; the operator runs neither (docs/api.md). A lower-case DNS name."
          + " Default: host.")
  private String replyHostname;

  @Pattern("^[^@\\s]+@[^@\\s]+$")
  @Size(max = 254)
  @JsonPropertyDescription(
      "Contact address shown to users (SUPPORT_EMAIL); also the web-push subject"
          + " (VAPID_SUBJECT=mailto:<this>). Without it the subject is https://<host>.")
  private String supportEmail;

  @Size(max = 100)
  @JsonPropertyDescription(
      "Name of the site shown in the app and in mail (SITE_NAME). Default: Loomio's own.")
  private String siteName;

  @Default("100")
  @Min(1)
  @Max(10240)
  @JsonPropertyDescription(
      "Largest upload in MiB (FILE_UPLOAD_MAX_MB). The web pod's request body limit and"
          + " its scratch space (/tmp) follow it. Default 100.")
  private Integer uploadLimitMB = 100;

  @JsonPropertyDescription("The Loomio image. One image runs web, worker and hocuspocus.")
  private ImageSpec image = new ImageSpec();

  @Size(max = 16)
  @JsonPropertyDescription(
      "Secrets used to pull every image of this stack (type kubernetes.io/dockerconfigjson).")
  private List<LocalObjectReference> imagePullSecrets = new ArrayList<>();

  @JsonPropertyDescription(
      "The Rails web app (puma behind Thruster): pages, API, ActionCable websockets at /cable.")
  private WebSpec web = new WebSpec();

  @JsonPropertyDescription(
      "The background job worker (Solid Queue): mail delivery, notifications, recurring tasks.")
  private WorkerSpec worker = new WorkerSpec();

  @JsonPropertyDescription(
      "The collaborative-editing websocket server (TipTap/Y.js) on hocuspocusHost.")
  private HocuspocusSpec hocuspocus = new HocuspocusSpec();

  @JsonPropertyDescription(
      "PostgreSQL: exactly one of embedded or external. Embedded when both are absent.")
  private DatabaseSpec database = new DatabaseSpec();

  @JsonPropertyDescription(
      "Redis for the cache and ActionCable. Loomio 3.1 and newer also run without it.")
  private RedisSpec redis = new RedisSpec();

  @JsonPropertyDescription(
      "Where uploads live: exactly one of volume or s3. A volume when both are absent.")
  private StorageSpec storage = new StorageSpec();

  @JsonPropertyDescription(
      "Outbound mail. Without smtp.host Loomio sends no mail at all (no sign-in links,"
          + " no notifications); the MailDelivery condition then says so.")
  private SmtpSpec smtp;

  @JsonPropertyDescription("Where the stack's credentials come from. Default: generated once into"
      + " <name>-secrets and never regenerated.")
  private SecretsSpec secrets = new SecretsSpec();

  @JsonPropertyDescription(
      "Loomio feature flags. Loomio treats them as presence flags: true sets the"
          + " variable, false leaves it out (setting it to 0 would still turn the feature on).")
  private FeaturesSpec features = new FeaturesSpec();

  @Size(max = 100)
  @ValidationRule(
      value = EnvNames.CEL_NOT_OWNED,
      message = "spec.env[*].name: " + EnvNames.OWNED_MESSAGE)
  @ValidationRule(
      value = EnvNames.CEL_NOT_DENIED,
      message = "spec.env[*].name: " + EnvNames.DENIED_MESSAGE)
  @ValidationRule(
      value = EnvNames.CEL_NOT_SECRET_LOOKING,
      message = "spec.env[*].name: " + EnvNames.SECRET_LOOKING_MESSAGE)
  @JsonPropertyDescription(
      "Extra non-secret settings for the web and worker pods and the migration Job"
          + " (stored in the <name>-config ConfigMap). Names the operator sets, names that load code or redirect"
          + " traffic or configure web's HTTP proxy (LD_*, BUNDLE_*, GEM_*, RUBY*, NODE_*, PYTHON*, PERL5*, PG*,"
          + " THRUSTER_* and Thruster's settings, *_PROXY, SSL_CERT_*, MALLOC_*, PATH, HOME, ..., in any letter case) and names that look secret (password, secret, token, *_KEY, ...) are refused: use"
          + " the dedicated fields or secretEnv.")
  private List<EnvVarSpec> env = new ArrayList<>();

  @Size(max = 100)
  @ValidationRule(
      value = EnvNames.CEL_NOT_OWNED,
      message = "spec.secretEnv[*].name: " + EnvNames.OWNED_MESSAGE)
  @ValidationRule(
      value = EnvNames.CEL_NOT_DENIED,
      message = "spec.secretEnv[*].name: " + EnvNames.DENIED_MESSAGE)
  @JsonPropertyDescription(
      "Secret-valued settings (OAuth, Turnstile, Sentry, ...) for the web and worker pods"
          + " and the migration Job, each read from a key of a Secret in this namespace that carries its owner's consent"
          + " (annotation loomio.org/allowed-stacks). Never a Secret the operator generates (<name>-secrets,"
          + " <name>-secrets-rotation, <name>-backup-key, <name>-backup-signing-key, of this stack or another). The"
          + " names refused in env are"
          + " refused here too, except the secret-looking ones.")
  private List<SecretEnvVarSpec> secretEnv = new ArrayList<>();

  @JsonPropertyDescription(
      "NetworkPolicies for every pod of the stack: deny by default, then exactly the flows each"
          + " component needs. On by default (they need a network plugin that enforces them).")
  private NetworkPolicySpec networkPolicy = new NetworkPolicySpec();

  @JsonPropertyDescription(
      "An Ingress for host and hocuspocusHost: TLS, HTTP to HTTPS, security headers, rate"
          + " limits, websocket timeouts, the upload limit. At most one of ingress and gateway.")
  private IngressSpec ingress;

  @JsonPropertyDescription(
      "HTTPRoutes on a Gateway you run (Gateway API): security headers, HTTP to HTTPS,"
          + " websocket routes. At most one of ingress and gateway.")
  private GatewaySpec gateway;

  @JsonPropertyDescription(
      "Scheduled, encrypted backups (database, uploads volume, generated credentials) to"
          + " a volume and/or S3, with retention. On by default; docs/backup.md.")
  private BackupSpec backup = new BackupSpec();

  @JsonPropertyDescription(
      "How a new spec.image reaches the database: a pre-upgrade backup first (default), the"
          + " upgrade path checked (stepping-stone versions, no downgrade), version gates run. docs/operations.md.")
  private UpgradeSpec upgrade = new UpgradeSpec();

  @Default("false")
  @JsonPropertyDescription(
      "Incident isolation. true: every pod of the stack (database included) is cut off by a"
          + " deny-all NetworkPolicy with no allow policy beside it, web, worker and hocuspocus scale to zero, the"
          + " Ingress/HTTPRoutes are removed and backups pause; claims, Secrets, backups and the database are kept"
          + " untouched. A LoomioRestore and a secret rotation still run (only their own pods reach the database)."
          + " false brings the stack back as before. docs/operations.md, \"Incident\".")
  private Boolean isolation = false;

  @Default("Retain")
  @JsonPropertyDescription(
      "What happens to the data when this resource is deleted: Retain (default) keeps the"
          + " database and uploads PersistentVolumeClaims and the generated credentials (and a CloudNativePG"
          + " database's Cluster, orphaned), so a new LoomioDeployment of the same name re-attaches them; Delete"
          + " removes them too.")
  private DeletionPolicy deletionPolicy = DeletionPolicy.Retain;

  public String getHost() {
    return host;
  }

  public void setHost(String host) {
    this.host = host;
  }

  public String getHocuspocusHost() {
    return hocuspocusHost;
  }

  public void setHocuspocusHost(String hocuspocusHost) {
    this.hocuspocusHost = hocuspocusHost;
  }

  public String getReplyHostname() {
    return replyHostname;
  }

  public void setReplyHostname(String replyHostname) {
    this.replyHostname = replyHostname;
  }

  public String getSupportEmail() {
    return supportEmail;
  }

  public void setSupportEmail(String supportEmail) {
    this.supportEmail = supportEmail;
  }

  public String getSiteName() {
    return siteName;
  }

  public void setSiteName(String siteName) {
    this.siteName = siteName;
  }

  public Integer getUploadLimitMB() {
    return uploadLimitMB;
  }

  public void setUploadLimitMB(Integer uploadLimitMB) {
    this.uploadLimitMB = uploadLimitMB;
  }

  public ImageSpec getImage() {
    return image;
  }

  public void setImage(ImageSpec image) {
    this.image = image;
  }

  public List<LocalObjectReference> getImagePullSecrets() {
    return imagePullSecrets;
  }

  public void setImagePullSecrets(List<LocalObjectReference> imagePullSecrets) {
    this.imagePullSecrets = imagePullSecrets;
  }

  public WebSpec getWeb() {
    return web;
  }

  public void setWeb(WebSpec web) {
    this.web = web;
  }

  public WorkerSpec getWorker() {
    return worker;
  }

  public void setWorker(WorkerSpec worker) {
    this.worker = worker;
  }

  public HocuspocusSpec getHocuspocus() {
    return hocuspocus;
  }

  public void setHocuspocus(HocuspocusSpec hocuspocus) {
    this.hocuspocus = hocuspocus;
  }

  public DatabaseSpec getDatabase() {
    return database;
  }

  public void setDatabase(DatabaseSpec database) {
    this.database = database;
  }

  public RedisSpec getRedis() {
    return redis;
  }

  public void setRedis(RedisSpec redis) {
    this.redis = redis;
  }

  public StorageSpec getStorage() {
    return storage;
  }

  public void setStorage(StorageSpec storage) {
    this.storage = storage;
  }

  public SmtpSpec getSmtp() {
    return smtp;
  }

  public void setSmtp(SmtpSpec smtp) {
    this.smtp = smtp;
  }

  public SecretsSpec getSecrets() {
    return secrets;
  }

  public void setSecrets(SecretsSpec secrets) {
    this.secrets = secrets;
  }

  public FeaturesSpec getFeatures() {
    return features;
  }

  public void setFeatures(FeaturesSpec features) {
    this.features = features;
  }

  public List<EnvVarSpec> getEnv() {
    return env;
  }

  public void setEnv(List<EnvVarSpec> env) {
    this.env = env;
  }

  public List<SecretEnvVarSpec> getSecretEnv() {
    return secretEnv;
  }

  public void setSecretEnv(List<SecretEnvVarSpec> secretEnv) {
    this.secretEnv = secretEnv;
  }

  public NetworkPolicySpec getNetworkPolicy() {
    return networkPolicy;
  }

  public void setNetworkPolicy(NetworkPolicySpec networkPolicy) {
    this.networkPolicy = networkPolicy;
  }

  public IngressSpec getIngress() {
    return ingress;
  }

  public void setIngress(IngressSpec ingress) {
    this.ingress = ingress;
  }

  public GatewaySpec getGateway() {
    return gateway;
  }

  public void setGateway(GatewaySpec gateway) {
    this.gateway = gateway;
  }

  public BackupSpec getBackup() {
    return backup;
  }

  public void setBackup(BackupSpec backup) {
    this.backup = backup;
  }

  public UpgradeSpec getUpgrade() {
    return upgrade;
  }

  public void setUpgrade(UpgradeSpec upgrade) {
    this.upgrade = upgrade;
  }

  public Boolean getIsolation() {
    return isolation;
  }

  public void setIsolation(Boolean isolation) {
    this.isolation = isolation;
  }

  public DeletionPolicy getDeletionPolicy() {
    return deletionPolicy;
  }

  public void setDeletionPolicy(DeletionPolicy deletionPolicy) {
    this.deletionPolicy = deletionPolicy;
  }
}
