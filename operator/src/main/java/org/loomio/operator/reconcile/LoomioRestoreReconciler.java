package org.loomio.operator.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.loomio.operator.api.v1alpha1.BackupEncryptionSpec;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.api.v1alpha1.LoomioRestore;
import org.loomio.operator.api.v1alpha1.LoomioRestoreSpec;
import org.loomio.operator.api.v1alpha1.LoomioRestoreStatus;
import org.loomio.operator.api.v1alpha1.LoomioRestoreStatus.Phase;
import org.loomio.operator.api.v1alpha1.RestoreStep;
import org.loomio.operator.api.v1alpha1.SecretKeyRef;
import org.loomio.operator.backup.Manifest;
import org.loomio.operator.backup.OpenPgp;
import org.loomio.operator.backup.Summary;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Credentials;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.model.Labels;
import org.loomio.operator.model.Names;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.model.SecretDigests;
import org.loomio.operator.reconcile.dependent.CacheTrim;
import org.loomio.operator.render.backup.BackupPodTemplate;
import org.loomio.operator.render.backup.RestoreJob;
import org.loomio.operator.render.base.Ownership;
import org.loomio.operator.render.base.RenderContext;
import org.loomio.operator.render.workload.MigrationJob;
import org.loomio.operator.secrets.CredentialRotation;
import org.loomio.operator.secrets.GeneratedBackupKey;
import org.loomio.operator.secrets.GeneratedSigningKey;
import org.loomio.operator.status.EventRecorder;
import org.loomio.operator.validation.SpecValidator;
import org.loomio.operator.validation.TenantPolicy;
import org.loomio.operator.validation.Violation;

/**
 * Restores a LoomioDeployment from a backup, one step at a time, each in status:
 * <ol>
 *   <li>ScaleDown: the restore holds the deployment ({@code status.holdsDeployment}); its reconciler scales
 *       web, worker and hocuspocus to zero; this waits until no such pod is left;
 *   <li>Restore: a Job downloads the backup, verifies every object against the manifest before decrypting,
 *       restores the uploads, and runs {@code pg_restore --clean --if-exists --no-owner}; the application
 *       credentials come back (when asked) through the agent's termination message, still encrypted, and
 *       the operator decrypts them and puts them into the generated Secret;
 *   <li>Migrate: the current image's migration Job runs against the restored database;
 *   <li>ScaleUp: the hold ends and the deployment starts web, worker and hocuspocus again.
 * </ol>
 * It refuses to start while another restore of the deployment runs, waits while a migration runs, and never
 * deletes or writes to the backup. After a failure once data was touched the hold stays (the app must not
 * start on half-restored data) until the LoomioRestore is deleted.
 */
@ControllerConfiguration(
    name = LoomioRestoreReconciler.NAME,
    fieldManager = LoomioDeploymentReconciler.NAME)
public class LoomioRestoreReconciler implements Reconciler<LoomioRestore> {

  public static final String NAME = "loomio-restore";
  static final Duration RECHECK = Duration.ofSeconds(10);
  /** While pods stop or start (no informer on Deployments here): look again this often. */
  static final Duration POLL = Duration.ofSeconds(2);

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The phase each step runs in. */
  private static final Map<RestoreStep.Name, Phase> PHASES = new EnumMap<>(Map.of(
      RestoreStep.Name.ScaleDown, Phase.ScalingDown,
      RestoreStep.Name.Restore, Phase.Restoring,
      RestoreStep.Name.Migrate, Phase.Migrating,
      RestoreStep.Name.ScaleUp, Phase.ScalingUp));

  private final Supplier<ClusterCapabilities> capabilities;
  private final ImageDefaults images;
  private final TenantPolicy policy;
  private final Clock clock;

  /** These default images with the default tenant policy. */
  public LoomioRestoreReconciler(
      Supplier<ClusterCapabilities> capabilities, ImageDefaults images, Clock clock) {
    this(capabilities, TenantPolicy.defaults(images), clock);
  }

  /**
   * The operator's tenant policy (the stack's spec is checked with it before anything runs), and its default
   * images ({@link TenantPolicy#images()}).
   */
  public LoomioRestoreReconciler(
      Supplier<ClusterCapabilities> capabilities, TenantPolicy policy, Clock clock) {
    this.capabilities = capabilities;
    this.policy = Objects.requireNonNull(policy, "policy");
    this.images = policy.images();
    this.clock = clock;
  }

  @Override
  public List<EventSource<?, LoomioRestore>> prepareEventSources(
      EventSourceContext<LoomioRestore> context) {
    var jobs = InformerEventSourceConfiguration.from(Job.class, LoomioRestore.class)
        .withLabelSelector(Labels.MANAGED_SELECTOR + "," + Labels.RESTORE)
        .withSecondaryToPrimaryMapper(o -> LoomioBackupReconciler.byLabel(
            o.getMetadata().getLabels().get(Labels.RESTORE), o.getMetadata().getNamespace()))
        .withItemStore(CacheTrim.store(context, CacheTrim::readOnly))
        .build();
    var pods = InformerEventSourceConfiguration.from(Pod.class, LoomioRestore.class)
        .withLabelSelector(Labels.MANAGED_SELECTOR + "," + Labels.RESTORE)
        .withSecondaryToPrimaryMapper(o -> LoomioBackupReconciler.byLabel(
            o.getMetadata().getLabels().get(Labels.RESTORE), o.getMetadata().getNamespace()))
        .withItemStore(CacheTrim.store(context, CacheTrim::pod))
        .build();
    return List.of(
        new InformerEventSource<>(jobs, context), new InformerEventSource<>(pods, context));
  }

