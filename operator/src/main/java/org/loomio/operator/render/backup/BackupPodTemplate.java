package org.loomio.operator.render.backup;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.List;
import org.loomio.operator.api.v1alpha1.BackupEncryptionSpec;
import org.loomio.operator.api.v1alpha1.BackupS3Spec;
import org.loomio.operator.api.v1alpha1.LoomioRestoreSpec;
import org.loomio.operator.api.v1alpha1.SecretKeyRef;
import org.loomio.operator.backup.DatabaseFactsQuery;
import org.loomio.operator.backup.DrillAgent;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Credentials;
import org.loomio.operator.model.Defaults;
import org.loomio.operator.model.KeySecrets;
import org.loomio.operator.model.Names;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.base.LoomioSettings;
import org.loomio.operator.render.base.RenderContext;
import org.loomio.operator.render.pod.Expansion;
import org.loomio.operator.render.pod.HardenedPod;
import org.loomio.operator.render.pod.Scratch;
import org.loomio.operator.render.workload.RailsContainer;

/**
 * The pods of backups and restores, shared by the backup CronJob, on-demand backup Jobs and restore Jobs.
 *
 * <p>Backup: an init container of the {@code postgres:<version>} image checks the server's major version and
 * runs {@code pg_dump -Fc} into the pod-local scratch emptyDir; then the agent (the operator's image, its
 * {@code backup} command) streams the dump, the uploads volume (read-only) and the credentials Secret
 * through OpenPGP encryption to the destinations, verifies, writes the manifest last, prunes, and reports a
 * JSON summary as its termination message, the manifest signed with the stack's signing key. The pod holds
 * public keys (or the passphrase in Passphrase mode) and the signing key, never the decryption key.
 *
 * <p>Restore: the agent ({@code restore} command, with the private key and the signing PUBLIC key) accepts only a
 * backup whose manifest is signed by the stack's key and not dated in the future, downloads it, verifies every
 * object's SHA-256 against the manifest before decrypting anything, writes the database dump to scratch and
 * restores the uploads; then a {@code postgres} container runs {@code pg_restore --clean --if-exists
 * --no-owner}, with the embedded database as its non-superuser owner ({@link #RESTORE_SCRIPT}). Neither pod has an
 * API token: results travel in termination messages.
 */
public final class BackupPodTemplate {

  public static final String AGENT_CONTAINER = "agent";
  public static final String SCRATCH = "/scratch";
  public static final String DUMP = SCRATCH + "/database.dump";
  static final String KEYS_DIR = "/keys";
  static final String SIGNING_DIR = "/signing";
  static final String BACKUPS_DIR = "/backups";
  static final String UPLOADS_DIR = "/loomio/storage";
  static final String CREDENTIALS_DIR = "/credentials";
  static final String S3_CA_DIR = "/backup-s3-ca";
  static final String S3_CA_FILE = "ca.crt";
  /** Application keys a restore may put back; database and Redis passwords stay those of the running servers. */
  public static final List<String> RESTORABLE_SECRET_KEYS = List.of(
      Credentials.SECRET_KEY_BASE,
      Credentials.DEVISE_SECRET,
      Credentials.RAILS_INBOUND_EMAIL_PASSWORD,
      Credentials.VAPID_PUBLIC_KEY,
      Credentials.VAPID_PRIVATE_KEY);

  /** The database facts the dump step reads in the dump's snapshot, for the agent to sign into the manifest. */
  public static final String FACTS = SCRATCH + "/database.facts.json";

