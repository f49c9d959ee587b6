package org.loomio.operator.model;

import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.loomio.operator.api.v1alpha1.BackupDrillSpec;
import org.loomio.operator.api.v1alpha1.BackupEncryptionSpec;
import org.loomio.operator.api.v1alpha1.BackupRetentionSpec;
import org.loomio.operator.api.v1alpha1.BackupS3Spec;
import org.loomio.operator.api.v1alpha1.BackupScratchSpec;
import org.loomio.operator.api.v1alpha1.BackupSpec;
import org.loomio.operator.api.v1alpha1.BackupVolumeSpec;
import org.loomio.operator.api.v1alpha1.CloudNativePGDatabaseSpec;
import org.loomio.operator.api.v1alpha1.ConfigMapKeyRef;
import org.loomio.operator.api.v1alpha1.ContinuousBackupSpec;
import org.loomio.operator.api.v1alpha1.DatabaseSpec;
import org.loomio.operator.api.v1alpha1.DeletionPolicy;
import org.loomio.operator.api.v1alpha1.EmbeddedDatabaseSpec;
import org.loomio.operator.api.v1alpha1.EmbeddedRedisSpec;
import org.loomio.operator.api.v1alpha1.EnvVarSpec;
import org.loomio.operator.api.v1alpha1.ExternalDatabaseSpec;
import org.loomio.operator.api.v1alpha1.FeatureFlag;
import org.loomio.operator.api.v1alpha1.FeaturesSpec;
import org.loomio.operator.api.v1alpha1.GatewaySpec;
import org.loomio.operator.api.v1alpha1.HocuspocusSpec;
import org.loomio.operator.api.v1alpha1.ImageOverride;
import org.loomio.operator.api.v1alpha1.ImageSpec;
import org.loomio.operator.api.v1alpha1.IngressSpec;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.api.v1alpha1.LoomioDeploymentSpec;
import org.loomio.operator.api.v1alpha1.NetworkPolicySpec;
import org.loomio.operator.api.v1alpha1.PodOptions;
import org.loomio.operator.api.v1alpha1.RedisSpec;
import org.loomio.operator.api.v1alpha1.S3StorageSpec;
import org.loomio.operator.api.v1alpha1.SecretEnvVarSpec;
import org.loomio.operator.api.v1alpha1.SecretKeyRef;
import org.loomio.operator.api.v1alpha1.SmtpSpec;
import org.loomio.operator.api.v1alpha1.SslMode;
import org.loomio.operator.api.v1alpha1.StorageSpec;
import org.loomio.operator.api.v1alpha1.UploadsVolumeSpec;
import org.loomio.operator.api.v1alpha1.WebSpec;
import org.loomio.operator.api.v1alpha1.WorkerSpec;

/**
 * The spec with every default applied and every absent object filled in: the only view of a
 * LoomioDeployment the render classes use. It never mutates the resource (the operator never writes
 * spec), and it is where "absent", "null" and "the default" become the same thing.
 */
public final class ResolvedSpec {

  /** Defaults come from the API model's own field initializers (the same values as its @Default annotations). */
  private static final LoomioDeploymentSpec DEFAULT = new LoomioDeploymentSpec();

  private static final EmbeddedDatabaseSpec DEFAULT_EMBEDDED_DB = new EmbeddedDatabaseSpec();

  private final LoomioDeployment resource;
  private final String name;
  private final String namespace;
  private final String uid;
  private final LoomioDeploymentSpec s;
  private final ImageDefaults images;
  /** spec.backup.schedule and spec.backup.drill.schedule, parsed once per resolution (on first use). */
  private volatile BackupSchedule backupSchedule;

  private volatile BackupSchedule drillSchedule;

  /**
   * The one resolution of a LoomioDeployment: once per reconcile (with the default images the operator was
   * configured with) and once per CLI render (with the images it was given, {@link ImageDefaults#BUILT_IN}
   * otherwise), then passed down to validation, rendering, status, observers and metrics.
   */
  public static ResolvedSpec of(LoomioDeployment resource, ImageDefaults images) {
    return new ResolvedSpec(resource, images);
  }