  /**
   * One step of the restore a reconcile: a finished restore is left alone; a spec changed after the start, or a
   * stack that cannot be restored (missing, invalid, no such backups, no key), fails it; otherwise the step its
   * phase is in runs ({@link #start} before the first).
   */
  @Override
  public UpdateControl<LoomioRestore> reconcile(
      LoomioRestore restore, Context<LoomioRestore> context) {
    LoomioRestoreStatus status = copy(restore.getStatus());
    if (status.getPhase() == Phase.Succeeded || status.getPhase() == Phase.Failed) {
      return UpdateControl.noUpdate();
    }
    Step step = new Step(restore, status, context);
    Optional<String> changed = changedAfterStart(restore, status);
    if (changed.isPresent()) {
      return step.fail(changed.get());
    }
    Admission admission = admit(restore, context.getClient());
    if (admission.problem() != null) {
      return step.fail(admission.problem());
    }
    Target target = admission.target();
    Optional<RestoreStep.Name> current = running(status.getPhase());
    if (current.isEmpty()) {
      return start(step, target);
    }
    return switch (current.get()) {
      case ScaleDown -> scaleDown(step, target);
      case Restore -> restore(step, target);
      case Migrate -> migrate(step, target);
      case ScaleUp -> scaleUp(step, target);
    };
  }

  /** The step running in a phase; none before the restore started (no phase yet, or Pending). */
  static Optional<RestoreStep.Name> running(Phase phase) {
    return PHASES.entrySet().stream()
        .filter(e -> e.getValue() == phase)
        .map(Map.Entry::getKey)
        .findFirst();
  }

  /**
   * Why the restore must fail because its spec changed after it started, if it did (records the generation it
   * started at when an operator that did not record it started it).
   */
  private static Optional<String> changedAfterStart(
      LoomioRestore restore, LoomioRestoreStatus status) {
    boolean started = status.getPhase() != null && status.getPhase() != Phase.Pending;
    Long generation = restore.getMetadata().getGeneration();
    if (started && status.getStartedGeneration() == null) {
      status.setStartedGeneration(generation); // started by an operator that did not record it
    } else if (started && generation != null && !generation.equals(status.getStartedGeneration())) {
      // the CRD refuses a change (CEL), API servers without CEL do not: nothing of the new spec is
      // used, not
      // even its deploymentName
      return Optional.of("the spec was changed after the restore started (generation " + generation
          + ", started at "
          + status.getStartedGeneration()
          + "): a LoomioRestore is fixed once it starts and the change is not used;"
          + " create a new LoomioRestore instead");
    }
    return Optional.empty();
  }

  /** The stack a restore restores and what it restores with, resolved once per reconcile. */
  private record Target(
      String deploymentName,
      LoomioDeployment deployment,
      ResolvedSpec spec,
      LoomioRestoreSpec.Source source,
      SecretKeyRef key,
      SecretKeyRef verification,
      RenderContext ctx) {}

  /** The target, or why the restore cannot be made (and fails). */
  private record Admission(Target target, String problem) {
    static Admission refused(String problem) {
      return new Admission(null, problem);
    }
  }

  /**
   * The stack named, valid under the operator's policy, with backups where the restore reads them and a key to
   * decrypt them; and the restore's own spec valid.
   */
  private Admission admit(LoomioRestore restore, KubernetesClient client) {
    String ns = restore.getMetadata().getNamespace();
    LoomioRestoreSpec rs = restore.getSpec();
    String deploymentName = restore.target();
    LoomioDeployment deployment = deploymentName == null
        ? null
        : client
            .resources(LoomioDeployment.class)
            .inNamespace(ns)
            .withName(deploymentName)
            .get();
    if (deployment == null) {
      return Admission.refused(
          "LoomioDeployment " + deploymentName + " does not exist in namespace " + ns);
    }
    List<Violation> violations = SpecValidator.validate(deployment, policy);
    if (!violations.isEmpty()) {
      return Admission.refused(
          "LoomioDeployment " + deploymentName + " is invalid: " + violations.get(0));
    }
    List<Violation> own = SpecValidator.validateRestore(rs);
    if (!own.isEmpty()) {
      return Admission.refused("invalid: " + own.get(0));
    }
    ResolvedSpec spec = ResolvedSpec.of(deployment, images);
    ResolvedSpec.Backup b = spec.backup();
    LoomioRestoreSpec.Source source = rs.getSource() != null
        ? rs.getSource()
        : b.onVolume() ? LoomioRestoreSpec.Source.volume : LoomioRestoreSpec.Source.s3;
    if (source == LoomioRestoreSpec.Source.volume && !b.onVolume()) {
      return Admission.refused(
          "source volume: LoomioDeployment " + deploymentName + " keeps no backups on a volume");
    }
    if (source == LoomioRestoreSpec.Source.s3 && b.s3() == null) {
      return Admission.refused(
          "source s3: LoomioDeployment " + deploymentName + " has no spec.backup.s3");
    }
    SecretKeyRef key = decryptionKey(rs, b, spec);
    if (key == null) {
      return Admission.refused(
          "LoomioDeployment " + deploymentName + " encrypts backups to your own recipients: set"
              + " spec.privateKeySecretRef to a Secret holding the armored private key");
    }
    SecretKeyRef verification = verificationKey(rs, spec);
    RenderContext ctx = new RenderContext(
        spec,
        capabilities.get(),
        new Credentials(spec.credentialsSecretName(), spec.existingSecret() == null, Map.of()),
        SecretDigests.none());
    return new Admission(
        new Target(deploymentName, deployment, spec, source, key, verification, ctx), null);
  }