  /**
   * The backup's dump container: a failed or interrupted pg_dump leaves no (partial) plaintext dump behind.
   * pg_dump runs in the background and the shell waits for it, so a SIGTERM (the Job's deadline, the pod's
   * deletion) reaches the shell's trap at once: pg_dump is stopped and the file removed. On success the dump
   * stays for the agent, which deletes it on every exit path of its own.
   *
   * <p>One repeatable-read transaction (a psql coprocess) exports its snapshot; the database's facts (the
   * migration version and the row counts of Loomio's main tables, {@link DatabaseFactsQuery}) are read in that
   * transaction, and pg_dump dumps that same snapshot while the transaction stays open: the facts describe
   * exactly the dump, however busy the database is, so a restore drill never fails falsely.
   */
  static final String DUMP_SCRIPT = """
      set -euo pipefail
      dump=%1$s
      facts=%2$s
      pid=
      discard() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi; rm -f "$dump" "$facts"; }
      trap 'code=$?; if [ "$code" -ne 0 ]; then discard; fi' EXIT
      trap 'discard; exit 143' TERM
      trap 'discard; exit 130' INT
      %%s
      rm -f "$dump" "$facts"
      coproc SNAPSHOT { exec psql --no-psqlrc --quiet --tuples-only --no-align --set=ON_ERROR_STOP=1; }
      snapshot_pid=$!  # bash unsets SNAPSHOT_PID once it reaps the coprocess; $! stays
      to=${SNAPSHOT[1]}
      from=${SNAPSHOT[0]}
      { echo 'BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;'; echo 'SET LOCAL search_path = pg_catalog;'
        echo 'SELECT pg_catalog.pg_export_snapshot();'; } >&"$to"
      read -r -t 120 snapshot <&"$from"
      if ! [[ "$snapshot" =~ ^[0-9A-F]+-[0-9A-F]+(-[0-9]+)?$ ]]; then
        echo "could not export a snapshot for the dump" >&2
        exit 1
      fi
      echo "$DATABASE_FACTS_SQL" >&"$to"
      read -r -t 3600 line <&"$from"
      echo "$line" > "$facts"
      pg_dump --format=custom --no-owner --snapshot="$snapshot" --file="$dump" &
      pid=$!
      wait "$pid"
      pid=
      echo 'COMMIT;' >&"$to"
      exec {to}>&-
      wait "$snapshot_pid"
      test -s "$dump"
      test -s "$facts"
      """.formatted(DUMP, FACTS);

  /**
   * The restore's pg_restore container: the plaintext dump the agent wrote is removed whatever happens (done,
   * failed, refused by the version check, or stopped by a signal), so a failed restore pod keeps none.
   *
   * <p>It restores as the database's role, {@code --no-owner}. With the embedded database that is the app's role, which
   * owns the database but is not a superuser (a dump that runs {@code COPY ... FROM PROGRAM} fails), and
   * {@code RESTORE_AS_OWNER} adds {@code --no-privileges} (no GRANT names a role of the source) and leaves the dump's
   * extensions (their {@code DROP}/{@code CREATE EXTENSION} and comments are left out of the
   * list), which stay as the database has them: the role setup creates them, and {@code pg_stat_statements} is not
   * one the owner may create. An external database is restored as before (the user's role, the dump's extensions).
   */
  public static final String RESTORE_SCRIPT = """
      set -euo pipefail
      dump=%1$s
      pid=
      trap 'rm -f "$dump" "$dump.list" "$dump.use"' EXIT
      trap 'if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi; exit 143' TERM
      trap 'if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi; exit 130' INT
      %%s
      pg_restore --list --file="$dump.list" "$dump" &
      pid=$!
      wait "$pid"
      pid=
      if [ "${RESTORE_AS_OWNER:-false}" = true ]; then
        grep -E -v '^[0-9]+; [0-9]+ [0-9]+ (EXTENSION|COMMENT - EXTENSION) ' "$dump.list" > "$dump.use" || true
        set -- --no-privileges
      else
        cp "$dump.list" "$dump.use"
        set --
      fi
      pg_restore --clean --if-exists --no-owner "$@" --exit-on-error --use-list="$dump.use" --dbname="$PGDATABASE" "$dump" &
      pid=$!
      wait "$pid"
      pid=
      """.formatted(DUMP);