  private ResolvedSpec(LoomioDeployment resource, ImageDefaults images) {
    this.images = Objects.requireNonNull(images, "images");
    this.name = Objects.requireNonNull(resource.getMetadata().getName(), "metadata.name");
    this.resource = resource;
    this.namespace = resource.getMetadata().getNamespace();
    this.uid = resource.getMetadata().getUid();
    this.s = resource.getSpec() == null ? new LoomioDeploymentSpec() : resource.getSpec();
  }

  /** The resource as written (validation reads what was set, not what the defaults make of it). */
  public LoomioDeployment resource() {
    return resource;
  }

  public String name() {
    return name;
  }

  public String namespace() {
    return namespace;
  }

  /** The resource's UID, recorded on the objects that outlive it; null for a file given to the render CLI. */
  public String uid() {
    return uid;
  }

  public String host() {
    return s.getHost();
  }

  public String hocuspocusHost() {
    return s.getHocuspocusHost() != null ? s.getHocuspocusHost() : "hocuspocus." + s.getHost();
  }

  public String publicUrl() {
    return "https://" + host();
  }

  /** How hocuspocus reaches web inside the cluster (its auth callback): the web Service on port 80. */
  public String privateAppUrl() {
    return "http://" + Names.of(name, Component.WEB);
  }

  /** REPLY_HOSTNAME: spec.replyHostname, else the host (never a domain the spec does not name). */
  public String replyHostname() {
    return s.getReplyHostname() != null ? s.getReplyHostname() : host();
  }

  public Optional<String> supportEmail() {
    return Optional.ofNullable(s.getSupportEmail());
  }

  public Optional<String> siteName() {
    return Optional.ofNullable(s.getSiteName());
  }

  public int uploadLimitMB() {
    return or(s.getUploadLimitMB(), DEFAULT.getUploadLimitMB());
  }

  // --- images ---

  private ImageSpec imageSpec() {
    return or(s.getImage(), new ImageSpec());
  }

  /** repository:tag, plus @digest when pinned. */
  public String loomioImage() {
    ImageSpec i = imageSpec();
    return reference(
        or(i.getRepository(), images.loomio().repository()), loomioTag(), loomioDigest());
  }

  public String loomioTag() {
    return or(imageSpec().getTag(), images.loomio().tag());
  }

  /** spec.image as one value: the reference and its tag. */
  public LoomioImage loomioImageRef() {
    return new LoomioImage(loomioImage(), loomioTag());
  }

  /**
   * The spec's digest; else the operator's default digest, but only while the spec names neither
   * repository nor tag (a digest belongs to exactly one image).
   */
  private String loomioDigest() {
    ImageSpec i = imageSpec();
    if (i.getDigest() != null) {
      return i.getDigest();
    }
    return i.getRepository() == null && i.getTag() == null ? images.loomio().digest() : null;
  }

  public boolean loomioDigestPinned() {
    return loomioDigest() != null;
  }

  public String loomioPullPolicy() {
    ImageSpec i = imageSpec();
    if (i.getPullPolicy() != null) {
      return i.getPullPolicy().name();
    }
    return loomioDigest() != null ? "Always" : "IfNotPresent";
  }

  public List<LocalObjectReference> imagePullSecrets() {
    List<LocalObjectReference> refs = new ArrayList<>();
    for (LocalObjectReference r : orEmpty(s.getImagePullSecrets())) {
      refs.add(new LocalObjectReference(r.getName()));
    }
    return refs;
  }

  /**
   * The embedded PostgreSQL image: the tag is the major version unless the override names one. With an external or
   * CloudNativePG database, the client image of the migration's and backups' PostgreSQL tools (the official image
   * of the server's major version).
   */
  public String postgresImage() {
    Database db = database();
    return embeddedImage(
        db.image(),
        new ImageDefaults.Ref(images.postgresRepository(), Integer.toString(db.version()), null));
  }

  public String postgresPullPolicy() {
    return pullPolicy(database().image(), null);
  }

  /** The CloudNativePG operand image's pull policy (Always with a digest). */
  public String cloudNativePGPullPolicy() {
    return pullPolicy(cloudNativePG().map(CloudNativePG::image).orElse(null), null);
  }

  public String redisImage() {
    return embeddedImage(redis().image(), images.redis());
  }

  public String redisPullPolicy() {
    return pullPolicy(redis().image(), images.redis());
  }