  /**
   * Before the first step: with consent to what it reads, when no other restore holds the stack, and once no
   * migration (or role setup) runs, the restore takes the hold and begins {@code ScaleDown}.
   */
  private UpdateControl<LoomioRestore> start(Step step, Target t) {
    LoomioRestoreStatus status = step.status;
    Optional<String> unconsented = consentProblem(step, t);
    if (unconsented.isPresent()) {
      return step.fail(unconsented.get());
    }
    Optional<String> other = otherRestore(step, t.deploymentName());
    if (other.isPresent()) {
      return step.fail("LoomioRestore " + other.get() + " is restoring " + t.deploymentName()
          + " (or holds it after a" + " failure): one restore at a time; delete that one first");
    }
    Optional<String> migrating = runningMigration(step, t.deploymentName());
    if (migrating.isPresent()) {
      status.setPhase(Phase.Pending);
      status.setMessage("waiting for Job " + migrating.get() + " to finish before restoring");
      return step.write(RECHECK);
    }
    LoomioRestoreSpec rs = step.restore.getSpec();
    status.setStartTime(now());
    status.setStartedGeneration(step.restore.getMetadata().getGeneration());
    status.setDeploymentName(t.deploymentName());
    status.setBackupName(rs.getBackupName() == null ? "latest" : rs.getBackupName());
    status.setHoldsDeployment(true);
    step.begin(
        RestoreStep.Name.ScaleDown, "stopping web, worker and hocuspocus of " + t.deploymentName());
    step.events.normal(
        step.restore,
        "RestoreStarted",
        "restoring " + t.deploymentName() + " from backup " + status.getBackupName() + " ("
            + t.source() + "); its web, worker and hocuspocus stop meanwhile");
    return step.write(POLL);
  }

  /** Another LoomioRestore of the same stack that runs, or holds it after a failure. */
  private static Optional<String> otherRestore(Step step, String deploymentName) {
    return step
        .client()
        .resources(LoomioRestore.class)
        .inNamespace(step.namespace())
        .list()
        .getItems()
        .stream()
        .filter(
            r -> !r.getMetadata().getName().equals(step.restore.getMetadata().getName()))
        .filter(r -> deploymentName.equals(r.target()))
        .filter(r -> r.getStatus() != null
            && (LoomioRestoreStatus.active(r.getStatus().getPhase())
                    && r.getStatus().getPhase() != Phase.Pending
                || Boolean.TRUE.equals(r.getStatus().getHoldsDeployment())))
        .map(r -> r.getMetadata().getName())
        .findFirst();
  }

  /**
   * A migration, or the embedded database's role setup, that runs or waits to (the restore signs in as the role
   * it makes the owner).
   */
  private static Optional<String> runningMigration(Step step, String deploymentName) {
    return step
        .client()
        .batch()
        .v1()
        .jobs()
        .inNamespace(step.namespace())
        .withLabel(Labels.INSTANCE, deploymentName)
        .withLabelIn(Labels.COMPONENT, Component.MIGRATE.label(), Component.DB_ROLES.label())
        .list()
        .getItems()
        .stream()
        .filter(j -> StatusAggregator.migrationState(j) == StatusAggregator.MigrationState.RUNNING
            || StatusAggregator.migrationState(j) == StatusAggregator.MigrationState.PENDING)
        .map(j -> j.getMetadata().getName())
        .findFirst();
  }

  /**
   * {@code ScaleDown}: once no web, worker or hocuspocus pod is left, and with consent to what it reads, the
   * restore Job starts and {@code Restore} begins.
   */
  private UpdateControl<LoomioRestore> scaleDown(Step step, Target t) {
    LoomioRestoreStatus status = step.status;
    List<String> running = stillRunning(step, t.deploymentName());
    if (!running.isEmpty()) {
      status.setMessage("waiting for pods to stop: " + String.join(", ", running));
      return step.write(POLL);
    }
    // consent is checked again right before anything mounts or copies a referenced Secret: it may
    // have been
    // withdrawn, or the LoomioDeployment may name other Secrets now
    Optional<String> unconsented = consentProblem(step, t);
    if (unconsented.isPresent()) {
      return step.fail(unconsented.get());
    }
    LoomioRestoreSpec rs = step.restore.getSpec();
    Job job = RestoreJob.render(
        t.ctx(),
        LoomioBackupReconciler.hash8(step.restore),
        status.getBackupName(),
        t.source(),
        !Boolean.FALSE.equals(rs.getRestoreUploads()),
        t.key(),
        Boolean.TRUE.equals(rs.getRestoreSecrets()),
        t.verification(),
        Boolean.TRUE.equals(rs.getAllowUnsigned()));
    own(job, step.restore);
    step.client()
        .batch()
        .v1()
        .jobs()
        .inNamespace(step.namespace())
        .resource(job)
        .create();
    status.setJob(job.getMetadata().getName());
    step.done(RestoreStep.Name.ScaleDown, "web, worker and hocuspocus stopped");
    step.begin(
        RestoreStep.Name.Restore,
        "Job " + job.getMetadata().getName() + " restores backup " + status.getBackupName());
    return step.write(null);
  }