  /** The drill's directories: the steps' shared results, the throwaway server's data and its socket. */
  public static final String DRILL_WORK = SCRATCH + "/drill";

  public static final String DRILL_DATA = "/drill-db";
  public static final String DRILL_RUN = "/drill-run";
  public static final String DRILL_PREPARE_CONTAINER = "prepare";
  public static final String DRILL_RESTORE_CONTAINER = "restore";

  /**
   * The drill's restore step, run against a throwaway server whose superuser it connects as (PGHOST, PGPORT,
   * PGUSER): a fresh database {@code drill} owned by the role {@code drill}, which is not a superuser (it cannot
   * run server-side programs, {@code COPY ... FROM PROGRAM}); the stack's extensions created by the superuser
   * first (as the stack's role-setup does); then pg_restore AS {@code drill}, its exit code and errors recorded
   * for the report (a failed restore is a result, not a broken step); the dump removed; and the restored
   * database's facts read with {@link DatabaseFactsQuery}, also as {@code drill}.
   */
  public static final String DRILL_RESTORE_SCRIPT = """
      work=%1$s
      dump=%2$s
      rm -f "$work/%3$s" "$work/%4$s" "$work/%5$s"
      psql --no-psqlrc --quiet --set=ON_ERROR_STOP=1 --dbname=postgres <<'SQL'
      DROP DATABASE IF EXISTS drill;
      DO $do$ BEGIN
        CREATE ROLE drill LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
      EXCEPTION WHEN duplicate_object THEN NULL;
      END $do$;
      CREATE DATABASE drill OWNER drill;
      SQL
      for extension in citext hstore pgcrypto pg_stat_statements; do
        psql --no-psqlrc --quiet --dbname=drill --command="CREATE EXTENSION IF NOT EXISTS $extension WITH SCHEMA public" \
          >/dev/null 2>&1 || echo "extension $extension is not available in this image" >&2
      done
      set +e
      PGUSER=drill pg_restore --no-owner --no-privileges --no-comments --exit-on-error --dbname=drill "$dump" \
        2> "$work/%4$s"
      echo "$?" > "$work/%3$s"
      set -e
      rm -f "$dump"
      PGUSER=drill psql --no-psqlrc --quiet --tuples-only --no-align --set=ON_ERROR_STOP=1 --dbname=drill \
        --command='SET search_path = pg_catalog' --command="$DATABASE_FACTS_SQL" > "$work/%5$s" || true
      """.formatted(
          DRILL_WORK,
          DUMP,
          DrillAgent.RESTORE_EXIT_FILE,
          DrillAgent.RESTORE_LOG_FILE,
          DrillAgent.FACTS_FILE);

  /**
   * The drill pod's PostgreSQL container: a throwaway server of the stack's configured version, data on an
   * emptyDir, listening on no TCP address at all (a Unix socket in an emptyDir only), trust authentication for
   * that socket (nothing else is in the pod at this step); then {@link #DRILL_RESTORE_SCRIPT}; the server is
   * stopped and the dump removed whatever happens. The image's entrypoint is not used, so an arbitrary UID gets
   * a passwd entry the way that entrypoint gives one (nss_wrapper), for initdb.
   */
  public static final String DRILL_SCRIPT =
      """
      set -euo pipefail
      data=%1$s/data
      dump=%2$s
      stop() { pg_ctl --pgdata="$data" --mode=immediate --wait stop >/dev/null 2>&1 || true; }
      trap 'rm -f "$dump"; stop' EXIT
      trap 'exit 143' TERM
      trap 'exit 130' INT
      if [ ! -s "$dump" ]; then
        echo "no backup to drill yet (the prepare step found none)"
        exit 0
      fi
      if ! getent passwd "$(id -u)" >/dev/null 2>&1 && [ -e /usr/lib/libnss_wrapper.so ]; then
        export LD_PRELOAD=/usr/lib/libnss_wrapper.so NSS_WRAPPER_PASSWD=/tmp/drill-passwd NSS_WRAPPER_GROUP=/tmp/drill-group
        echo "postgres:x:$(id -u):$(id -g):PostgreSQL:$data:/bin/false" > "$NSS_WRAPPER_PASSWD"
        echo "postgres:x:$(id -g):" > "$NSS_WRAPPER_GROUP"
      fi
      initdb --pgdata="$data" --username=postgres --auth=trust --encoding=UTF8 --locale=C --no-sync >/dev/null
      pg_ctl --pgdata="$data" --log=%1$s/server.log --wait --timeout=300 --silent \
        --options="-c listen_addresses= -c unix_socket_directories=%3$s -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c dynamic_shared_memory_type=mmap" \
        start
      export PGHOST=%3$s PGPORT=5432 PGUSER=postgres
      %4$s
      """.formatted(DRILL_DATA, DUMP, DRILL_RUN, DRILL_RESTORE_SCRIPT);