  /** An embedded service's image: the default unless overridden; a default digest only for the default image. */
  private static String embeddedImage(ImageOverride override, ImageDefaults.Ref fallback) {
    ImageOverride o = override == null ? new ImageOverride() : override;
    boolean untouched = o.getRepository() == null && o.getTag() == null;
    String digest = o.getDigest() != null ? o.getDigest() : untouched ? fallback.digest() : null;
    return reference(
        or(o.getRepository(), fallback.repository()), or(o.getTag(), fallback.tag()), digest);
  }

  /** Pull policy of an embedded service's image: Always with a digest, else IfNotPresent. */
  private static String pullPolicy(ImageOverride override, ImageDefaults.Ref fallback) {
    ImageOverride o = override == null ? new ImageOverride() : override;
    boolean untouched = o.getRepository() == null && o.getTag() == null;
    boolean digest =
        o.getDigest() != null || (untouched && fallback != null && fallback.digest() != null);
    return digest ? "Always" : "IfNotPresent";
  }

  private static String reference(String repository, String tag, String digest) {
    return repository + ":" + tag + (digest != null ? "@" + digest : "");
  }

  // --- components ---

  public record Workload(int replicas, ResourceRequirements resources, PodOptions pod) {}

  public Workload web() {
    WebSpec w = or(s.getWeb(), new WebSpec());
    return new Workload(
        or(w.getReplicas(), new WebSpec().getReplicas()),
        Quantities.merge(w.getResources(), Defaults.WEB),
        pod(w.getPod()));
  }

  /** WEB_CONCURRENCY: as set, else the CPU limit in whole cores (at least 1). */
  public int webConcurrency() {
    WebSpec w = or(s.getWeb(), new WebSpec());
    if (w.getConcurrency() != null) {
      return w.getConcurrency();
    }
    Quantity cpu = web().resources().getLimits().get("cpu");
    return cpu == null ? 1 : (int) Math.max(1, Quantities.millicores(cpu) / 1000);
  }

  public Workload worker() {
    WorkerSpec w = or(s.getWorker(), new WorkerSpec());
    return new Workload(
        or(w.getReplicas(), new WorkerSpec().getReplicas()),
        Quantities.merge(w.getResources(), Defaults.WORKER),
        pod(w.getPod()));
  }

  public int workerConcurrency() {
    return or(
        or(s.getWorker(), new WorkerSpec()).getConcurrency(), new WorkerSpec().getConcurrency());
  }

  public boolean hocuspocusEnabled() {
    return or(
        or(s.getHocuspocus(), new HocuspocusSpec()).getEnabled(),
        new HocuspocusSpec().getEnabled());
  }

  public Workload hocuspocus() {
    HocuspocusSpec h = or(s.getHocuspocus(), new HocuspocusSpec());
    return new Workload(
        or(h.getReplicas(), new HocuspocusSpec().getReplicas()),
        Quantities.merge(h.getResources(), Defaults.HOCUSPOCUS),
        pod(h.getPod()));
  }

  // --- database ---

  /** Which database the stack runs on (spec.database: exactly one mode; none set is embedded). */
  public enum DatabaseMode {
    EMBEDDED,
    EXTERNAL,
    CLOUDNATIVEPG
  }

  /**
   * The database: embedded unless spec.database.external or spec.database.cloudNativePG is set. For
   * CloudNativePG, host is the Cluster's {@code -rw} Service, and the password and CA are the Secrets
   * CloudNativePG generates for the Cluster ({@link #cloudNativePG()} has the rest).
   */
  public record Database(
      DatabaseMode mode,
      int version,
      String host,
      int port,
      String database,
      String user,
      SecretKeyRef password,
      SslMode sslMode,
      SecretKeyRef ca,
      String storageSize,
      String storageClassName,
      Workload workload,
      ImageOverride image) {
    public boolean embedded() {
      return mode == DatabaseMode.EMBEDDED;
    }

    public boolean external() {
      return mode == DatabaseMode.EXTERNAL;
    }

    public boolean cloudNativePG() {
      return mode == DatabaseMode.CLOUDNATIVEPG;
    }
  }

