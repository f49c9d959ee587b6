package org.loomio.operator.model;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * Defaults that are not plain field defaults of the API model (those carry {@code @Default} on the model,
 * so {@code kubectl explain} shows them). One place, so a reader finds every number the operator chooses.
 */
public final class Defaults {

  private Defaults() {}

  // --- built-in images (ImageDefaults.BUILT_IN); an operator may set others, a spec overrides both
  // ---
  /** The Loomio image: the release series this operator is built and tested against. */
  public static final String LOOMIO_REPOSITORY = "loomio/loomio";

  public static final String LOOMIO_TAG = "3.5";
  public static final String POSTGRES_REPOSITORY = "postgres";

  /** CloudNativePG's operand image: PostgreSQL built for Kubernetes (spec.database.cloudNativePG). */
  public static final String CLOUDNATIVE_PG_POSTGRES_REPOSITORY =
      "ghcr.io/cloudnative-pg/postgresql";

  public static final String REDIS_REPOSITORY = "redis";
  /** The Redis release the official Loomio compose file runs. */
  public static final String REDIS_TAG = "8.4";

  /** The operator's own image, which backup and restore pods run (the chart sets the one it installs). */
  public static final String AGENT_REPOSITORY = "ghcr.io/loomio-operator/loomio-operator";

  /** The operator's version (filtered in by the build), which is its image tag. */
  public static String agentTag() {
    return OPERATOR_VERSION;
  }

  public static final String OPERATOR_VERSION = readVersion();

  private static String readVersion() {
    try (var in = Defaults.class.getResourceAsStream("/loomio-operator-version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      String v = p.getProperty("version", "");
      if (v.isBlank() || v.startsWith("$")) {
        throw new IllegalStateException("the build did not record the operator's version");
      }
      return v;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // --- resources; a key the user sets replaces the default of that key ---
  public static final ResourceRequirements WEB = resources("500m", "1Gi", "2", "2Gi");
  public static final ResourceRequirements WORKER = resources("250m", "768Mi", "1", "1536Mi");
  public static final ResourceRequirements HOCUSPOCUS = resources("100m", "256Mi", "500m", "512Mi");
  public static final ResourceRequirements POSTGRES = resources("250m", "512Mi", "1", "1Gi");
  /** Each container of a backup or restore pod: pg_dump/pg_restore, or the agent's streaming encryption. */
  public static final ResourceRequirements BACKUP = resources("100m", "256Mi", "1", "768Mi");
  /** Redis CPU; its memory is derived from maxMemory (see {@link #redisMemory}). */
  public static final ResourceRequirements REDIS_CPU = new ResourceRequirementsBuilder()
      .addToRequests("cpu", new Quantity("50m"))
      .addToLimits("cpu", new Quantity("500m"))
      .build();
  /** The small init container of the migration Job that waits for PostgreSQL to accept connections. */
  public static final ResourceRequirements WAIT_FOR_DATABASE = new ResourceRequirementsBuilder()
      .addToRequests("cpu", new Quantity("10m"))
      .addToRequests("memory", new Quantity("32Mi"))
      .addToRequests("ephemeral-storage", new Quantity("16Mi"))
      .addToLimits("cpu", new Quantity("100m"))
      .addToLimits("memory", new Quantity("64Mi"))
      .addToLimits("ephemeral-storage", new Quantity("32Mi"))
      .build();

  /** Ephemeral storage beyond the emptyDir volumes: container logs and the (read-only) writable layer. */
  public static final long EPHEMERAL_HEADROOM_MI = 256;
  /** Ephemeral-storage request when the user sets none: the volumes start empty. */
  public static final String EPHEMERAL_REQUEST = "256Mi";

  /** Redis' memory limit: maxmemory plus a quarter for fragmentation and buffers, plus 64Mi. */
  public static long redisMemoryMi(long maxMemoryMi) {
    return maxMemoryMi + maxMemoryMi / 4 + 64;
  }

  // --- scratch volumes (emptyDir sizeLimit); every writable path of a read-only container ---
  public static final String CLIENT_ASSETS_SIZE = "1Gi";
  /** /loomio/tmp of a migrate-only stepping stone's migration (its Bootsnap writes its cache there). */
  public static final String APP_TMP_SIZE = "512Mi";
  /** /loomio/tmp/pids: puma's and Solid Queue's pid files. */
  public static final String PIDS_SIZE = "16Mi";

  public static final String LOG_SIZE = "128Mi";
  /** /tmp of web and worker holds uploads in flight and their previews: at least this, or twice the upload limit. */
  public static final long TMP_MIN_MI = 1024;

  public static final String SMALL_TMP_SIZE = "64Mi";
  public static final String POSTGRES_RUN_SIZE = "16Mi";
  public static final String POSTGRES_SHM_SIZE = "256Mi";
  public static final String REDIS_DATA_SIZE = "64Mi";
  /** /loomio/storage when uploads go to S3 (nothing should be written there; a small guard volume). */
  public static final String S3_STORAGE_GUARD_SIZE = "64Mi";

  // --- processes and timing ---
  /**
   * The slowest client link an upload of the largest allowed size must still complete over: 1 Mbit/s
   * (125 000 bytes per second), a slow ADSL upstream. Thruster's read and write timeouts follow from it.
   */
  public static final long MIN_CLIENT_BYTES_PER_SECOND = 125_000;
  /** Thruster's own read and write timeouts (basecamp/thruster internal/config.go), the floor of ours. */
  public static final int THRUSTER_DEFAULT_TIMEOUT_SECONDS = 30;

  public static final int WORKER_TERMINATION_GRACE_SECONDS = 60;
  public static final int WEB_TERMINATION_GRACE_SECONDS = 30;
  public static final long MIGRATION_ACTIVE_DEADLINE_SECONDS = 7200;
  public static final int MIGRATION_BACKOFF_LIMIT = 3;
  /** An upgrade gate check or a password rotation: minutes at most. */
  public static final long GATE_ACTIVE_DEADLINE_SECONDS = 900;

  private static ResourceRequirements resources(
      String cpuRequest, String memoryRequest, String cpuLimit, String memoryLimit) {
    return new ResourceRequirementsBuilder()
        .addToRequests("cpu", new Quantity(cpuRequest))
        .addToRequests("memory", new Quantity(memoryRequest))
        .addToLimits("cpu", new Quantity(cpuLimit))
        .addToLimits("memory", new Quantity(memoryLimit))
        .build();
  }
}