  private BackupPodTemplate() {}

  /** The backup pod. */
  public static PodTemplateSpec backup(RenderContext ctx) {
    ResolvedSpec spec = ctx.spec();
    ResolvedSpec.Backup b = spec.backup();
    HardenedPod pod = HardenedPod.of(ctx, Component.BACKUP).runToCompletion();
    common(ctx, pod, b);
    Container dump = postgresClient(ctx, "dump", DUMP_SCRIPT.formatted(versionCheck()), b);
    dump.getEnv().add(Expansion.env("DATABASE_FACTS_SQL", DatabaseFactsQuery.SQL));
    pod.initContainer(dump);

    List<String> args = new ArrayList<>(List.of(
        "backup",
        "--stack",
        ctx.name(),
        "--dump",
        DUMP,
        "--scratch",
        SCRATCH + "/staging",
        "--database-facts",
        FACTS,
        "--loomio-image",
        ctx.servingImage().reference(),
        "--postgres-version",
        Integer.toString(spec.database().version()),
        "--keep-last",
        Integer.toString(b.keepLast()),
        "--keep-daily",
        Integer.toString(b.daily()),
        "--keep-weekly",
        Integer.toString(b.weekly()),
        "--keep-monthly",
        Integer.toString(b.monthly())));
    List<VolumeMount> mounts = new ArrayList<>();
    List<EnvVar> env = new ArrayList<>(agentEnv());
    if (spec.storage().onVolume()) {
      args.addAll(List.of("--uploads", UPLOADS_DIR, "--uploads-location", "volume"));
      uploads(ctx, pod, mounts, true);
    } else {
      args.addAll(List.of("--uploads-location", "s3"));
    }
    // the credentials Secret (generated or the user's), whole
    pod.volume(new VolumeBuilder()
        .withName("credentials")
        .withNewSecret()
        .withSecretName(spec.credentialsSecretName())
        .withDefaultMode(0440)
        .endSecret()
        .build());
    mounts.add(mount("credentials", CREDENTIALS_DIR, true));
    args.addAll(List.of("--secrets", CREDENTIALS_DIR));
    if (b.mode() == BackupEncryptionSpec.Mode.Passphrase) {
      pod.volume(secretItem("encryption", b.passphrase(), "passphrase"));
      args.addAll(List.of("--passphrase-file", KEYS_DIR + "/passphrase"));
    } else {
      pod.volume(recipients(ctx, b));
      args.addAll(List.of("--recipients", KEYS_DIR + "/recipients.asc"));
    }
    mounts.add(mount("encryption", KEYS_DIR, true));
    // the stack's signing key (private half only): the manifest's signature proves the backup is
    // this stack's
    pod.volume(secretItem(
        "signing",
        new SecretKeyRef(Names.backupSigningKey(ctx.name()), KeySecrets.PRIVATE_KEY),
        "signing.asc"));
    mounts.add(mount("signing", SIGNING_DIR, true));
    args.addAll(List.of("--signing-key", SIGNING_DIR + "/signing.asc"));
    destinations(ctx, pod, mounts, env, args, "--to-directory", "--to-s3");

    pod.container(agent(spec, args, env, mounts));
    return pod.build();
  }

