package org.loomio.operator.render.base;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.model.CloudNativePGSettings;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Credentials;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.model.LoomioImage;
import org.loomio.operator.model.Names;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.model.SecretDigests;

/**
 * Everything one render of one stack reads: the resolved spec, the cluster's capabilities, the
 * credentials Secret and the digests of the Secrets the stack consumes. It collects what the cluster
 * cannot hold ({@link Omission}s). One instance per render; render classes never look anywhere else.
 */
public final class RenderContext {

  private final ResolvedSpec spec;
  private final ClusterCapabilities cluster;
  private final Credentials credentials;
  private final SecretDigests digests;
  private final Map<String, String> settings;
  private final List<Omission> omissions = new ArrayList<>();
  private Optional<String> backupPublicKey = Optional.empty();
  private String restoreHold;
  private LoomioImage servingImage;
  private LoomioImage migrationImage;
  private UpgradeGate upgradeGate;
  private Rotation rotation;
  private boolean appStopped;
  private String postgresServiceName;
  private CloudNativePGSettings cloudNativePGSettings = CloudNativePGSettings.DEFAULTS;
  private DatabaseReadiness databaseReadiness = DatabaseReadiness.READY;
  private boolean migrationHeld;

  public RenderContext(
      LoomioDeployment resource,
      ClusterCapabilities cluster,
      Credentials credentials,
      SecretDigests digests) {
    this(ResolvedSpec.of(resource, ImageDefaults.BUILT_IN), cluster, credentials, digests);
  }

  public RenderContext(
      ResolvedSpec spec,
      ClusterCapabilities cluster,
      Credentials credentials,
      SecretDigests digests) {
    this.spec = spec;
    this.cluster = cluster;
    this.credentials = credentials;
    this.digests = credentials.generated()
        ? digests.with(credentials.secretName(), credentials.values())
        : digests;
    this.settings = LoomioSettings.of(spec);
  }

  public ResolvedSpec spec() {
    return spec;
  }

  public ClusterCapabilities cluster() {
    return cluster;
  }

  public Credentials credentials() {
    return credentials;
  }

  public SecretDigests digests() {
    return digests;
  }

  /** The non-secret settings of the {@code <name>-config} ConfigMap. */
  public Map<String, String> settings() {
    return settings;
  }

  public String namespace() {
    return spec.namespace();
  }

  public String name() {
    return spec.name();
  }

  /** The armored public key of the operator-generated backup key pair, once it exists. */
  public Optional<String> backupPublicKey() {
    return backupPublicKey;
  }

  public RenderContext withBackupPublicKey(String armored) {
    backupPublicKey = Optional.ofNullable(armored);
    return this;
  }

  /** The LoomioRestore that holds this stack (web, worker and hocuspocus at zero), if any. */
  public Optional<String> restoreHold() {
    return Optional.ofNullable(restoreHold);
  }

  public RenderContext withRestoreHold(String restore) {
    restoreHold = restore;
    return this;
  }

  /** True while spec.isolation holds the stack in quarantine. */
  public boolean isolated() {
    return spec.isolated();
  }

  /**
   * The image web, worker and hocuspocus run: spec.image, except during an upgrade, when they keep the image
   * the database is migrated to until the new image's migration has succeeded.
   */
  public LoomioImage servingImage() {
    return servingImage != null ? servingImage : spec.loomioImageRef();
  }

  /** The image the migration Job runs: spec.image, or the serving image while an upgrade waits. */
  public LoomioImage migrationImage() {
    return migrationImage != null ? migrationImage : spec.loomioImageRef();
  }

  public RenderContext withImages(LoomioImage serving, LoomioImage migration) {
    servingImage = serving;
    migrationImage = migration;
    return this;
  }

  /**
   * The embedded PostgreSQL StatefulSet's {@code spec.serviceName}: {@code <name>-postgres-headless}, except for a
   * StatefulSet that exists with another one (made before the headless Service existed), which keeps its own:
   * the field is immutable, and re-creating the database's StatefulSet only to change it would restart it.
   */
  public String postgresServiceName() {
    return postgresServiceName != null ? postgresServiceName : Names.postgresHeadless(name());
  }