  /** The web, worker and hocuspocus Deployments that still have or want replicas, each with its count. */
  private static List<String> stillRunning(Step step, String deploymentName) {
    List<String> running = new ArrayList<>();
    for (Component c : List.of(Component.WEB, Component.WORKER, Component.HOCUSPOCUS)) {
      Deployment d = step.client()
          .apps()
          .deployments()
          .inNamespace(step.namespace())
          .withName(Names.of(deploymentName, c))
          .get();
      int replicas = d == null || d.getStatus() == null || d.getStatus().getReplicas() == null
          ? 0
          : d.getStatus().getReplicas();
      int wanted =
          d == null || d.getSpec().getReplicas() == null ? 0 : d.getSpec().getReplicas();
      if (replicas > 0 || wanted > 0) {
        running.add(c.label() + " " + replicas);
      }
    }
    return running;
  }

  /**
   * {@code Restore}: the restore Job's pod refused the backup, failed, or restored it (then {@link #restored});
   * or its Job failed without a pod to say why.
   */
  private UpdateControl<LoomioRestore> restore(Step step, Target t) {
    LoomioRestoreStatus status = step.status;
    for (Pod pod : pods(step.context, Component.RESTORE)) {
      Optional<String> failure = failure(pod);
      Optional<JsonNode> summary = LoomioBackupReconciler.agentSummary(pod);
      if (failure.isPresent()
          && summary.map(s -> s.path("refused").asBoolean(false)).orElse(false)) {
        // the backup is not proven to be the stack's: the agent stopped before downloading
        // anything
        return step.refuse(redaction(step.client(), t.spec(), t.key())
            .apply("backup refused: " + summary.get().path("error").asText()));
      }
      if (failure.isPresent()) {
        return step.fail(redaction(step.client(), t.spec(), t.key())
            .apply("restore Job " + status.getJob() + ": " + failure.get()));
      }
      summary.map(s -> s.path("backup").asText(null)).ifPresent(status::setBackupName);
      if (succeeded(pod)) {
        return restored(step, t, summary.orElse(null));
      }
    }
    Optional<Job> job = job(step.context, Component.RESTORE);
    if (job.isPresent()
        && StatusAggregator.migrationState(job.get()) == StatusAggregator.MigrationState.FAILED) {
      return step.fail(redaction(step.client(), t.spec(), t.key())
          .apply("restore Job " + status.getJob() + " failed" + jobFailure(job.get())));
    }
    return step.write(null);
  }

  /**
   * The data is restored: with consent still given, the verification is recorded, the credentials come back
   * when asked, the migration Job starts and {@code Migrate} begins.
   */
  private UpdateControl<LoomioRestore> restored(Step step, Target t, JsonNode summary) {
    KubernetesClient client = step.client();
    LoomioRestoreSpec rs = step.restore.getSpec();
    Optional<String> unconsented = consentProblem(step, t);
    if (unconsented.isPresent()) {
      return step.fail(unconsented.get());
    }
    recordVerification(step, summary, client, t.spec(), rs);
    String secretsNote = "";
    if (Boolean.TRUE.equals(rs.getRestoreSecrets())) {
      try {
        secretsNote = restoreSecrets(client, t.spec(), t.spec().backup(), t.key(), summary);
      } catch (Exception e) {
        return step.fail(redaction(client, t.spec(), t.key())
            .apply("the data is restored, but the credentials are not: " + e.getMessage()));
      }
    }
    Job migrate = MigrationJob.render(t.ctx());
    migrate
        .getMetadata()
        .setName(Names.restoreMigrationJob(
            t.deploymentName(), LoomioBackupReconciler.hash8(step.restore)));
    own(migrate, step.restore);
    client.batch().v1().jobs().inNamespace(step.namespace()).resource(migrate).create();
    step.done(
        RestoreStep.Name.Restore, "restored backup " + step.status.getBackupName() + secretsNote);
    step.begin(
        RestoreStep.Name.Migrate,
        "Job " + migrate.getMetadata().getName() + " migrates the restored" + " database for "
            + t.spec().loomioImage());
    return step.write(null);
  }