  /**
   * The restore pod.
   *
   * @param backupName a backup name, or {@code latest}
   * @param privateKey where the armored private key is (PublicKey mode); ignored in Passphrase mode
   * @param secretsToSummary whether the agent hands the (still encrypted, verified) credentials object back
   *     in its termination message, for the operator to decrypt and put back
   * @param verificationKey the public key the backup's manifest must be signed by
   * @param allowUnsigned whether a named backup without a signature is restored
   */
  public static PodTemplateSpec restore(
      RenderContext ctx,
      String backupName,
      LoomioRestoreSpec.Source source,
      boolean restoreUploads,
      SecretKeyRef privateKey,
      boolean secretsToSummary,
      SecretKeyRef verificationKey,
      boolean allowUnsigned) {
    ResolvedSpec spec = ctx.spec();
    ResolvedSpec.Backup b = spec.backup();
    HardenedPod pod = HardenedPod.of(ctx, Component.RESTORE).runToCompletion();
    common(ctx, pod, b);
    List<String> args = new ArrayList<>(List.of(
        "restore",
        "--stack",
        ctx.name(),
        "--backup",
        backupName,
        "--scratch",
        SCRATCH + "/staging",
        "--database-out",
        DUMP));
    List<VolumeMount> mounts = new ArrayList<>();
    List<EnvVar> env = new ArrayList<>(agentEnv());
    if (restoreUploads && spec.storage().onVolume()) {
      args.addAll(List.of("--uploads", UPLOADS_DIR));
      uploads(ctx, pod, mounts, false);
    }
    if (b.mode() == BackupEncryptionSpec.Mode.Passphrase) {
      pod.volume(secretItem("decryption", b.passphrase(), "passphrase"));
      args.addAll(List.of("--passphrase-file", KEYS_DIR + "/passphrase"));
    } else {
      pod.volume(secretItem("decryption", privateKey, "private.asc"));
      args.addAll(List.of("--private-key", KEYS_DIR + "/private.asc"));
    }
    mounts.add(mount("decryption", KEYS_DIR, true));
    pod.volume(secretItem("verification", verificationKey, "verification.asc"));
    mounts.add(mount("verification", SIGNING_DIR, true));
    args.addAll(List.of("--verification-key", SIGNING_DIR + "/verification.asc"));
    if (allowUnsigned) {
      args.add("--allow-unsigned");
    }
    if (secretsToSummary) {
      args.add("--secrets-to-summary");
    }
    boolean fromVolume = source == LoomioRestoreSpec.Source.volume;
    destinations(
        ctx,
        pod,
        mounts,
        env,
        args,
        fromVolume ? "--from-directory" : null,
        fromVolume ? null : "--from-s3");

    pod.initContainer(agent(spec, args, env, mounts));
    pod.container(postgresClient(ctx, "pg-restore", RESTORE_SCRIPT.formatted(versionCheck()), b));
    return pod.build();
  }