  public Database database() {
    DatabaseSpec d = or(s.getDatabase(), new DatabaseSpec());
    if (d.getExternal() != null) {
      ExternalDatabaseSpec x = d.getExternal();
      ExternalDatabaseSpec dx = new ExternalDatabaseSpec();
      return new Database(
          DatabaseMode.EXTERNAL,
          or(x.getVersion(), DEFAULT_EMBEDDED_DB.getVersion()),
          x.getHost(),
          or(x.getPort(), dx.getPort()),
          or(x.getDatabase(), dx.getDatabase()),
          or(x.getUser(), dx.getUser()),
          x.getPasswordSecretRef(),
          or(x.getSslMode(), dx.getSslMode()),
          x.getCaSecretRef(),
          null,
          null,
          null,
          null);
    }
    if (d.getCloudNativePG() != null) {
      CloudNativePG c = cloudNativePG().orElseThrow();
      return new Database(
          DatabaseMode.CLOUDNATIVEPG,
          c.version(),
          Names.cnpgReadWrite(name),
          5432,
          EMBEDDED_DATABASE,
          CNPG_OWNER,
          new SecretKeyRef(Names.cnpgApp(name), CNPG_PASSWORD_KEY),
          SslMode.VERIFY_FULL,
          new SecretKeyRef(Names.cnpgCa(name), CNPG_CA_KEY),
          c.storageSize(),
          c.storageClassName(),
          c.workload(),
          null);
    }
    EmbeddedDatabaseSpec e = or(d.getEmbedded(), new EmbeddedDatabaseSpec());
    String size = e.getStorage() == null || e.getStorage().getSize() == null
        ? DEFAULT_EMBEDDED_DB.getStorage().getSize()
        : e.getStorage().getSize();
    String storageClass = e.getStorage() == null ? null : e.getStorage().getStorageClassName();
    Workload workload =
        new Workload(1, Quantities.merge(e.getResources(), Defaults.POSTGRES), pod(e.getPod()));
    return new Database(
        DatabaseMode.EMBEDDED,
        or(e.getVersion(), DEFAULT_EMBEDDED_DB.getVersion()),
        Names.of(name, Component.POSTGRES),
        5432,
        EMBEDDED_DATABASE,
        EMBEDDED_APP_USER,
        new SecretKeyRef(credentialsSecretName(), Credentials.POSTGRES_PASSWORD),
        SslMode.DISABLE,
        null,
        size,
        storageClass,
        workload,
        e.getImage());
  }

  /**
   * The owner of the Loomio database that CloudNativePG bootstraps (not a superuser: CloudNativePG's own
   * {@code postgres} is, and Loomio never signs in as it); its credentials are in {@code <cluster>-app}.
   */
  public static final String CNPG_OWNER = "loomio";

  /** The key of the password in CloudNativePG's {@code <cluster>-app} Secret (it also holds username, uri, ...). */
  public static final String CNPG_PASSWORD_KEY = "password";
  /** The key of the CA certificate in CloudNativePG's {@code <cluster>-ca} Secret. */
  public static final String CNPG_CA_KEY = "ca.crt";

  /**
   * spec.database.cloudNativePG resolved: instances, the operand image, each instance's volume and resources,
   * and the continuous backup, if any (its bucket's objects under {@code <namespace>/<name>/cloudnativepg}).
   */
  public record CloudNativePG(
      int instances,
      int version,
      String imageName,
      String storageSize,
      String storageClassName,
      Workload workload,
      ImageOverride image,
      ContinuousBackupSpec backup,
      String backupPath,
      int retentionDays) {}

