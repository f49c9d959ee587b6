package org.loomio.operator.render.workload;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvFromSourceBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.List;
import org.loomio.operator.api.v1alpha1.S3StorageSpec;
import org.loomio.operator.api.v1alpha1.SecretEnvVarSpec;
import org.loomio.operator.api.v1alpha1.SecretKeyRef;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Credentials;
import org.loomio.operator.model.Defaults;
import org.loomio.operator.model.LoomioImage;
import org.loomio.operator.model.Names;
import org.loomio.operator.model.Quantities;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.base.LoomioSettings;
import org.loomio.operator.render.base.RenderContext;
import org.loomio.operator.render.pod.Expansion;
import org.loomio.operator.render.pod.HardenedPod;
import org.loomio.operator.render.pod.Scratch;
import org.loomio.operator.upgrade.LoomioReleases;

/**
 * What every Rails process of the stack shares (web, worker, the migration Job and their
 * wait-for-migrations init containers): the image, the settings ConfigMap, the secrets as secretKeyRef
 * variables, CA certificates, and the paths Rails writes to.
 */
public final class RailsContainer {

  /** Where puma and Solid Queue's supervisor write their pid files (tmp/pids under the app's root). */
  public static final String PIDS_DIR = "/loomio/tmp/pids";

  /** {@code HOME} must be writable for a non-root user (Bundler and Node write there). */
  public static final String HOME = "/tmp";

  private RailsContainer() {}

  /** A Loomio container with the shared environment; the caller adds command, ports, probes, resources. */
  public static ContainerBuilder base(
      RenderContext ctx, String name, ResourceRequirements resources) {
    ResolvedSpec spec = ctx.spec();
    List<EnvVar> env = new ArrayList<>();
    env.add(Expansion.env("HOME", HOME));
    env.addAll(secretEnv(ctx));
    return new ContainerBuilder()
        .withName(name)
        .withImage(ctx.servingImage().reference())
        .withImagePullPolicy(spec.loomioPullPolicy())
        .withEnvFrom(settingsRef(ctx))
        .withEnv(env)
        .withVolumeMounts(mounts(ctx))
        .withResources(resources);
  }

  /**
   * The init container of web and worker: exits non-zero while migrations are pending, so their pods
   * start only on a current schema (only the migration Job migrates).
   */
  public static Container waitForMigrations(RenderContext ctx, ResourceRequirements resources) {
    return base(ctx, "wait-for-migrations", resources)
        .withCommand("bundle", "exec", "rails", "db:abort_if_pending_migrations")
        .build();
  }

  static EnvFromSource settingsRef(RenderContext ctx) {
    return new EnvFromSourceBuilder()
        .withNewConfigMapRef()
        .withName(Names.of(ctx.name(), Component.CONFIG))
        .endConfigMapRef()
        .build();
  }

  /** The secret-valued variables, each a secretKeyRef (never a literal). */
  static List<EnvVar> secretEnv(RenderContext ctx) {
    ResolvedSpec spec = ctx.spec();
    String credentials = ctx.credentials().secretName();
    List<EnvVar> env = new ArrayList<>();
    for (String key : List.of(
        Credentials.SECRET_KEY_BASE,
        Credentials.DEVISE_SECRET,
        Credentials.RAILS_INBOUND_EMAIL_PASSWORD,
        Credentials.VAPID_PUBLIC_KEY,
        Credentials.VAPID_PRIVATE_KEY)) {
      env.add(fromSecret(key, credentials, key));
    }
    ResolvedSpec.Database db = spec.database();
    env.add(fromSecret("PGPASSWORD", db.password()));
    ResolvedSpec.Redis redis = spec.redis();
    switch (redis.mode()) {
      case EMBEDDED -> {
        env.add(fromSecret("REDIS_PASSWORD", credentials, Credentials.REDIS_PASSWORD));
        // Kubernetes expands $(REDIS_PASSWORD) at container start: the URL never holds the password
        // in
        // any stored object. The generated password is hex, so it needs no URL encoding. The one
        // deliberate
        // reference (Expansion.DELIBERATE); the rest of the value is escaped like any other.
        String server = "redis://:$(REDIS_PASSWORD)@"
            + Expansion.literal(Names.of(ctx.name(), Component.REDIS)) + ":6379";
        env.add(new EnvVar("REDIS_CACHE_URL", server + "/0", null));
        // Action Cable (config/cable.yml reads REDIS_QUEUE_URL || REDIS_URL, else PostgreSQL). No
        // database
        // path: Sidekiq-era code, which a migrate-only stepping stone loads, appends "/1" to this
        // URL.
        env.add(new EnvVar("REDIS_URL", server, null));
      }
      case EXTERNAL -> {
        env.add(fromSecret("REDIS_CACHE_URL", redis.url()));
        env.add(fromSecret("REDIS_URL", redis.url()));
      }
      case NONE -> {}
    }
    spec.smtp()
        .filter(s -> s.password() != null)
        .ifPresent(s -> env.add(fromSecret("SMTP_PASSWORD", s.password())));
    S3StorageSpec s3 = spec.storage().s3();
    if (s3 != null) {
      String name = s3.getCredentialsSecretRef().getName();
      env.add(fromSecret("STORAGE_ACCESS_KEY_ID", name, S3StorageSpec.ACCESS_KEY_ID));
      env.add(fromSecret("STORAGE_SECRET_ACCESS_KEY", name, S3StorageSpec.SECRET_ACCESS_KEY));
    }
    for (SecretEnvVarSpec e : spec.secretEnv()) {
      env.add(fromSecret(e.getName(), e.getSecretKeyRef()));
    }
    return env;
  }