  /**
   * The restore drill's pod: {@code prepare} (the agent: the newest signed backup, downloaded bounded, checked,
   * decrypted), {@code restore} (the PostgreSQL image of the stack's configured version: a throwaway server on
   * emptyDirs, {@link #DRILL_SCRIPT}) and {@code agent} (the report, the drill's result as its termination
   * message). It holds the decryption key (the generated key or the passphrase), the signing PUBLIC key and read
   * access to the backups, nothing of the live stack: no database or Redis address or password, no credentials,
   * no uploads; its NetworkPolicy lets it reach DNS and the backup bucket only.
   */
  public static PodTemplateSpec drill(RenderContext ctx) {
    ResolvedSpec spec = ctx.spec();
    ResolvedSpec.Backup b = spec.backup();
    ResolvedSpec.Drill d = spec.drill();
    HardenedPod pod = HardenedPod.of(ctx, Component.DRILL).runToCompletion();
    pod.scratch(Scratch.disk("scratch", SCRATCH, b.scratchSize()));
    pod.scratch(Scratch.disk("tmp", "/tmp", Defaults.SMALL_TMP_SIZE));
    // the throwaway server's data: the restored database, as large as the dump it came from at most
    // a few times
    pod.scratch(Scratch.disk("drill-db", DRILL_DATA, b.scratchSize()));
    pod.scratch(Scratch.disk("drill-run", DRILL_RUN, Defaults.POSTGRES_RUN_SIZE));

    List<String> args = new ArrayList<>(List.of(
        "drill",
        "prepare",
        "--stack",
        ctx.name(),
        "--scratch",
        SCRATCH,
        "--database-out",
        DUMP,
        "--work",
        DRILL_WORK));
    List<VolumeMount> mounts = new ArrayList<>();
    List<EnvVar> env = new ArrayList<>(agentEnv());
    if (b.mode() == BackupEncryptionSpec.Mode.Passphrase) {
      pod.volume(secretItem("decryption", d.decryptionKey(), "passphrase"));
      args.addAll(List.of("--passphrase-file", KEYS_DIR + "/passphrase"));
    } else {
      pod.volume(secretItem("decryption", d.decryptionKey(), "private.asc"));
      args.addAll(List.of("--private-key", KEYS_DIR + "/private.asc"));
    }
    mounts.add(mount("decryption", KEYS_DIR, true));
    pod.volume(secretItem(
        "verification",
        new SecretKeyRef(Names.backupSigningKey(ctx.name()), KeySecrets.PUBLIC_KEY),
        "verification.asc"));
    mounts.add(mount("verification", SIGNING_DIR, true));
    args.addAll(List.of("--verification-key", SIGNING_DIR + "/verification.asc"));
    // the off-site copy when there is one (what a disaster restore would use), else the backups
    // claim, read-only
    boolean fromS3 = b.s3() != null;
    destinations(
        ctx,
        pod,
        mounts,
        env,
        args,
        fromS3 ? null : "--from-directory",
        fromS3 ? "--from-s3" : null,
        true);
    Container prepare = agent(spec, args, env, mounts);
    prepare.setName(DRILL_PREPARE_CONTAINER);
    pod.initContainer(prepare);

    pod.initContainer(new ContainerBuilder()
        .withName(DRILL_RESTORE_CONTAINER)
        .withImage(spec.postgresImage())
        .withImagePullPolicy(spec.postgresPullPolicy())
        .withCommand("/bin/bash", "-c", DRILL_SCRIPT)
        .withEnv(Expansion.env("DATABASE_FACTS_SQL", DatabaseFactsQuery.SQL))
        .withResources(b.resources())
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .build());
    pod.container(
        agent(spec, List.of("drill", "report", "--work", DRILL_WORK), agentEnv(), List.of()));
    return pod.build();
  }

  /**
   * The agent: the operator's image and jar, its last words (one JSON line) as the termination message. Its
   * arguments carry the user's strings (endpoint, bucket, prefix, region, KMS key id, image, backup name), so
   * each is escaped ({@link Expansion#literals}): the kubelet must never resolve a {@code $(VAR)} in them.
   */
  private static Container agent(
      ResolvedSpec spec, List<String> args, List<EnvVar> env, List<VolumeMount> mounts) {
    return new ContainerBuilder()
        .withName(AGENT_CONTAINER)
        .withImage(spec.agentImage())
        .withImagePullPolicy(spec.agentPullPolicy())
        .withArgs(Expansion.literals(args))
        .withEnv(env)
        .withVolumeMounts(mounts)
        .withResources(spec.backup().resources())
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .build();
  }

