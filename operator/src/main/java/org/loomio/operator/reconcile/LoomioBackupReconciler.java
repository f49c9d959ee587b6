package org.loomio.operator.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.loomio.operator.api.v1alpha1.BackupObject;
import org.loomio.operator.api.v1alpha1.LoomioBackup;
import org.loomio.operator.api.v1alpha1.LoomioBackupStatus;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Credentials;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.model.Labels;
import org.loomio.operator.model.LoomioImage;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.model.SecretDigests;
import org.loomio.operator.reconcile.dependent.CacheTrim;
import org.loomio.operator.render.backup.BackupCronJob;
import org.loomio.operator.render.backup.BackupJob;
import org.loomio.operator.render.backup.BackupPodTemplate;
import org.loomio.operator.render.base.RenderContext;
import org.loomio.operator.status.EventRecorder;
import org.loomio.operator.validation.SpecValidator;
import org.loomio.operator.validation.TenantPolicy;
import org.loomio.operator.validation.Violation;

/**
 * Runs one backup now for a LoomioBackup: the scheduled backup's pod as a Job the LoomioBackup owns, then
 * the result from the agent's termination message (backup name, destinations, objects) in status. A
 * finished LoomioBackup is never run again; deleting it deletes its Job (the backup stays).
 */
@ControllerConfiguration(
    name = LoomioBackupReconciler.NAME,
    fieldManager = LoomioDeploymentReconciler.NAME)
public class LoomioBackupReconciler implements Reconciler<LoomioBackup> {

  public static final String NAME = "loomio-backup";
  static final Duration RECHECK = Duration.ofSeconds(30);
  /**
   * How long a LoomioBackup waits for a stack that does not exist (one applied with its stack, in any order)
   * before it fails.
   */
  static final Duration STACK_GRACE = Duration.ofMinutes(5);
  /**
   * Finished Jobs of LoomioBackups kept per stack, succeeded and failed each, like the schedule's CronJob
   * ({@link BackupCronJob#HISTORY_LIMIT}); older ones are deleted with their pods (the LoomioBackups and
   * their status stay).
   */
  static final int JOB_HISTORY = BackupCronJob.HISTORY_LIMIT;

  private final Supplier<ClusterCapabilities> capabilities;
  private final ImageDefaults images;
  private final TenantPolicy policy;
  private final Clock clock;

  /** These default images with the default tenant policy. */
  public LoomioBackupReconciler(
      Supplier<ClusterCapabilities> capabilities, ImageDefaults images, Clock clock) {
    this(capabilities, TenantPolicy.defaults(images), clock);
  }

  /**
   * The operator's tenant policy (the stack's spec is checked with it before anything runs), and its default
   * images ({@link TenantPolicy#images()}).
   */
  public LoomioBackupReconciler(
      Supplier<ClusterCapabilities> capabilities, TenantPolicy policy, Clock clock) {
    this.capabilities = capabilities;
    this.policy = Objects.requireNonNull(policy, "policy");
    this.images = policy.images();
    this.clock = clock;
  }

  /** Its Jobs and their pods, by the label that names the LoomioBackup. */
  @Override
  public List<EventSource<?, LoomioBackup>> prepareEventSources(
      EventSourceContext<LoomioBackup> context) {
    var jobs = InformerEventSourceConfiguration.from(Job.class, LoomioBackup.class)
        .withLabelSelector(Labels.MANAGED_SELECTOR + "," + Labels.BACKUP)
        .withSecondaryToPrimaryMapper(o -> byLabel(
            o.getMetadata().getLabels().get(Labels.BACKUP), o.getMetadata().getNamespace()))
        .withItemStore(CacheTrim.store(context, CacheTrim::readOnly))
        .build();
    var pods = InformerEventSourceConfiguration.from(Pod.class, LoomioBackup.class)
        .withLabelSelector(Labels.MANAGED_SELECTOR + "," + Labels.BACKUP)
        .withSecondaryToPrimaryMapper(o -> byLabel(
            o.getMetadata().getLabels().get(Labels.BACKUP), o.getMetadata().getNamespace()))
        .withItemStore(CacheTrim.store(context, CacheTrim::pod))
        .build();
    return List.of(
        new InformerEventSource<>(jobs, context), new InformerEventSource<>(pods, context));
  }