  public Optional<CloudNativePG> cloudNativePG() {
    DatabaseSpec d = or(s.getDatabase(), new DatabaseSpec());
    CloudNativePGDatabaseSpec c = d.getCloudNativePG();
    if (c == null || d.getExternal() != null) {
      return Optional.empty();
    }
    CloudNativePGDatabaseSpec dc = new CloudNativePGDatabaseSpec();
    int version = or(c.getVersion(), dc.getVersion());
    String size = c.getStorage() == null || c.getStorage().getSize() == null
        ? dc.getStorage().getSize()
        : c.getStorage().getSize();
    String storageClass = c.getStorage() == null ? null : c.getStorage().getStorageClassName();
    Workload workload = new Workload(
        or(c.getInstances(), dc.getInstances()),
        Quantities.merge(c.getResources(), Defaults.POSTGRES),
        new PodOptions());
    String image = embeddedImage(
        c.getImage(),
        new ImageDefaults.Ref(
            Defaults.CLOUDNATIVE_PG_POSTGRES_REPOSITORY, Integer.toString(version), null));
    ContinuousBackupSpec b = c.getBackup();
    String path = b == null
        ? null
        : "s3://" + b.getS3().getBucket() + "/" + namespace + "/" + name + "/cloudnativepg";
    int retention =
        b == null ? 0 : or(b.getRetentionDays(), new ContinuousBackupSpec().getRetentionDays());
    return Optional.of(new CloudNativePG(
        workload.replicas(),
        version,
        image,
        size,
        storageClass,
        workload,
        c.getImage(),
        b,
        path,
        retention));
  }

  /** Database of the embedded PostgreSQL (the name Loomio's own compose file uses). */
  public static final String EMBEDDED_DATABASE = "loomio_production";
  /**
   * The embedded PostgreSQL's bootstrap superuser ({@code POSTGRES_USER}): the maintenance role, used only by the
   * operator's own Jobs (role setup, rotation) with the password of {@code <name>-postgres-superuser}. PostgreSQL
   * 16+ refuses to take superuser from the bootstrap role, so the app never uses it ({@link org.loomio.operator.render.workload.RoleSetupJob}).
   */
  public static final String EMBEDDED_USER = "loomio";
  /**
   * The role the app, the migration, the upgrade gate, backups and restores sign in as: it owns the Loomio
   * database and everything in it, and is not a superuser ({@link org.loomio.operator.render.workload.RoleSetupJob}). Its password is
   * {@code POSTGRES_PASSWORD} of the credentials Secret.
   */
  public static final String EMBEDDED_APP_USER = "loomio_app";

  // --- redis ---

  /** Redis; {@code host} is spec.redis.external.host (for the NetworkPolicy only), or null. */
  public record Redis(
      RedisSpec.Mode mode,
      long maxMemoryMi,
      Workload workload,
      ImageOverride image,
      SecretKeyRef url,
      String host) {
    public boolean embedded() {
      return mode == RedisSpec.Mode.EMBEDDED;
    }
  }

  public Redis redis() {
    RedisSpec r = or(s.getRedis(), new RedisSpec());
    RedisSpec.Mode mode = or(r.getMode(), new RedisSpec().getMode());
    EmbeddedRedisSpec e = or(r.getEmbedded(), new EmbeddedRedisSpec());
    long maxMemoryMi =
        Quantities.mebibytes(or(e.getMaxMemory(), new EmbeddedRedisSpec().getMaxMemory()));
    Quantity memory = Quantities.ofMebibytes(Defaults.redisMemoryMi(maxMemoryMi));
    ResourceRequirements defaults = new ResourceRequirementsBuilder(
            Quantities.copy(Defaults.REDIS_CPU))
        .addToRequests("memory", memory)
        .addToLimits("memory", memory)
        .build();
    Workload workload =
        new Workload(1, Quantities.merge(e.getResources(), defaults), pod(e.getPod()));
    SecretKeyRef url = r.getExternal() == null ? null : r.getExternal().getUrlSecretRef();
    String host = r.getExternal() == null ? null : r.getExternal().getHost();
    return new Redis(mode, maxMemoryMi, workload, e.getImage(), url, host);
  }

  // --- storage ---

  public record Storage(UploadsVolumeSpec volume, S3StorageSpec s3) {
    public boolean onVolume() {
      return s3 == null;
    }

    /** A ReadWriteOnce volume: web and worker must share a node, and web runs one replica. */
    public boolean sharedNodeVolume() {
      return onVolume() && volume.getAccessMode() != UploadsVolumeSpec.AccessMode.ReadWriteMany;
    }
  }

  public Storage storage() {
    StorageSpec st = or(s.getStorage(), new StorageSpec());
    if (st.getS3() != null) {
      return new Storage(null, st.getS3());
    }
    UploadsVolumeSpec v = or(st.getVolume(), new UploadsVolumeSpec());
    UploadsVolumeSpec resolved = new UploadsVolumeSpec();
    UploadsVolumeSpec dv = new UploadsVolumeSpec();
    resolved.setSize(or(v.getSize(), dv.getSize()));
    resolved.setStorageClassName(v.getStorageClassName());
    resolved.setAccessMode(or(v.getAccessMode(), dv.getAccessMode()));
    return new Storage(resolved, null);
  }