  /** Fails unless the server's major version is the one the client (and the spec) expects. */
  private static String versionCheck() {
    return """
        server=$(psql --no-psqlrc --tuples-only --no-align --command='show server_version_num')
        if [ $(( server / 10000 )) -ne "$EXPECTED_MAJOR" ]; then
          echo "PostgreSQL server is version $server, but the backup client and spec expect major $EXPECTED_MAJOR" >&2
          exit 1
        fi""";
  }

  private static Container postgresClient(
      RenderContext ctx, String name, String script, ResolvedSpec.Backup b) {
    ResolvedSpec.Database db = ctx.spec().database();
    List<EnvVar> env = new ArrayList<>(List.of(
        Expansion.env("PGHOST", db.host()),
        Expansion.env("PGPORT", Integer.toString(db.port())),
        Expansion.env("PGDATABASE", db.database()),
        Expansion.env("PGUSER", db.user()),
        RailsContainer.fromSecret("PGPASSWORD", db.password()),
        Expansion.env("PGSSLMODE", db.sslMode().value()),
        Expansion.env("EXPECTED_MAJOR", Integer.toString(db.version())),
        Expansion.env("RESTORE_AS_OWNER", Boolean.toString(db.embedded()))));
    List<VolumeMount> mounts = new ArrayList<>();
    if (db.ca() != null) {
      env.add(Expansion.env(
          "PGSSLROOTCERT", LoomioSettings.DATABASE_CA_DIR + "/" + LoomioSettings.CA_FILE));
      mounts.add(mount("database-ca", LoomioSettings.DATABASE_CA_DIR, true));
    }
    return new ContainerBuilder()
        .withName(name)
        .withImage(ctx.spec().postgresImage())
        .withImagePullPolicy(ctx.spec().postgresPullPolicy())
        .withCommand("/bin/bash", "-c", script)
        .withEnv(env)
        .withVolumeMounts(mounts)
        .withResources(b.resources())
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .build();
  }

  private static List<EnvVar> agentEnv() {
    return List.of(
        Expansion.env(
            "JAVA_TOOL_OPTIONS",
            "-XX:MaxRAMPercentage=70 -XX:+ExitOnOutOfMemoryError -XX:-UsePerfData -Djava.io.tmpdir=/tmp"));
  }

  /** Scratch space (the dump and staged ciphertext; /tmp for the JVM) and the database's CA, if any. */
  private static void common(RenderContext ctx, HardenedPod pod, ResolvedSpec.Backup b) {
    pod.scratch(Scratch.disk("scratch", SCRATCH, b.scratchSize()));
    pod.scratch(Scratch.disk("tmp", "/tmp", "64Mi"));
    SecretKeyRef ca = ctx.spec().database().ca();
    if (ca != null) {
      pod.volume(secretItem("database-ca", ca, LoomioSettings.CA_FILE));
    }
  }

  private static void uploads(
      RenderContext ctx, HardenedPod pod, List<VolumeMount> mounts, boolean readOnly) {
    String claim = Names.of(ctx.name(), Component.UPLOADS);
    pod.volume(new VolumeBuilder()
        .withName("uploads")
        .withNewPersistentVolumeClaim()
        .withClaimName(claim)
        .withReadOnly(readOnly ? Boolean.TRUE : null)
        .endPersistentVolumeClaim()
        .build());
    mounts.add(mount("uploads", UPLOADS_DIR, readOnly));
    if (ctx.spec().storage().sharedNodeVolume()) {
      pod.requireSameNodeAs(claim);
    }
  }

  /** The volume claim and/or the bucket, as agent flags. */
  private static void destinations(
      RenderContext ctx,
      HardenedPod pod,
      List<VolumeMount> mounts,
      List<EnvVar> env,
      List<String> args,
      String directoryFlag,
      String s3Flag) {
    destinations(ctx, pod, mounts, env, args, directoryFlag, s3Flag, false);
  }