  static Set<ResourceID> byLabel(String name, String namespace) {
    return name == null ? Set.of() : Set.of(new ResourceID(name, namespace));
  }

  /**
   * One phase of the backup a reconcile: a finished backup is left alone; a spec changed after the start fails
   * it; without its stack it is reported, stopped or waits ({@link #withoutStack}); a stack that cannot be
   * backed up fails it; then its Job starts ({@link #start}) or is observed ({@link #observe}).
   */
  @Override
  public UpdateControl<LoomioBackup> reconcile(LoomioBackup backup, Context<LoomioBackup> context) {
    LoomioBackupStatus status = copy(backup.getStatus());
    if (status.getPhase() == LoomioBackupStatus.Phase.Succeeded
        || status.getPhase() == LoomioBackupStatus.Phase.Failed) {
      return UpdateControl.noUpdate();
    }
    Attempt attempt = new Attempt(backup, status, context);
    status.setObservedGeneration(backup.getMetadata().getGeneration());
    Optional<String> changed = changedAfterStart(backup, status);
    if (changed.isPresent()) {
      return attempt.fail(changed.get());
    }
    LoomioDeployment deployment = stack(attempt);
    if (deployment == null) {
      return withoutStack(attempt);
    }
    List<Violation> violations = SpecValidator.validate(deployment, policy);
    if (!violations.isEmpty()) {
      return attempt.fail(
          "LoomioDeployment " + attempt.deploymentName + " is invalid: " + violations.get(0));
    }
    ResolvedSpec spec = ResolvedSpec.of(deployment, images);
    Optional<String> refused = refusal(attempt, spec);
    if (refused.isPresent()) {
      return attempt.fail(refused.get());
    }
    Optional<Job> job = job(context);
    if (job.isEmpty() && status.getJob() == null) {
      return start(attempt, deployment, spec);
    }
    return observe(attempt, spec, job);
  }

  /**
   * Why the backup must fail because its spec changed after it started, if it did (records the generation it
   * started at when an operator that did not record it started it).
   */
  private static Optional<String> changedAfterStart(
      LoomioBackup backup, LoomioBackupStatus status) {
    Long generation = backup.getMetadata().getGeneration();
    if (status.getJob() != null && status.getStartedGeneration() == null) {
      status.setStartedGeneration(generation); // started by an operator that did not record it
    } else if (status.getJob() != null
        && generation != null
        && !generation.equals(status.getStartedGeneration())) {
      // the CRD refuses a change (CEL), API servers without CEL do not: nothing of the new spec is
      // used, not even
      // its deploymentName (whose stack's values would mask this backup's failures)
      return Optional.of("the spec was changed after the backup started (generation "
          + generation + ", started at " + status.getStartedGeneration()
          + "): a LoomioBackup is fixed once it"
          + " starts and the change is not used; create a new LoomioBackup instead");
    }
    return Optional.empty();
  }

  /** The stack backed up; null when it does not exist or is being deleted. */
  private static LoomioDeployment stack(Attempt attempt) {
    LoomioDeployment deployment = attempt.deploymentName == null
        ? null
        : attempt
            .client()
            .resources(LoomioDeployment.class)
            .inNamespace(attempt.namespace())
            .withName(attempt.deploymentName)
            .get();
    if (deployment != null && deployment.getMetadata().getDeletionTimestamp() != null) {
      deployment = null; // being deleted: nothing more is backed up
    }
    return deployment;
  }