  // --- backups ---

  /** Where backups are read from and written to, and how they are encrypted. */
  public record Backup(
      boolean enabled,
      String schedule,
      String timeZone,
      BackupEncryptionSpec.Mode mode,
      SecretKeyRef recipientsSecret,
      ConfigMapKeyRef recipientsConfigMap,
      SecretKeyRef passphrase,
      boolean onVolume,
      String volumeSize,
      String volumeStorageClass,
      BackupS3Spec s3,
      String s3Prefix,
      int keepLast,
      int daily,
      int weekly,
      int monthly,
      String scratchSize,
      ResourceRequirements resources,
      int activeDeadlineSeconds) {

    /** The operator generates and holds the key pair (public-key mode without the user's recipients). */
    public boolean generatedKey() {
      return mode == BackupEncryptionSpec.Mode.PublicKey
          && recipientsSecret == null
          && recipientsConfigMap == null;
    }

    public boolean hasDestination() {
      return onVolume || s3 != null;
    }
  }

  public Backup backup() {
    BackupSpec b = or(s.getBackup(), new BackupSpec());
    BackupSpec d = new BackupSpec();
    BackupEncryptionSpec e = or(b.getEncryption(), new BackupEncryptionSpec());
    BackupVolumeSpec v = or(b.getVolume(), new BackupVolumeSpec());
    BackupVolumeSpec dv = new BackupVolumeSpec();
    BackupRetentionSpec r = or(b.getRetention(), new BackupRetentionSpec());
    BackupRetentionSpec dr = new BackupRetentionSpec();
    BackupScratchSpec sc = or(b.getScratch(), new BackupScratchSpec());
    BackupS3Spec s3 = b.getS3();
    String prefix = s3 == null ? null : or(s3.getPrefix(), namespace + "/" + name);
    return new Backup(
        or(b.getEnabled(), d.getEnabled()),
        backupScheduleText(),
        or(b.getTimeZone(), d.getTimeZone()),
        or(e.getMode(), BackupEncryptionSpec.Mode.PublicKey),
        e.getRecipientsSecretRef(),
        e.getRecipientsConfigMapRef(),
        e.getPassphraseSecretRef(),
        or(v.getEnabled(), dv.getEnabled()),
        or(v.getSize(), dv.getSize()),
        v.getStorageClassName(),
        s3,
        prefix,
        or(r.getKeepLast(), dr.getKeepLast()),
        or(r.getDaily(), dr.getDaily()),
        or(r.getWeekly(), dr.getWeekly()),
        or(r.getMonthly(), dr.getMonthly()),
        or(sc.getSize(), new BackupScratchSpec().getSize()),
        Quantities.merge(b.getResources(), Defaults.BACKUP),
        or(b.getActiveDeadlineSeconds(), d.getActiveDeadlineSeconds()));
  }

  /**
   * Restore drills (spec.backup.drill).
   *
   * @param enabled asked for (the default) while backups are enabled and have a destination
   * @param decryptionKey what decrypts the backups inside the cluster: the generated backup key, or the passphrase;
   *     null with the user's own recipients (no private key in the cluster), when no drill can run
   */
  public record Drill(boolean enabled, String schedule, SecretKeyRef decryptionKey) {
    /** Whether drills run: asked for and possible. */
    public boolean runs() {
      return enabled && decryptionKey != null;
    }
  }

  public Drill drill() {
    Backup b = backup();
    BackupSpec spec = or(s.getBackup(), new BackupSpec());
    BackupDrillSpec d = or(spec.getDrill(), new BackupDrillSpec());
    SecretKeyRef key = b.mode() == BackupEncryptionSpec.Mode.Passphrase
        ? b.passphrase()
        : b.generatedKey() ? new SecretKeyRef(Names.backupKey(name), KeySecrets.PRIVATE_KEY) : null;
    return new Drill(
        b.enabled() && b.hasDestination() && or(d.getEnabled(), true), drillScheduleText(), key);
  }