  private static void destinations(
      RenderContext ctx,
      HardenedPod pod,
      List<VolumeMount> mounts,
      List<EnvVar> env,
      List<String> args,
      String directoryFlag,
      String s3Flag,
      boolean readOnly) {
    ResolvedSpec.Backup b = ctx.spec().backup();
    if (directoryFlag != null && b.onVolume()) {
      pod.volume(new VolumeBuilder()
          .withName("backups")
          .withNewPersistentVolumeClaim()
          .withClaimName(Names.backupsClaim(ctx.name()))
          .withReadOnly(readOnly ? Boolean.TRUE : null)
          .endPersistentVolumeClaim()
          .build());
      mounts.add(mount("backups", BACKUPS_DIR, readOnly));
      args.addAll(List.of(directoryFlag, BACKUPS_DIR));
    }
    BackupS3Spec s3 = b.s3();
    if (s3Flag != null && s3 != null) {
      args.addAll(List.of(
          s3Flag,
          "--s3-endpoint",
          s3.getEndpoint(),
          "--s3-bucket",
          s3.getBucket(),
          "--s3-prefix",
          b.s3Prefix(),
          "--s3-region",
          s3.getRegion() == null ? "us-east-1" : s3.getRegion()));
      if (Boolean.TRUE.equals(s3.getForcePathStyle())) {
        args.add("--s3-path-style");
      }
      if (s3.getServerSideEncryption() != null) {
        args.addAll(List.of(
            "--s3-sse",
            s3.getServerSideEncryption() == BackupS3Spec.ServerSideEncryption.AES256
                ? "AES256"
                : "aws:kms"));
        if (s3.getKmsKeyId() != null) {
          args.addAll(List.of("--s3-kms-key-id", s3.getKmsKeyId()));
        }
      }
      if (s3.getCaSecretRef() != null) {
        pod.volume(secretItem("backup-s3-ca", s3.getCaSecretRef(), S3_CA_FILE));
        mounts.add(mount("backup-s3-ca", S3_CA_DIR, true));
        args.addAll(List.of("--s3-ca-file", S3_CA_DIR + "/" + S3_CA_FILE));
      }
      String creds = s3.getCredentialsSecretRef().getName();
      env.add(RailsContainer.fromSecret("AWS_ACCESS_KEY_ID", creds, BackupS3Spec.ACCESS_KEY_ID));
      env.add(RailsContainer.fromSecret(
          "AWS_SECRET_ACCESS_KEY", creds, BackupS3Spec.SECRET_ACCESS_KEY));
    }
  }

  /** The public keys backups are encrypted to: the user's (Secret or ConfigMap key) or the generated ones. */
  private static Volume recipients(RenderContext ctx, ResolvedSpec.Backup b) {
    if (b.recipientsSecret() != null) {
      return secretItem("encryption", b.recipientsSecret(), "recipients.asc");
    }
    String name = b.recipientsConfigMap() != null
        ? b.recipientsConfigMap().getName()
        : Names.backupRecipients(ctx.name());
    String key = b.recipientsConfigMap() != null
        ? b.recipientsConfigMap().getKey()
        : BackupRecipientsConfigMap.KEY;
    return new VolumeBuilder()
        .withName("encryption")
        .withNewConfigMap()
        .withName(name)
        .withItems(new KeyToPath(key, null, "recipients.asc"))
        .withDefaultMode(0444)
        .endConfigMap()
        .build();
  }

  private static Volume secretItem(String volume, SecretKeyRef ref, String path) {
    return new VolumeBuilder()
        .withName(volume)
        .withNewSecret()
        .withSecretName(ref.getName())
        // readable by the pod's group (fsGroup 10001), not the world
        .withItems(new KeyToPath(ref.getKey(), null, path))
        .withDefaultMode(0440)
        .endSecret()
        .build();
  }

  private static VolumeMount mount(String volume, String path, boolean readOnly) {
    return new VolumeMountBuilder()
        .withName(volume)
        .withMountPath(path)
        .withReadOnly(readOnly ? Boolean.TRUE : null)
        .build();
  }
}