  /**
   * Without its stack: a run that completed before the stack went is reported as it is; a started one is
   * stopped and fails; one not started waits for the stack up to {@link #STACK_GRACE}, then fails.
   */
  private UpdateControl<LoomioBackup> withoutStack(Attempt attempt) {
    LoomioBackupStatus status = attempt.status;
    String ns = attempt.namespace();
    String deploymentName = attempt.deploymentName;
    Optional<Job> started = job(attempt.context);
    // a run that completed before the stack went is reported as it is: the backup exists and is
    // complete
    for (Pod pod : attempt.context.getSecondaryResources(Pod.class)) {
      Optional<BackupObserver.Run> run = BackupObserver.finished(pod);
      if (run.isPresent() && run.get().complete()) {
        return attempt.succeeded(pod, run.get());
      }
    }
    if (started.isPresent() || status.getJob() != null) {
      // its pods read Secrets and claims of a stack that is gone or going: stop them, and say so
      started.ifPresent(j -> deleteJob(attempt.client(), ns, j.getMetadata().getName()));
      return attempt.fail("LoomioDeployment " + deploymentName + " was deleted while"
          + " this backup ran: its Job "
          + (status.getJob() != null
              ? status.getJob()
              : started.get().getMetadata().getName())
          + " is stopped and deleted (a backup it left without a"
          + " manifest is incomplete, never restored, and removed by retention)");
    }
    Duration waited = waited(attempt.backup);
    if (waited.compareTo(STACK_GRACE) >= 0) {
      return attempt.fail("LoomioDeployment " + deploymentName + " does not exist in"
          + " namespace " + ns + " (waited " + STACK_GRACE.toMinutes()
          + " minutes): nothing was backed up;"
          + " create a new LoomioBackup for an existing stack");
    }
    status.setPhase(LoomioBackupStatus.Phase.Pending);
    status.setMessage("waiting for LoomioDeployment " + deploymentName + " in namespace " + ns
        + " (fails after " + STACK_GRACE.toMinutes() + " minutes)");
    Duration left = STACK_GRACE.minus(waited);
    return attempt.write(left.compareTo(RECHECK) < 0 ? left.plusSeconds(1) : RECHECK);
  }

  /** Why the stack cannot be backed up: isolated (unless its Job already runs), or no destination. */
  private static Optional<String> refusal(Attempt attempt, ResolvedSpec spec) {
    if (spec.isolated() && job(attempt.context).isEmpty()) {
      return Optional.of("LoomioDeployment " + attempt.deploymentName + " is isolated: backups are"
          + " paused so that no backup of a compromised state pushes good ones out of retention. Set spec.isolation"
          + " to false first, or restore a good backup (LoomioRestore)");
    }
    if (!spec.backup().hasDestination()) {
      return Optional.of(
          "LoomioDeployment " + attempt.deploymentName
              + " has no backup destination (spec.backup.volume.enabled is false and spec.backup.s3 is unset)");
    }
    return Optional.empty();
  }

  /**
   * With the consent of the owners of what the backup pod reads, and what it reads by the stack's own names the
   * stack's own, the Job starts; otherwise it waits.
   */
  private UpdateControl<LoomioBackup> start(
      Attempt attempt, LoomioDeployment deployment, ResolvedSpec spec) {
    LoomioBackupStatus status = attempt.status;
    KubernetesClient client = attempt.client();
    String deploymentName = attempt.deploymentName;
    // the backup pod reads what the stack reads: only with the owners' consent
    // (ReferencedSecrets)
    var lookup = ReferencedSecrets.lookup(
        client,
        attempt.namespace(),
        deploymentName,
        ReferencedSecrets.refs(spec),
        ReferencedSecrets.ownedBy(deploymentName, deployment.getMetadata().getUid()),
        policy.requireSecretConsent());
    if (lookup.problem().isPresent()) {
      status.setPhase(LoomioBackupStatus.Phase.Pending);
      status.setMessage("waiting: " + lookup.problem().get());
      return attempt.write(RECHECK);
    }
    // and what it reads by the stack's own names is the stack's own, not someone else's under
    // that name
    Optional<String> foreign = OwnInputs.problem(client, spec, true, true);
    if (foreign.isPresent()) {
      status.setPhase(LoomioBackupStatus.Phase.Pending);
      status.setMessage("waiting: " + foreign.get());
      return attempt.write(RECHECK);
    }
    Job desired = backupJob(attempt.backup, deployment, spec);
    client
        .batch()
        .v1()
        .jobs()
        .inNamespace(attempt.namespace())
        .resource(desired)
        .create();
    attempt.events.normal(
        attempt.backup,
        "BackupStarted",
        "started Job " + desired.getMetadata().getName() + " to back up " + deploymentName);
    status.setJob(desired.getMetadata().getName());
    status.setStartedGeneration(attempt.backup.getMetadata().getGeneration());
    status.setPhase(LoomioBackupStatus.Phase.Running);
    status.setStartTime(now());
    status.setMessage("backing up " + deploymentName);
    return attempt.write(RECHECK);
  }