  /** {@code Migrate}: once the migration Job succeeded the hold ends and {@code ScaleUp} begins. */
  private UpdateControl<LoomioRestore> migrate(Step step, Target t) {
    Optional<Job> migrate = job(step.context, Component.MIGRATE);
    if (migrate.isPresent()) {
      switch (StatusAggregator.migrationState(migrate.get())) {
        case SUCCEEDED -> {
          step.status.setHoldsDeployment(false);
          step.done(
              RestoreStep.Name.Migrate,
              "the database is current for " + t.spec().loomioImage());
          step.begin(
              RestoreStep.Name.ScaleUp,
              "starting web, worker and hocuspocus of " + t.deploymentName());
          return step.write(POLL);
        }
        case FAILED -> {
          return step.fail(redaction(step.client(), t.spec(), t.key())
              .apply("migration Job " + migrate.get().getMetadata().getName() + " failed"
                  + jobFailure(migrate.get()) + "; the data is restored but not migrated"));
        }
        default -> {}
      }
    }
    return step.write(null);
  }

  /** {@code ScaleUp}: done once web serves again, or at once for a stack that stays isolated. */
  private UpdateControl<LoomioRestore> scaleUp(Step step, Target t) {
    LoomioRestoreStatus status = step.status;
    Deployment web = step.client()
        .apps()
        .deployments()
        .inNamespace(step.namespace())
        .withName(Names.of(t.deploymentName(), Component.WEB))
        .get();
    int wanted =
        web == null || web.getSpec().getReplicas() == null ? 0 : web.getSpec().getReplicas();
    int ready = web == null || web.getStatus() == null || web.getStatus().getReadyReplicas() == null
        ? 0
        : web.getStatus().getReadyReplicas();
    if (t.spec().isolated()) {
      // restored into a quarantined stack: the app starts when isolation is lifted
      step.done(
          RestoreStep.Name.ScaleUp,
          "the stack stays isolated: web, worker and hocuspocus start when spec.isolation is false");
      return step.succeed("restored " + t.deploymentName() + " from backup "
          + status.getBackupName() + "; it stays isolated" + " until spec.isolation is false");
    }
    if (wanted > 0 && ready >= wanted) {
      step.done(RestoreStep.Name.ScaleUp, "web serves again (" + ready + "/" + wanted + " ready)");
      return step.succeed(
          "restored " + t.deploymentName() + " from backup " + status.getBackupName());
    }
    status.setMessage("waiting for web: " + ready + "/" + wanted + " ready");
    return step.write(POLL);
  }

  /**
   * What stops the restore from using the Secrets and ConfigMaps it reads now: the stack's references (the
   * restore and migration pods read what the stack reads) and the key, each with its owner's consent.
   */
  private Optional<String> consentProblem(Step step, Target t) {
    KubernetesClient client = step.client();
    LoomioDeployment deployment = t.deployment();
    ResolvedSpec spec = t.spec();
    LoomioRestoreSpec rs = step.restore.getSpec();
    SecretKeyRef key = t.key();
    SecretKeyRef verification = t.verification();
    List<ReferencedSecrets.Ref> refs = new ArrayList<>(ReferencedSecrets.refs(spec));
    refs.add(
        rs.getVerificationKeySecretRef() != null
            ? new ReferencedSecrets.Ref(
                "spec.verificationKeySecretRef", verification.getName(), verification.getKey())
            : ReferencedSecrets.operatorRef("the stack's signing key", verification));
    refs.add(
        rs.getPrivateKeySecretRef() != null
            ? ReferencedSecrets.restoreKey(key)
            : spec.backup().mode() == BackupEncryptionSpec.Mode.Passphrase
                ? new ReferencedSecrets.Ref(
                    "spec.backup.encryption.passphraseSecretRef", key.getName(), key.getKey())
                : ReferencedSecrets.operatorRef("the decryption key", key));
    String name = deployment.getMetadata().getName();
    Optional<String> problem = ReferencedSecrets.lookup(
            client,
            deployment.getMetadata().getNamespace(),
            name,
            refs,
            ReferencedSecrets.ownedBy(name, deployment.getMetadata().getUid()),
            policy.requireSecretConsent())
        .problem();
    // the restore and migration pods read <name>-secrets by the stack's name: only the stack's own
    return problem.isPresent()
        ? problem
        : OwnInputs.problem(client, spec, false, rs.getVerificationKeySecretRef() == null);
  }

  /**
   * What masks the secret values the restore and migration pods could read (the stack's Secrets, its references
   * and the key), for what they report; read only when something failed.
   */
  private static UnaryOperator<String> redaction(
      KubernetesClient client, ResolvedSpec spec, SecretKeyRef key) {
    List<String> names = new ArrayList<>(Redaction.secretNames(ReferencedSecrets.refs(spec)));
    names.add(key.getName());
    return Redaction.forStack(client, spec, names);
  }

  /** The public key the backup's manifest must be signed by: the one named, or the stack's own signing key. */
  static SecretKeyRef verificationKey(LoomioRestoreSpec rs, ResolvedSpec spec) {
    return rs.getVerificationKeySecretRef() != null
        ? rs.getVerificationKeySecretRef()
        : new SecretKeyRef(Names.backupSigningKey(spec.name()), GeneratedSigningKey.PUBLIC_KEY);
  }