  /**
   * {@link Backup#schedule()} parsed (once per resolution): when backups run, their longest interval.
   *
   * @throws IllegalArgumentException why it is not a schedule (SpecValidator refuses such a spec)
   */
  public BackupSchedule backupSchedule() {
    BackupSchedule parsed = backupSchedule;
    if (parsed == null) {
      parsed = BackupSchedule.parse(backupScheduleText());
      backupSchedule = parsed;
    }
    return parsed;
  }

  /**
   * {@link Drill#schedule()} parsed (once per resolution).
   *
   * @throws IllegalArgumentException why it is not a schedule (SpecValidator refuses such a spec)
   */
  public BackupSchedule drillSchedule() {
    BackupSchedule parsed = drillSchedule;
    if (parsed == null) {
      parsed = BackupSchedule.parse(drillScheduleText());
      drillSchedule = parsed;
    }
    return parsed;
  }

  private String backupScheduleText() {
    return or(or(s.getBackup(), new BackupSpec()).getSchedule(), new BackupSpec().getSchedule());
  }

  private String drillScheduleText() {
    BackupSpec spec = or(s.getBackup(), new BackupSpec());
    return or(
        or(spec.getDrill(), new BackupDrillSpec()).getSchedule(), BackupDrillSpec.DEFAULT_SCHEDULE);
  }

  /**
   * The backup agent's image: always the operator's own ({@link ImageDefaults#agent()}), whatever
   * spec.backup.image says (validation refuses that field: the agent reads the backup key and the credentials).
   */
  public String agentImage() {
    return embeddedImage(null, images.agent());
  }

  public String agentPullPolicy() {
    return pullPolicy(null, images.agent());
  }

  // --- smtp ---

  public record Smtp(
      String host,
      int port,
      SmtpSpec.Tls tls,
      boolean verifyCertificate,
      String username,
      SecretKeyRef password,
      SmtpSpec.Authentication authentication,
      String domain,
      String fromAddress) {}

  public Optional<Smtp> smtp() {
    SmtpSpec m = s.getSmtp();
    if (m == null || m.getHost() == null) {
      return Optional.empty();
    }
    SmtpSpec dm = new SmtpSpec();
    int port = or(m.getPort(), dm.getPort());
    SmtpSpec.Tls tls = m.getTls() != null
        ? m.getTls()
        : port == 465 ? SmtpSpec.Tls.IMPLICIT : SmtpSpec.Tls.STARTTLS;
    return Optional.of(new Smtp(
        m.getHost(),
        port,
        tls,
        or(m.getVerifyCertificate(), dm.getVerifyCertificate()),
        m.getUsername(),
        m.getPasswordSecretRef(),
        or(m.getAuthentication(), dm.getAuthentication()),
        or(m.getDomain(), host()),
        m.getFromAddress()));
  }

  // --- credentials ---

  public String existingSecret() {
    return s.getSecrets() == null ? null : s.getSecrets().getExistingSecret();
  }

  public String generatedSecretName() {
    return Names.of(name, Component.SECRETS);
  }

  /** The Secret every pod reads the stack's credentials from. */
  public String credentialsSecretName() {
    return existingSecret() != null ? existingSecret() : generatedSecretName();
  }

  // --- settings ---

  /** The feature flags that are on, as variable names, in declaration order. */
  public List<String> enabledFeatureFlags() {
    FeaturesSpec f = or(s.getFeatures(), new FeaturesSpec());
    List<String> on = new ArrayList<>();
    for (Field field : FeaturesSpec.class.getDeclaredFields()) {
      FeatureFlag flag = field.getAnnotation(FeatureFlag.class);
      if (flag == null) {
        continue;
      }
      try {
        field.setAccessible(true);
        if (Boolean.TRUE.equals(field.get(f))) {
          on.add(flag.value());
        }
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      }
    }
    return on;
  }