  /**
   * The backup's Job: the schedule's backup pod, labelled with and controlled by the LoomioBackup; its manifest
   * records the image the database is migrated to.
   */
  private Job backupJob(LoomioBackup backup, LoomioDeployment deployment, ResolvedSpec spec) {
    RenderContext ctx = new RenderContext(
        spec,
        capabilities.get(),
        new Credentials(spec.credentialsSecretName(), spec.existingSecret() == null, Map.of()),
        SecretDigests.none());
    // the manifest records the image the database is migrated to (during an upgrade, not yet
    // spec.image)
    var migrated =
        deployment.getStatus() == null ? null : deployment.getStatus().getMigrated();
    if (migrated != null && migrated.getImage() != null) {
      var image = new LoomioImage(migrated.getImage(), migrated.getVersion());
      ctx.withImages(image, image);
    }
    Job desired = BackupJob.render(ctx, hash8(backup));
    own(desired, backup, LoomioBackup.KIND, Labels.BACKUP);
    return desired;
  }

  /**
   * Makes a Job the given LoomioBackup's or LoomioRestore's: the label naming it on the Job and its pods, and
   * it as the Job's controller (deleting it deletes the Job).
   */
  static void own(Job job, HasMetadata owner, String kind, String label) {
    job.getMetadata().getLabels().put(label, owner.getMetadata().getName());
    job.getSpec()
        .getTemplate()
        .getMetadata()
        .getLabels()
        .put(label, owner.getMetadata().getName());
    job.getMetadata()
        .setOwnerReferences(List.of(new OwnerReferenceBuilder()
            .withApiVersion(owner.getApiVersion())
            .withKind(kind)
            .withName(owner.getMetadata().getName())
            .withUid(owner.getMetadata().getUid())
            .withController(true)
            .withBlockOwnerDeletion(true)
            .build()));
  }

  /** Deletes a Job with its pods (background propagation). */
  private static void deleteJob(KubernetesClient client, String ns, String name) {
    client
        .batch()
        .v1()
        .jobs()
        .inNamespace(ns)
        .withName(name)
        .withPropagationPolicy(DeletionPropagation.BACKGROUND)
        .delete();
  }

  /**
   * The started Job: a pod that finished completes the backup or fails it (then the Jobs' history is pruned), so
   * does a Job that failed; otherwise it runs, looked at again now and then.
   */
  private UpdateControl<LoomioBackup> observe(
      Attempt attempt, ResolvedSpec spec, Optional<Job> job) {
    LoomioBackupStatus status = attempt.status;
    KubernetesClient client = attempt.client();
    if (job.isPresent()) {
      status.setJob(job.get().getMetadata().getName());
    }
    for (Pod pod : attempt.context.getSecondaryResources(Pod.class)) {
      Optional<BackupObserver.Run> run = BackupObserver.finished(pod);
      if (run.isEmpty()) {
        continue;
      }
      if (!run.get().complete()) {
        UpdateControl<LoomioBackup> done =
            attempt.fail(redaction(client, spec).apply(run.get().error()));
        pruneJobs(client, attempt.namespace(), attempt.deploymentName);
        return done;
      }
      return attempt.succeeded(pod, run.get());
    }
    Optional<String> failed = job.flatMap(LoomioBackupReconciler::jobFailure);
    if (failed.isPresent()) {
      UpdateControl<LoomioBackup> done = attempt.fail(redaction(client, spec).apply(failed.get()));
      pruneJobs(client, attempt.namespace(), attempt.deploymentName);
      return done;
    }
    status.setPhase(LoomioBackupStatus.Phase.Running);
    // looked at again now and then, not only when its Job or pods change: a stack deleted meanwhile
    // is noticed
    return attempt.write(RECHECK);
  }