  /**
   * What the agent verified: the signing key, or an unsigned backup let through (status and a Warning event).
   * A backup verified against {@code spec.verificationKeySecretRef} by a key that is not the stack's own signing
   * key is a Warning too: that key vouches for another stack's backups (or an earlier incarnation's), and
   * whoever named it should see that it was used.
   */
  private static void recordVerification(
      Step step,
      JsonNode summary,
      KubernetesClient client,
      ResolvedSpec spec,
      LoomioRestoreSpec rs) {
    if (summary == null) {
      return;
    }
    LoomioRestoreStatus status = step.status;
    if (summary.hasNonNull("signedBy")) {
      String signedBy = summary.get("signedBy").asText();
      status.setSignedBy(signedBy);
      if (rs.getVerificationKeySecretRef() != null) {
        Optional<String> own = ownSigningKeyFingerprint(client, spec);
        if (own.isEmpty() || !own.get().equalsIgnoreCase(signedBy)) {
          step.events.warning(
              step.restore,
              "VerifiedWithAnotherKey",
              "backup " + status.getBackupName()
                  + " was verified against spec.verificationKeySecretRef (Secret "
                  + rs.getVerificationKeySecretRef().getName() + ", key " + signedBy
                  + "), not against LoomioDeployment "
                  + spec.name() + "'s own signing key"
                  + own.map(f -> " (" + f + ")").orElse(" (it has none yet)")
                  + ": make sure that key is the one of the stack whose backups you meant to restore");
        }
      }
    }
    if (summary.path("unsigned").asBoolean(false)) {
      status.setUnsigned(true);
      step.events.warning(
          step.restore,
          "UnsignedBackupRestored",
          "restored backup " + status.getBackupName()
              + " WITHOUT a signature (spec.allowUnsigned): nothing proves this stack made it");
    }
    if (summary.path("refusedBackups").isArray()
        && !summary.get("refusedBackups").isEmpty()) {
      List<String> refused = new ArrayList<>();
      summary.get("refusedBackups").forEach(r -> refused.add(r.asText()));
      step.events.warning(
          step.restore,
          "BackupRefused",
          "latest passed over " + refused.size() + " newer"
              + " backup(s) not proven to be this stack's: " + String.join("; ", refused));
    }
  }

  /** The fingerprint of the stack's own signing key, read from the key (only from the stack's own Secret). */
  private static Optional<String> ownSigningKeyFingerprint(
      KubernetesClient client, ResolvedSpec spec) {
    Secret secret = client
        .secrets()
        .inNamespace(spec.namespace())
        .withName(Names.backupSigningKey(spec.name()))
        .get();
    if (!Ownership.ours(Ownership.retained(secret, spec.name(), spec.uid(), uid -> true))) {
      return Optional.empty();
    }
    try {
      return OpenPgp.verifierFrom(SecretValues.value(secret, GeneratedSigningKey.PUBLIC_KEY))
          .fingerprints()
          .stream()
          .findFirst();
    } catch (RuntimeException | OpenPgp.PgpException e) {
      return Optional.empty();
    }
  }

  /** The key to decrypt with: the passphrase, the user's private key, or the generated one. */
  static SecretKeyRef decryptionKey(
      LoomioRestoreSpec rs, ResolvedSpec.Backup b, ResolvedSpec spec) {
    if (b.mode() == BackupEncryptionSpec.Mode.Passphrase) {
      return b.passphrase();
    }
    if (rs.getPrivateKeySecretRef() != null) {
      return rs.getPrivateKeySecretRef();
    }
    return b.generatedKey()
        ? new SecretKeyRef(Names.backupKey(spec.name()), GeneratedBackupKey.PRIVATE_KEY)
        : null;
  }

  /**
   * Decrypts the credentials the agent handed back (the backup's own encrypted object, verified) and puts
   * the application keys into the generated Secret, with the resourceVersion read (never blindly).
   */
  private String restoreSecrets(
      KubernetesClient client,
      ResolvedSpec spec,
      ResolvedSpec.Backup b,
      SecretKeyRef key,
      JsonNode summary)
      throws Exception {
    if (spec.existingSecret() != null) {
      return "; credentials not restored: spec.secrets.existingSecret " + spec.existingSecret()
          + " is yours to restore (the backup holds a copy)";
    }
    String ciphertext = summary == null ? null : summary.path("secretsObject").asText(null);
    if (ciphertext == null) {
      throw new IllegalStateException(
          "the backup agent returned no credentials (the backup may hold none, or its"
              + " result was missing, malformed or larger than " + Summary.LIMIT + " bytes)");
    }
    Secret keySecret =
        client.secrets().inNamespace(spec.namespace()).withName(key.getName()).get();
    if (keySecret == null) {
      throw new IllegalStateException("Secret " + key.getName() + " does not exist");
    }
    JsonNode values = decryptCredentials(
        b.mode() == BackupEncryptionSpec.Mode.Passphrase,
        SecretValues.value(keySecret, key.getKey()),
        ciphertext);
    Secret current = client
        .secrets()
        .inNamespace(spec.namespace())
        .withName(spec.generatedSecretName())
        .get();
    if (current == null) {
      throw new IllegalStateException("Secret " + spec.generatedSecretName() + " does not exist");
    }
    // written only when it is the stack's own (made by the operator for this LoomioDeployment)
    Ownership.require(Ownership.retained(current, spec.name(), spec.uid(), uid -> true));
    Map<String, String> data =
        new LinkedHashMap<>(current.getData() == null ? Map.of() : current.getData());
    List<String> restored = new ArrayList<>();
    for (String k : BackupPodTemplate.RESTORABLE_SECRET_KEYS) {
      if (values.hasNonNull(k)) {
        // the agent stores each value base64-encoded, as in a Secret's data: check it, then use it
        // as it is
        String encoded = values.get(k).asText();
        try {
          Base64.getDecoder().decode(encoded);
        } catch (IllegalArgumentException e) {
          throw new IllegalStateException("the backed-up value of " + k + " is not base64");
        }
        data.put(k, encoded);
        restored.add(k);
      }
    }
    // each restored value is the current one from now on: status.secrets.valueSince and maxAgeDays
    // say so
    Secret restoredSecret =
        new SecretBuilder(current).withData(data).withStringData(null).build();
    Map<String, String> annotations = new LinkedHashMap<>(
        restoredSecret.getMetadata().getAnnotations() == null
            ? Map.of()
            : restoredSecret.getMetadata().getAnnotations());
    String since = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    restored.forEach(k -> annotations.put(CredentialRotation.VALUE_SINCE + k, since));
    restoredSecret.getMetadata().setAnnotations(annotations);
    client.secrets().inNamespace(spec.namespace()).resource(restoredSecret).update();
    return "; credentials restored: " + String.join(", ", restored);
  }