  /** Secret volumes for CA certificates (each mounts exactly one key as ca.crt). */
  public static List<Volume> volumes(RenderContext ctx) {
    List<Volume> volumes = new ArrayList<>();
    SecretKeyRef dbCa = ctx.spec().database().ca();
    if (dbCa != null) {
      volumes.add(caVolume("database-ca", dbCa));
    }
    S3StorageSpec s3 = ctx.spec().storage().s3();
    if (s3 != null && s3.getCaSecretRef() != null) {
      volumes.add(caVolume("s3-ca", s3.getCaSecretRef()));
    }
    return volumes;
  }

  private static List<VolumeMount> mounts(RenderContext ctx) {
    List<VolumeMount> mounts = new ArrayList<>();
    if (ctx.spec().database().ca() != null) {
      mounts.add(new VolumeMountBuilder()
          .withName("database-ca")
          .withMountPath(LoomioSettings.DATABASE_CA_DIR)
          .withReadOnly(true)
          .build());
    }
    S3StorageSpec s3 = ctx.spec().storage().s3();
    if (s3 != null && s3.getCaSecretRef() != null) {
      mounts.add(new VolumeMountBuilder()
          .withName("s3-ca")
          .withMountPath(LoomioSettings.S3_CA_DIR)
          .withReadOnly(true)
          .build());
    }
    return mounts;
  }

  /**
   * The paths Rails writes to (loomio-stack.md section 3.2) in a container running {@code image}: the client
   * bundle every task copies at start, the pid files (puma's, Solid Queue's supervisor's) in
   * {@code /loomio/tmp/pids}, its log directory, and /tmp for uploads in flight, sized from the upload limit.
   *
   * <p>The rest of {@code /loomio/tmp} stays the image's: it holds the Bootsnap cache the image precompiled
   * ({@code bootsnap precompile --gemfile}, into {@code tmp/cache}), which every Rails process reads with
   * {@code BOOTSNAP_READONLY} instead of recompiling it at each start. A migrate-only stepping stone's old
   * Bootsnap may need to write its cache, so its containers get the whole of {@code /loomio/tmp}.
   */
  public static List<Scratch> scratch(RenderContext ctx, LoomioImage image) {
    long tmpMi = Math.max(Defaults.TMP_MIN_MI, 2L * ctx.spec().uploadLimitMB());
    boolean migrateOnly =
        LoomioReleases.support(image.tag()) == LoomioReleases.Support.MIGRATE_ONLY;
    List<Scratch> paths = new ArrayList<>(List.of(
        Scratch.disk("tmp", "/tmp", Quantities.ofMebibytes(tmpMi).toString()),
        migrateOnly
            ? Scratch.disk("app-tmp", "/loomio/tmp", Defaults.APP_TMP_SIZE)
            : Scratch.disk("pids", PIDS_DIR, Defaults.PIDS_SIZE),
        Scratch.disk("log", "/loomio/log", Defaults.LOG_SIZE),
        Scratch.disk("client-assets", "/loomio/public/client3", Defaults.CLIENT_ASSETS_SIZE)));
    if (!ctx.spec().storage().onVolume()) {
      paths.add(Scratch.disk("storage", "/loomio/storage", Defaults.S3_STORAGE_GUARD_SIZE));
    }
    return paths;
  }

  /** The uploads claim, mounted at /loomio/storage, for pods of a volume-backed stack. */
  public static void mountUploads(RenderContext ctx, HardenedPod pod, ContainerBuilder main) {
    if (!ctx.spec().storage().onVolume()) {
      return;
    }
    String claim = Names.of(ctx.name(), Component.UPLOADS);
    pod.volume(new VolumeBuilder()
        .withName("uploads")
        .withNewPersistentVolumeClaim()
        .withClaimName(claim)
        .endPersistentVolumeClaim()
        .build());
    main.addToVolumeMounts(new VolumeMountBuilder()
        .withName("uploads")
        .withMountPath("/loomio/storage")
        .build());
    if (ctx.spec().storage().sharedNodeVolume()) {
      pod.requireSameNodeAs(claim);
    }
  }

  private static Volume caVolume(String name, SecretKeyRef ref) {
    return new VolumeBuilder()
        .withName(name)
        .withNewSecret()
        .withSecretName(ref.getName())
        .withItems(new KeyToPath(ref.getKey(), null, LoomioSettings.CA_FILE))
        .withDefaultMode(0444)
        .endSecret()
        .build();
  }

  public static EnvVar fromSecret(String variable, SecretKeyRef ref) {
    return fromSecret(variable, ref.getName(), ref.getKey());
  }

  public static EnvVar fromSecret(String variable, String secret, String key) {
    return new EnvVarBuilder()
        .withName(variable)
        .withNewValueFrom()
        .withNewSecretKeyRef()
        .withName(secret)
        .withKey(key)
        .endSecretKeyRef()
        .endValueFrom()
        .build();
  }
}