  /** Why the Job failed, if it did (its Failed condition is True). */
  private static Optional<String> jobFailure(Job job) {
    if (job.getStatus() != null
        && job.getStatus().getConditions() != null
        && job.getStatus().getConditions().stream()
            .anyMatch(c -> "Failed".equals(c.getType()) && "True".equals(c.getStatus()))) {
      var failed = job.getStatus().getConditions().stream()
          .filter(c -> "Failed".equals(c.getType()))
          .findFirst()
          .get();
      return Optional.of("Job "
          + job.getMetadata().getName() + " failed: " + failed.getReason()
          + (failed.getMessage() == null ? "" : " (" + failed.getMessage() + ")"));
    }
    return Optional.empty();
  }

  /**
   * Deletes the finished Jobs of this stack's LoomioBackups (on demand and pre-upgrade: the schedule's are the
   * CronJob's) beyond the newest {@link #JOB_HISTORY} succeeded and {@link #JOB_HISTORY} failed, with their pods
   * (background propagation): a failed backup pod keeps its scratch volume, the plaintext dump's place, as long as
   * it exists. Only Jobs the operator made for a LoomioBackup (its labels, and a LoomioBackup as controller);
   * running ones are never touched.
   */
  static void pruneJobs(KubernetesClient client, String ns, String stack) {
    List<Job> finished = client
        .batch()
        .v1()
        .jobs()
        .inNamespace(ns)
        .withLabel(Labels.MANAGED_BY, Labels.OPERATOR)
        .withLabel(Labels.INSTANCE, stack)
        .withLabel(Labels.COMPONENT, Component.BACKUP.label())
        .withLabel(Labels.BACKUP)
        .list()
        .getItems()
        .stream()
        .filter(j -> j.getMetadata().getOwnerReferences() != null
            && j.getMetadata().getOwnerReferences().stream()
                .anyMatch(o -> LoomioBackup.KIND.equals(o.getKind())
                    && Boolean.TRUE.equals(o.getController())))
        .filter(j -> j.getMetadata().getDeletionTimestamp() == null)
        .filter(j -> StatusAggregator.migrationState(j) == StatusAggregator.MigrationState.SUCCEEDED
            || StatusAggregator.migrationState(j) == StatusAggregator.MigrationState.FAILED)
        .sorted(
            Comparator.comparing((Job j) -> String.valueOf(j.getMetadata().getCreationTimestamp()))
                .thenComparing(j -> j.getMetadata().getName())
                .reversed())
        .toList();
    for (StatusAggregator.MigrationState state : List.of(
        StatusAggregator.MigrationState.SUCCEEDED, StatusAggregator.MigrationState.FAILED)) {
      finished.stream()
          .filter(j -> StatusAggregator.migrationState(j) == state)
          .skip(JOB_HISTORY)
          .forEach(j -> deleteJob(client, ns, j.getMetadata().getName()));
    }
  }

  private Duration waited(LoomioBackup backup) {
    String created = backup.getMetadata().getCreationTimestamp();
    if (created == null) {
      return Duration.ZERO;
    }
    try {
      Duration d = Duration.between(Instant.parse(created), clock.instant());
      return d.isNegative() ? Duration.ZERO : d;
    } catch (DateTimeParseException e) {
      return Duration.ZERO;
    }
  }

  /** What masks the secret values a backup pod could read, for what it reports (read only when it failed). */
  private static UnaryOperator<String> redaction(KubernetesClient client, ResolvedSpec spec) {
    return Redaction.forStack(client, spec, Redaction.secretNames(ReferencedSecrets.refs(spec)));
  }

  private static Optional<Job> job(Context<LoomioBackup> context) {
    return context.getSecondaryResourcesAsStream(Job.class).findFirst();
  }