  /**
   * The operator's own decryption of the credentials a restore hands back, in the operator's memory and so
   * bounded: the ciphertext at most a termination message, the plaintext at most
   * {@link Manifest#MAX_SECRETS_BYTES} (compressed OpenPGP is refused outright), or a clear failure of this
   * restore, never an OutOfMemoryError of the operator.
   */
  static JsonNode decryptCredentials(boolean passphrase, String material, String ciphertextBase64)
      throws Exception {
    if (ciphertextBase64.length() > Summary.LIMIT) {
      throw new IllegalStateException(
          "the credentials object in the agent's result is larger than a termination" + " message ("
              + Summary.LIMIT + " bytes): refused");
    }
    byte[] ciphertext;
    try {
      ciphertext = Base64.getDecoder().decode(ciphertextBase64);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("the credentials object in the agent's result is not base64");
    }
    OpenPgp.Decryptor decryptor = passphrase
        ? OpenPgp.decryptWithPassphrase(material.strip().toCharArray())
        : OpenPgp.decryptWithSecretKeys(material);
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    decryptor.decrypt(new ByteArrayInputStream(ciphertext), plain, Manifest.MAX_SECRETS_BYTES);
    byte[] json = plain.toByteArray();
    try {
      JsonNode values = JSON.readTree(json);
      if (values == null || !values.isObject()) {
        throw new IllegalStateException("the backed-up credentials are not a JSON object");
      }
      return values;
    } catch (IOException e) {
      // never Jackson's message: it quotes the input, which is the credentials
      throw new IllegalStateException("the backed-up credentials are not a JSON object");
    } finally {
      Arrays.fill(json, (byte) 0);
    }
  }

  private static List<Pod> pods(Context<LoomioRestore> context, Component component) {
    return context
        .getSecondaryResourcesAsStream(Pod.class)
        .filter(p -> component.label().equals(p.getMetadata().getLabels().get(Labels.COMPONENT)))
        .toList();
  }

  private static Optional<Job> job(Context<LoomioRestore> context, Component component) {
    return context
        .getSecondaryResourcesAsStream(Job.class)
        .filter(j -> component.label().equals(j.getMetadata().getLabels().get(Labels.COMPONENT)))
        .findFirst();
  }

  /** Why a restore pod failed, if it did (any container with a non-zero exit, or a failed pod). */
  static Optional<String> failure(Pod pod) {
    if (pod.getStatus() == null) {
      return Optional.empty();
    }
    for (ContainerStatus c : BackupObserver.containerStatuses(pod)) {
      var t = c.getState() == null ? null : c.getState().getTerminated();
      if (t != null && t.getExitCode() != null && t.getExitCode() != 0) {
        String why = BackupObserver.summary(t.getMessage())
            .map(s -> s.path("error").asText(null))
            .orElse(null);
        if (why == null && t.getMessage() != null && !t.getMessage().isBlank()) {
          String m = t.getMessage().strip();
          why = m.substring(m.lastIndexOf('\n') + 1);
        }
        return Optional.of("step " + c.getName() + " failed (exit code " + t.getExitCode() + ")"
            + (why == null ? "" : ": " + why));
      }
    }
    return "Failed".equals(pod.getStatus().getPhase())
        ? Optional.of(
            pod.getStatus().getReason() == null
                ? "the pod failed"
                : pod.getStatus().getReason())
        : Optional.empty();
  }

  private static boolean succeeded(Pod pod) {
    return BackupObserver.containerStatuses(pod).stream()
        .filter(c -> "pg-restore".equals(c.getName()))
        .anyMatch(c -> c.getState() != null
            && c.getState().getTerminated() != null
            && Integer.valueOf(0).equals(c.getState().getTerminated().getExitCode()));
  }

  private static String jobFailure(Job job) {
    return job.getStatus() == null || job.getStatus().getConditions() == null
        ? ""
        : job.getStatus().getConditions().stream()
            .filter(c -> "Failed".equals(c.getType()))
            .findFirst()
            .map(c ->
                ": " + c.getReason() + (c.getMessage() == null ? "" : " (" + c.getMessage() + ")"))
            .orElse("");
  }