  public Map<String, String> env() {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVarSpec e : orEmpty(s.getEnv())) {
      env.put(e.getName(), or(e.getValue(), ""));
    }
    return env;
  }

  public List<SecretEnvVarSpec> secretEnv() {
    return orEmpty(s.getSecretEnv());
  }

  // --- day 2 ---

  /** spec.isolation: the stack is in quarantine. */
  public boolean isolated() {
    return Boolean.TRUE.equals(s.getIsolation());
  }

  /** Whether a pre-upgrade backup must complete before a new image's migration runs (default true). */
  public boolean backupBeforeMigration() {
    return s.getUpgrade() == null
        || !Boolean.FALSE.equals(s.getUpgrade().getBackupBeforeMigration());
  }

  /** spec.secrets.rotate, if set. */
  public Optional<org.loomio.operator.api.v1alpha1.RotationSpec> rotation() {
    return Optional.ofNullable(s.getSecrets())
        .map(org.loomio.operator.api.v1alpha1.SecretsSpec::getRotate);
  }

  /** spec.secrets.maxAgeDays, if set. */
  public Optional<Integer> secretsMaxAgeDays() {
    return Optional.ofNullable(s.getSecrets())
        .map(org.loomio.operator.api.v1alpha1.SecretsSpec::getMaxAgeDays);
  }

  public DeletionPolicy deletionPolicy() {
    return or(s.getDeletionPolicy(), DEFAULT.getDeletionPolicy());
  }

  // --- network ---

  public NetworkPolicySpec networkPolicy() {
    return or(s.getNetworkPolicy(), new NetworkPolicySpec());
  }

  public boolean networkPoliciesEnabled() {
    return or(networkPolicy().getEnabled(), new NetworkPolicySpec().getEnabled());
  }

  /** The Ingress, if asked for. */
  public Optional<IngressSpec> ingress() {
    return Optional.ofNullable(s.getIngress());
  }

  /** The controller flavour of the Ingress: as set, else guessed from the class name (nginx unless it says traefik). */
  public IngressSpec.Controller ingressController() {
    IngressSpec i = s.getIngress();
    if (i == null) {
      return null;
    }
    if (i.getController() != null) {
      return i.getController();
    }
    return i.getClassName() != null && i.getClassName().toLowerCase().contains("traefik")
        ? IngressSpec.Controller.TRAEFIK
        : IngressSpec.Controller.NGINX;
  }

  /** The Gateway routes, if asked for. */
  public Optional<GatewaySpec> gateway() {
    return Optional.ofNullable(s.getGateway());
  }

  /** The TLS Secret of an Ingress: as named, else {@link #ownTlsSecretName()}. */
  public String tlsSecretName() {
    IngressSpec i = s.getIngress();
    return i != null && i.getTls() != null && i.getTls().getSecretName() != null
        ? i.getTls().getSecretName()
        : ownTlsSecretName();
  }

  /** The stack's own TLS Secret, {@code <name>-tls}: the default of {@code spec.ingress.tls.secretName}. */
  public String ownTlsSecretName() {
    return name + "-tls";
  }

  /**
   * Whether the Ingress's TLS Secret is the stack's own ({@code <name>-tls}, named or by default). Any other
   * Secret belongs to someone else: with a cert-manager issuer, cert-manager would write this stack's certificate
   * into it, and the edge would serve whatever it holds.
   */
  public boolean tlsSecretIsOwn() {
    return tlsSecretName().equals(ownTlsSecretName());
  }

  /** Whether cert-manager issues the Ingress's certificate (spec.ingress.tls names an issuer or a cluster issuer). */
  public boolean tlsIssued() {
    IngressSpec i = s.getIngress();
    return i != null
        && i.getTls() != null
        && (i.getTls().getClusterIssuer() != null || i.getTls().getIssuer() != null);
  }

  /** The Ingress' TLS Secret and the field that names it. */
  public record TlsSecret(String field, String secretName) {}

  /**
   * The TLS Secret the Ingress serves, when there is an Ingress: as named ({@code spec.ingress.tls.secretName}),
   * else the stack's own {@code <name>-tls}. A Secret of another name is someone else's unless they consented
   * (reconcile.ReferencedSecrets).
   */
  public Optional<TlsSecret> tlsSecret() {
    return ingress().map(i -> new TlsSecret("spec.ingress.tls.secretName", tlsSecretName()));
  }

  // --- helpers ---

  private static PodOptions pod(PodOptions p) {
    return p == null ? new PodOptions() : p;
  }

  private static <T> T or(T value, T fallback) {
    return value != null ? value : fallback;
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }
}