  static Optional<JsonNode> agentSummary(Pod pod) {
    return BackupObserver.containerStatuses(pod).stream()
        .filter(c -> BackupPodTemplate.AGENT_CONTAINER.equals(c.getName()))
        .filter(c -> c.getState() != null && c.getState().getTerminated() != null)
        .map(c -> BackupObserver.summary(c.getState().getTerminated().getMessage()))
        .flatMap(Optional::stream)
        .findFirst();
  }

  static String hash8(HasMetadata resource) {
    return SecretDigests.sha256(
            resource.getMetadata().getUid() == null
                ? resource.getMetadata().getName()
                : resource.getMetadata().getUid())
        .substring(0, 8);
  }

  private String now() {
    return clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static LoomioBackupStatus copy(LoomioBackupStatus s) {
    LoomioBackupStatus c = new LoomioBackupStatus();
    if (s != null) {
      c.setPhase(s.getPhase());
      c.setJob(s.getJob());
      c.setBackupName(s.getBackupName());
      c.setDestinations(
          new ArrayList<>(s.getDestinations() == null ? List.of() : s.getDestinations()));
      c.setObjects(new ArrayList<>(s.getObjects() == null ? List.of() : s.getObjects()));
      c.setStartTime(s.getStartTime());
      c.setCompletionTime(s.getCompletionTime());
      c.setMessage(s.getMessage());
      c.setObservedGeneration(s.getObservedGeneration());
      c.setStartedGeneration(s.getStartedGeneration());
    }
    return c;
  }

  /** One reconcile of a LoomioBackup: its status edits, events, the write. */
  private final class Attempt {
    final LoomioBackup backup;
    final LoomioBackupStatus status;
    final Context<LoomioBackup> context;
    final EventRecorder events;
    final String deploymentName;

    Attempt(LoomioBackup backup, LoomioBackupStatus status, Context<LoomioBackup> context) {
      this.backup = backup;
      this.status = status;
      this.context = context;
      this.events = new EventRecorder(context.getClient());
      this.deploymentName = backup.getSpec() == null ? null : backup.getSpec().getDeploymentName();
    }

    KubernetesClient client() {
      return context.getClient();
    }

    String namespace() {
      return backup.getMetadata().getNamespace();
    }

    /** Records a complete run from its pod's summary, then prunes the Jobs' history. */
    UpdateControl<LoomioBackup> succeeded(Pod pod, BackupObserver.Run run) {
      status.setPhase(LoomioBackupStatus.Phase.Succeeded);
      status.setBackupName(run.backup());
      status.setCompletionTime(now());
      agentSummary(pod).ifPresent(s -> {
        List<String> destinations = new ArrayList<>();
        s.path("destinations").forEach(d -> destinations.add(d.asText()));
        status.setDestinations(destinations);
        List<BackupObject> objects = new ArrayList<>();
        s.path("objects")
            .forEach(o -> objects.add(new BackupObject(
                o.path("name").asText(),
                o.path("bytes").asLong(),
                o.path("sha256").asText())));
        status.setObjects(objects);
      });
      status.setMessage("backup " + status.getBackupName() + " is complete");
      events.normal(
          backup,
          "BackupSucceeded",
          "backup " + status.getBackupName() + " of " + deploymentName + " is complete ("
              + String.join(", ", status.getDestinations()) + ")");
      UpdateControl<LoomioBackup> done = write(null);
      pruneJobs(client(), namespace(), deploymentName);
      return done;
    }

    UpdateControl<LoomioBackup> fail(String message) {
      status.setPhase(LoomioBackupStatus.Phase.Failed);
      status.setMessage(message);
      status.setCompletionTime(now());
      events.warning(backup, "BackupFailed", message);
      return write(null);
    }

    UpdateControl<LoomioBackup> write(Duration recheck) {
      StatusWriter.write(backup, status, context, LoomioBackup::new);
      UpdateControl<LoomioBackup> control = UpdateControl.noUpdate();
      return recheck == null ? control : control.rescheduleAfter(recheck);
    }
  }
}