  private static void own(Job job, LoomioRestore restore) {
    LoomioBackupReconciler.own(job, restore, LoomioRestore.KIND, Labels.RESTORE);
  }

  private String now() {
    return clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static LoomioRestoreStatus copy(LoomioRestoreStatus s) {
    LoomioRestoreStatus c = new LoomioRestoreStatus();
    if (s != null) {
      c.setPhase(s.getPhase());
      c.setBackupName(s.getBackupName());
      c.setJob(s.getJob());
      c.setHoldsDeployment(s.getHoldsDeployment());
      List<RestoreStep> steps = new ArrayList<>();
      for (RestoreStep r : s.getSteps() == null ? List.<RestoreStep>of() : s.getSteps()) {
        RestoreStep x = new RestoreStep(r.getName(), r.getState(), r.getStartTime());
        x.setCompletionTime(r.getCompletionTime());
        x.setMessage(r.getMessage());
        steps.add(x);
      }
      c.setSteps(steps);
      c.setMessage(s.getMessage());
      c.setStartTime(s.getStartTime());
      c.setCompletionTime(s.getCompletionTime());
      c.setStartedGeneration(s.getStartedGeneration());
      c.setDeploymentName(s.getDeploymentName());
      c.setSignedBy(s.getSignedBy());
      c.setUnsigned(s.getUnsigned());
    }
    return c;
  }

  /** The steps of one reconcile: status edits, events, the write. */
  private final class Step {
    final LoomioRestore restore;
    final LoomioRestoreStatus status;
    final Context<LoomioRestore> context;
    final EventRecorder events;

    Step(LoomioRestore restore, LoomioRestoreStatus status, Context<LoomioRestore> context) {
      this.restore = restore;
      this.status = status;
      this.context = context;
      this.events = new EventRecorder(context.getClient());
    }

    /** Begins a step: the restore enters its phase. */
    void begin(RestoreStep.Name name, String message) {
      status.setPhase(PHASES.get(name));
      status.setMessage(message);
      RestoreStep s = new RestoreStep(name, RestoreStep.State.Running, now());
      s.setMessage(message);
      status.getSteps().add(s);
    }

    void done(RestoreStep.Name name, String message) {
      status.getSteps().stream()
          .filter(s -> name == s.getName() && s.getState() == RestoreStep.State.Running)
          .forEach(s -> {
            s.setState(RestoreStep.State.Done);
            s.setCompletionTime(now());
            s.setMessage(message);
          });
    }

    /**
     * Failed before anything was touched: the backup was refused as not proven to be the stack's (unsigned,
     * forged, dated in the future). The hold ends; a Warning event BackupRefused says why.
     */
    UpdateControl<LoomioRestore> refuse(String message) {
      return fail(message, "BackupRefused", false);
    }

    /** Failed; the hold stays once the data was touched (Restoring, Migrating), else it ends. */
    UpdateControl<LoomioRestore> fail(String message) {
      return fail(
          message,
          "RestoreFailed",
          status.getPhase() == Phase.Restoring || status.getPhase() == Phase.Migrating);
    }

    private UpdateControl<LoomioRestore> fail(String message, String reason, boolean touched) {
      status.getSteps().stream()
          .filter(s -> s.getState() == RestoreStep.State.Running)
          .forEach(s -> {
            s.setState(RestoreStep.State.Failed);
            s.setCompletionTime(now());
            s.setMessage(message);
          });
      status.setPhase(Phase.Failed);
      status.setHoldsDeployment(touched ? Boolean.TRUE : Boolean.FALSE);
      status.setCompletionTime(now());
      status.setMessage(message
          + (touched
              ? "; web, worker and hocuspocus stay stopped: fix the cause and create a"
                  + " new LoomioRestore, or delete this one to start them on the data as it is"
              : ""));
      events.warning(restore, reason, status.getMessage());
      return write(null);
    }

    /** The last step is done: the restore succeeded. */
    UpdateControl<LoomioRestore> succeed(String message) {
      status.setPhase(Phase.Succeeded);
      status.setCompletionTime(now());
      status.setMessage(message);
      events.normal(restore, "RestoreSucceeded", status.getMessage());
      return write(null);
    }

    KubernetesClient client() {
      return context.getClient();
    }

    String namespace() {
      return restore.getMetadata().getNamespace();
    }

    UpdateControl<LoomioRestore> write(Duration recheck) {
      StatusWriter.write(restore, status, context, LoomioRestore::new);
      UpdateControl<LoomioRestore> control = UpdateControl.noUpdate();
      return recheck == null ? control : control.rescheduleAfter(recheck);
    }
  }

  /** Reads one key of a Secret, data or stringData. */
  static final class SecretValues {
    private SecretValues() {}

    static String value(Secret secret, String key) {
      if (secret.getStringData() != null && secret.getStringData().containsKey(key)) {
        return secret.getStringData().get(key);
      }
      String encoded = secret.getData() == null ? null : secret.getData().get(key);
      if (encoded == null) {
        throw new IllegalStateException(
            "Secret " + secret.getMetadata().getName() + " has no key " + key);
      }
      return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    }
  }
}