  /** The serviceName of the stack's existing PostgreSQL StatefulSet, if there is one (null: none). */
  public RenderContext withExistingPostgresServiceName(String serviceName) {
    postgresServiceName = serviceName;
    return this;
  }

  /**
   * Web, worker and hocuspocus are held at zero: an upgrade's maintenance window (a new release series, a gated
   * or unversioned upgrade) while its migration runs, or a migrate-only stepping stone whose image they cannot run.
   */
  public boolean appStopped() {
    return appStopped;
  }

  public RenderContext withAppStopped(boolean stopped) {
    appStopped = stopped;
    return this;
  }

  /** The installation's CloudNativePG settings (its operator's namespace, monitoring, the API server's addresses). */
  public CloudNativePGSettings cloudNativePGSettings() {
    return cloudNativePGSettings;
  }

  public RenderContext withCloudNativePGSettings(CloudNativePGSettings settings) {
    cloudNativePGSettings = Objects.requireNonNull(settings, "settings");
    return this;
  }

  /**
   * How far a database the stack does not run itself has come (spec.database.cloudNativePG): whether its Secrets
   * exist and are proven CloudNativePG's for this stack's Cluster, and whether the Cluster has a primary.
   */
  public enum DatabaseReadiness {
    /** Ready, or nothing to wait for (embedded, external, the render CLI). */
    READY,
    /** The Secrets are proven but the Cluster has no primary yet: the migration Job waits. */
    NO_PRIMARY,
    /** The Cluster's Secrets do not exist yet: nothing that reads them is started. */
    NO_SECRETS
  }

  public DatabaseReadiness databaseReadiness() {
    return databaseReadiness;
  }

  public RenderContext withDatabaseReadiness(DatabaseReadiness readiness) {
    databaseReadiness = Objects.requireNonNull(readiness, "readiness");
    return this;
  }

  /** Web, worker and hocuspocus, backups and Jobs that read the database's Secrets wait for them to exist. */
  public boolean databaseSecretsPending() {
    return databaseReadiness == DatabaseReadiness.NO_SECRETS;
  }

  /** The migration Job waits for the database's primary (and its Secrets). */
  public boolean databasePrimaryPending() {
    return databaseReadiness != DatabaseReadiness.READY;
  }

  /**
   * The migration Job is not rendered yet: the embedded database's role setup ({@link org.loomio.operator.render.workload.RoleSetupJob}) has not
   * succeeded and the migration Job does not exist (the operator decides; an offline render never holds it).
   */
  public boolean migrationHeld() {
    return migrationHeld;
  }

  public RenderContext withMigrationHeld(boolean held) {
    migrationHeld = held;
    return this;
  }

  /** The version gate Job to run on the old image before an upgrade, if one is due. */
  public Optional<UpgradeGate> upgradeGate() {
    return Optional.ofNullable(upgradeGate);
  }

  public RenderContext withUpgradeGate(UpgradeGate gate) {
    upgradeGate = gate;
    return this;
  }

  /** The database password rotation under way (its Job is rendered), if any. */
  public Optional<Rotation> rotation() {
    return Optional.ofNullable(rotation);
  }

  public RenderContext withRotation(Rotation r) {
    rotation = r;
    return this;
  }

  /**
   * The operator's own Jobs that must reach the database now: a restore (its Job and the migration after it)
   * and a password rotation. While isolated these are the only pods the network lets through.
   */
  public Set<Component> databaseJobsAtWork() {
    Set<Component> jobs = EnumSet.noneOf(Component.class);
    if (restoreHold().isPresent()) {
      jobs.add(Component.RESTORE);
      jobs.add(Component.MIGRATE);
    }
    if (rotation().isPresent()) {
      jobs.add(Component.ROTATE);
    }
    return jobs;
  }

  public void omit(String api, String consequence) {
    Omission o = new Omission(api, consequence);
    if (!omissions.contains(o)) {
      omissions.add(o);
    }
  }

  public List<Omission> omissions() {
    return Collections.unmodifiableList(omissions);
  }
}
