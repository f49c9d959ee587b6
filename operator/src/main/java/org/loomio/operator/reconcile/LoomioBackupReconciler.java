package org.loomio.operator.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.loomio.operator.api.v1alpha1.BackupObject;
import org.loomio.operator.api.v1alpha1.LoomioBackup;
import org.loomio.operator.api.v1alpha1.LoomioBackupStatus;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Credentials;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.model.Labels;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.model.SecretDigests;
import org.loomio.operator.reconcile.dependent.CacheTrim;
import org.loomio.operator.render.backup.BackupCronJob;
import org.loomio.operator.render.backup.BackupJob;
import org.loomio.operator.render.base.RenderContext;
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
    this.policy = java.util.Objects.requireNonNull(policy, "policy");
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

  @Override
  public UpdateControl<LoomioBackup> reconcile(LoomioBackup backup, Context<LoomioBackup> context) {
    LoomioBackupStatus status = copy(backup.getStatus());
    if (status.getPhase() == LoomioBackupStatus.Phase.Succeeded
        || status.getPhase() == LoomioBackupStatus.Phase.Failed) {
      return UpdateControl.noUpdate();
    }
    EventRecorder events = new EventRecorder(context.getClient());
    Long generation = backup.getMetadata().getGeneration();
    status.setObservedGeneration(generation);
    if (status.getJob() != null && status.getStartedGeneration() == null) {
      status.setStartedGeneration(generation); // started by an operator that did not record it
    } else if (status.getJob() != null
        && generation != null
        && !generation.equals(status.getStartedGeneration())) {
      // the CRD refuses a change (CEL), API servers without CEL do not: nothing of the new spec is
      // used, not even
      // its deploymentName (whose stack's values would mask this backup's failures)
      return fail(
          backup,
          status,
          context,
          events,
          "the spec was changed after the backup started (generation "
              + generation + ", started at " + status.getStartedGeneration()
              + "): a LoomioBackup is fixed once it"
              + " starts and the change is not used; create a new LoomioBackup instead");
    }
    KubernetesClient client = context.getClient();
    String ns = backup.getMetadata().getNamespace();
    String deploymentName = backup.getSpec() == null ? null : backup.getSpec().getDeploymentName();
    LoomioDeployment deployment = deploymentName == null
        ? null
        : client
            .resources(LoomioDeployment.class)
            .inNamespace(ns)
            .withName(deploymentName)
            .get();
    if (deployment != null && deployment.getMetadata().getDeletionTimestamp() != null) {
      deployment = null; // being deleted: nothing more is backed up
    }
    if (deployment == null) {
      Optional<Job> started = job(context);
      // a run that completed before the stack went is reported as it is: the backup exists and is
      // complete
      for (Pod pod : context.getSecondaryResources(Pod.class)) {
        Optional<BackupObserver.Run> run = BackupObserver.finished(pod);
        if (run.isPresent() && run.get().complete()) {
          return succeeded(backup, status, context, events, pod, run.get(), deploymentName);
        }
      }
      if (started.isPresent() || status.getJob() != null) {
        // its pods read Secrets and claims of a stack that is gone or going: stop them, and say so
        started.ifPresent(j -> client
            .batch()
            .v1()
            .jobs()
            .inNamespace(ns)
            .withName(j.getMetadata().getName())
            .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND)
            .delete());
        return fail(
            backup,
            status,
            context,
            events,
            "LoomioDeployment " + deploymentName + " was deleted while"
                + " this backup ran: its Job "
                + (status.getJob() != null
                    ? status.getJob()
                    : started.get().getMetadata().getName())
                + " is stopped and deleted (a backup it left without a"
                + " manifest is incomplete, never restored, and removed by retention)");
      }
      Duration waited = waited(backup);
      if (waited.compareTo(STACK_GRACE) >= 0) {
        return fail(
            backup,
            status,
            context,
            events,
            "LoomioDeployment " + deploymentName + " does not exist in"
                + " namespace " + ns + " (waited " + STACK_GRACE.toMinutes()
                + " minutes): nothing was backed up;"
                + " create a new LoomioBackup for an existing stack");
      }
      status.setPhase(LoomioBackupStatus.Phase.Pending);
      status.setMessage("waiting for LoomioDeployment " + deploymentName + " in namespace " + ns
          + " (fails after " + STACK_GRACE.toMinutes() + " minutes)");
      Duration left = STACK_GRACE.minus(waited);
      return write(
          backup, status, context, left.compareTo(RECHECK) < 0 ? left.plusSeconds(1) : RECHECK);
    }
    List<Violation> violations = SpecValidator.validate(deployment, policy);
    if (!violations.isEmpty()) {
      return fail(
          backup,
          status,
          context,
          events,
          "LoomioDeployment " + deploymentName + " is invalid: " + violations.get(0));
    }
    ResolvedSpec spec = new ResolvedSpec(deployment, images);
    if (spec.isolated() && job(context).isEmpty()) {
      return fail(
          backup,
          status,
          context,
          events,
          "LoomioDeployment " + deploymentName + " is isolated: backups are"
              + " paused so that no backup of a compromised state pushes good ones out of retention. Set spec.isolation"
              + " to false first, or restore a good backup (LoomioRestore)");
    }
    if (!spec.backup().hasDestination()) {
      return fail(
          backup,
          status,
          context,
          events,
          "LoomioDeployment " + deploymentName
              + " has no backup destination (spec.backup.volume.enabled is false and spec.backup.s3 is unset)");
    }
    Optional<Job> job = job(context);
    if (job.isEmpty() && status.getJob() == null) {
      // the backup pod reads what the stack reads: only with the owners' consent
      // (ReferencedSecrets)
      var lookup = ReferencedSecrets.lookup(
          client,
          ns,
          deploymentName,
          ReferencedSecrets.refs(spec),
          ReferencedSecrets.ownedBy(deploymentName, deployment.getMetadata().getUid()),
          policy.requireSecretConsent());
      if (lookup.problem().isPresent()) {
        status.setPhase(LoomioBackupStatus.Phase.Pending);
        status.setMessage("waiting: " + lookup.problem().get());
        return write(backup, status, context, RECHECK);
      }
      // and what it reads by the stack's own names is the stack's own, not someone else's under
      // that name
      Optional<String> foreign = OwnInputs.problem(client, spec, true, true);
      if (foreign.isPresent()) {
        status.setPhase(LoomioBackupStatus.Phase.Pending);
        status.setMessage("waiting: " + foreign.get());
        return write(backup, status, context, RECHECK);
      }
      RenderContext ctx = new RenderContext(
          spec,
          capabilities.get(),
          new Credentials(
              spec.credentialsSecretName(), spec.existingSecret() == null, java.util.Map.of()),
          SecretDigests.none());
      // the manifest records the image the database is migrated to (during an upgrade, not yet
      // spec.image)
      var migrated =
          deployment.getStatus() == null ? null : deployment.getStatus().getMigrated();
      if (migrated != null && migrated.getImage() != null) {
        var image =
            new org.loomio.operator.model.LoomioImage(migrated.getImage(), migrated.getVersion());
        ctx.withImages(image, image);
      }
      Job desired = BackupJob.render(ctx, hash8(backup));
      desired.getMetadata().getLabels().put(Labels.BACKUP, backup.getMetadata().getName());
      desired
          .getSpec()
          .getTemplate()
          .getMetadata()
          .getLabels()
          .put(Labels.BACKUP, backup.getMetadata().getName());
      desired
          .getMetadata()
          .setOwnerReferences(List.of(new OwnerReferenceBuilder()
              .withApiVersion(backup.getApiVersion())
              .withKind(LoomioBackup.KIND)
              .withName(backup.getMetadata().getName())
              .withUid(backup.getMetadata().getUid())
              .withController(true)
              .withBlockOwnerDeletion(true)
              .build()));
      client.batch().v1().jobs().inNamespace(ns).resource(desired).create();
      events.normal(
          backup,
          "BackupStarted",
          "started Job " + desired.getMetadata().getName() + " to back up " + deploymentName);
      status.setJob(desired.getMetadata().getName());
      status.setStartedGeneration(generation);
      status.setPhase(LoomioBackupStatus.Phase.Running);
      status.setStartTime(now());
      status.setMessage("backing up " + deploymentName);
      return write(backup, status, context, RECHECK);
    }
    if (job.isPresent()) {
      status.setJob(job.get().getMetadata().getName());
    }
    for (Pod pod : context.getSecondaryResources(Pod.class)) {
      Optional<BackupObserver.Run> run = BackupObserver.finished(pod);
      if (run.isEmpty()) {
        continue;
      }
      if (!run.get().complete()) {
        UpdateControl<LoomioBackup> done = fail(
            backup,
            status,
            context,
            events,
            redaction(client, spec).apply(run.get().error()));
        pruneJobs(client, ns, deploymentName);
        return done;
      }
      return succeeded(backup, status, context, events, pod, run.get(), deploymentName);
    }
    if (job.isPresent()
        && job.get().getStatus() != null
        && job.get().getStatus().getConditions() != null
        && job.get().getStatus().getConditions().stream()
            .anyMatch(c -> "Failed".equals(c.getType()) && "True".equals(c.getStatus()))) {
      var failed = job.get().getStatus().getConditions().stream()
          .filter(c -> "Failed".equals(c.getType()))
          .findFirst()
          .get();
      UpdateControl<LoomioBackup> done = fail(
          backup,
          status,
          context,
          events,
          redaction(client, spec)
              .apply("Job "
                  + job.get().getMetadata().getName() + " failed: " + failed.getReason()
                  + (failed.getMessage() == null ? "" : " (" + failed.getMessage() + ")")));
      pruneJobs(client, ns, deploymentName);
      return done;
    }
    status.setPhase(LoomioBackupStatus.Phase.Running);
    // looked at again now and then, not only when its Job or pods change: a stack deleted meanwhile
    // is noticed
    return write(backup, status, context, RECHECK);
  }

  /** Records a complete run from its pod's summary, then prunes the Jobs' history. */
  private UpdateControl<LoomioBackup> succeeded(
      LoomioBackup backup,
      LoomioBackupStatus status,
      Context<LoomioBackup> context,
      EventRecorder events,
      Pod pod,
      BackupObserver.Run run,
      String deploymentName) {
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
    UpdateControl<LoomioBackup> done = write(backup, status, context, null);
    pruneJobs(context.getClient(), backup.getMetadata().getNamespace(), deploymentName);
    return done;
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
        .sorted(java.util.Comparator.comparing(
                (Job j) -> String.valueOf(j.getMetadata().getCreationTimestamp()))
            .thenComparing(j -> j.getMetadata().getName())
            .reversed())
        .toList();
    for (StatusAggregator.MigrationState state : List.of(
        StatusAggregator.MigrationState.SUCCEEDED, StatusAggregator.MigrationState.FAILED)) {
      finished.stream()
          .filter(j -> StatusAggregator.migrationState(j) == state)
          .skip(JOB_HISTORY)
          .forEach(j -> client
              .batch()
              .v1()
              .jobs()
              .inNamespace(ns)
              .withName(j.getMetadata().getName())
              .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND)
              .delete());
    }
  }

  private Duration waited(LoomioBackup backup) {
    String created = backup.getMetadata().getCreationTimestamp();
    if (created == null) {
      return Duration.ZERO;
    }
    try {
      Duration d = Duration.between(java.time.Instant.parse(created), clock.instant());
      return d.isNegative() ? Duration.ZERO : d;
    } catch (java.time.format.DateTimeParseException e) {
      return Duration.ZERO;
    }
  }

  /** What masks the secret values a backup pod could read, for what it reports (read only when it failed). */
  private static java.util.function.UnaryOperator<String> redaction(
      KubernetesClient client, ResolvedSpec spec) {
    return Redaction.forStack(client, spec, Redaction.secretNames(ReferencedSecrets.refs(spec)));
  }

  private static Optional<Job> job(Context<LoomioBackup> context) {
    return context.getSecondaryResourcesAsStream(Job.class).findFirst();
  }

  static Optional<JsonNode> agentSummary(Pod pod) {
    return BackupObserver.containerStatuses(pod).stream()
        .filter(c ->
            org.loomio.operator.render.backup.BackupPodTemplate.AGENT_CONTAINER.equals(c.getName()))
        .filter(c -> c.getState() != null && c.getState().getTerminated() != null)
        .map(c -> BackupObserver.summary(c.getState().getTerminated().getMessage()))
        .flatMap(Optional::stream)
        .findFirst();
  }

  static String hash8(io.fabric8.kubernetes.api.model.HasMetadata resource) {
    return SecretDigests.sha256(
            resource.getMetadata().getUid() == null
                ? resource.getMetadata().getName()
                : resource.getMetadata().getUid())
        .substring(0, 8);
  }

  private UpdateControl<LoomioBackup> fail(
      LoomioBackup backup,
      LoomioBackupStatus status,
      Context<LoomioBackup> context,
      EventRecorder events,
      String message) {
    status.setPhase(LoomioBackupStatus.Phase.Failed);
    status.setMessage(message);
    status.setCompletionTime(now());
    events.warning(backup, "BackupFailed", message);
    return write(backup, status, context, null);
  }

  private UpdateControl<LoomioBackup> write(
      LoomioBackup backup,
      LoomioBackupStatus status,
      Context<LoomioBackup> context,
      Duration recheck) {
    StatusWriter.write(backup, status, context, LoomioBackup::new);
    UpdateControl<LoomioBackup> control = UpdateControl.noUpdate();
    return recheck == null ? control : control.rescheduleAfter(recheck);
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
}
