package org.loomio.operator.reconcile;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.loomio.operator.api.v1alpha1.DeletionPolicy;
import org.loomio.operator.api.v1alpha1.DrillStatus;
import org.loomio.operator.api.v1alpha1.LoomioBackup;
import org.loomio.operator.api.v1alpha1.LoomioBackupSpec;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.api.v1alpha1.LoomioDeploymentStatus;
import org.loomio.operator.api.v1alpha1.LoomioRestore;
import org.loomio.operator.api.v1alpha1.SecretsStatus;
import org.loomio.operator.client.Preconditioned;
import org.loomio.operator.model.CloudNativePGSettings;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Credentials;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.model.Labels;
import org.loomio.operator.model.Names;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.model.SecretDigests;
import org.loomio.operator.reconcile.dependent.CacheTrim;
import org.loomio.operator.reconcile.dependent.CloudNativePGClustersDependent;
import org.loomio.operator.reconcile.dependent.ConfigMapsDependent;
import org.loomio.operator.reconcile.dependent.CronJobsDependent;
import org.loomio.operator.reconcile.dependent.CronJobsV1beta1Dependent;
import org.loomio.operator.reconcile.dependent.DataVolumeClaimsDependent;
import org.loomio.operator.reconcile.dependent.DeploymentsDependent;
import org.loomio.operator.reconcile.dependent.DesiredStack;
import org.loomio.operator.reconcile.dependent.HttpRoutesDependent;
import org.loomio.operator.reconcile.dependent.IngressesDependent;
import org.loomio.operator.reconcile.dependent.InstanceLabel;
import org.loomio.operator.reconcile.dependent.MigrationJobsDependent;
import org.loomio.operator.reconcile.dependent.NetworkPoliciesDependent;
import org.loomio.operator.reconcile.dependent.OwnedObjectEvents;
import org.loomio.operator.reconcile.dependent.PodDisruptionBudgetsDependent;
import org.loomio.operator.reconcile.dependent.PodDisruptionBudgetsV1beta1Dependent;
import org.loomio.operator.reconcile.dependent.ServedApi;
import org.loomio.operator.reconcile.dependent.ServiceAccountsDependent;
import org.loomio.operator.reconcile.dependent.ServicesDependent;
import org.loomio.operator.reconcile.dependent.StatefulSetsDependent;
import org.loomio.operator.reconcile.dependent.TraefikMiddlewaresDependent;
import org.loomio.operator.render.Stack;
import org.loomio.operator.render.StackRenderer;
import org.loomio.operator.render.base.Ownership;
import org.loomio.operator.render.base.RenderContext;
import org.loomio.operator.render.workload.MigrationJob;
import org.loomio.operator.render.workload.RoleSetupJob;
import org.loomio.operator.render.workload.RotationJob;
import org.loomio.operator.secrets.CredentialGenerator;
import org.loomio.operator.secrets.CredentialRotation;
import org.loomio.operator.secrets.GeneratedBackupKey;
import org.loomio.operator.secrets.GeneratedCredentials;
import org.loomio.operator.secrets.GeneratedSigningKey;
import org.loomio.operator.secrets.GeneratedSuperuserPassword;
import org.loomio.operator.status.BackupsHealthyReason;
import org.loomio.operator.status.Conditions;
import org.loomio.operator.status.DegradedReason;
import org.loomio.operator.status.EventRecorder;
import org.loomio.operator.status.IsolatedReason;
import org.loomio.operator.status.ProgressingReason;
import org.loomio.operator.status.ReadyReason;
import org.loomio.operator.validation.SpecValidator;
import org.loomio.operator.validation.TenantPolicy;
import org.loomio.operator.validation.Violation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a LoomioDeployment: validate, make sure the credentials exist, check the Secrets the spec
 * references, render the whole stack once, let the workflow apply it, then write the status if it
 * changed. An invalid spec or a missing Secret stops before anything is applied, so the objects of the
 * last good spec keep running untouched.
 */
@Workflow(
    explicitInvocation = true,
    dependents = {
      @Dependent(name = "serviceaccounts", type = ServiceAccountsDependent.class),
      @Dependent(name = "networkpolicies", type = NetworkPoliciesDependent.class),
      @Dependent(name = "configmaps", type = ConfigMapsDependent.class),
      @Dependent(name = "volumeclaims", type = DataVolumeClaimsDependent.class),
      @Dependent(name = "services", type = ServicesDependent.class),
      // Pods are created by controllers the moment a workload exists: everything a pod references
      // (its ServiceAccount, the settings, the claims) is applied first, so no pod creation ever
      // fails.
      // ...and the network is closed (default deny) before the first pod exists.
      @Dependent(
          name = "statefulsets",
          type = StatefulSetsDependent.class,
          dependsOn = {"serviceaccounts", "networkpolicies", "configmaps", "volumeclaims"}),
      @Dependent(
          name = "deployments",
          type = DeploymentsDependent.class,
          dependsOn = {"serviceaccounts", "networkpolicies", "configmaps", "volumeclaims"}),
      @Dependent(
          name = "migrationjobs",
          type = MigrationJobsDependent.class,
          dependsOn = {"serviceaccounts", "networkpolicies", "configmaps"}),
      @Dependent(
          name = "cronjobs",
          type = CronJobsDependent.class,
          activationCondition = ServedApi.CronJobs.class,
          dependsOn = {"serviceaccounts", "networkpolicies", "configmaps", "volumeclaims"}),
      @Dependent(
          name = "cronjobsv1beta1",
          type = CronJobsV1beta1Dependent.class,
          activationCondition = ServedApi.CronJobsV1beta1.class,
          dependsOn = {"serviceaccounts", "networkpolicies", "configmaps", "volumeclaims"}),
      @Dependent(
          name = "poddisruptionbudgets",
          type = PodDisruptionBudgetsDependent.class,
          activationCondition = ServedApi.PodDisruptionBudgets.class),
      @Dependent(
          name = "poddisruptionbudgetsv1beta1",
          type = PodDisruptionBudgetsV1beta1Dependent.class,
          activationCondition = ServedApi.PodDisruptionBudgetsV1beta1.class),
      // the network is closed, and opened exactly for CloudNativePG's flows, before its first
      // instance exists
      @Dependent(
          name = "cnpgclusters",
          type = CloudNativePGClustersDependent.class,
          activationCondition = ServedApi.CloudNativePGClusters.class,
          dependsOn = {"networkpolicies"}),
      @Dependent(
          name = "traefikmiddlewares",
          type = TraefikMiddlewaresDependent.class,
          activationCondition = ServedApi.TraefikMiddlewares.class),
      @Dependent(
          name = "ingresses",
          type = IngressesDependent.class,
          activationCondition = ServedApi.Ingresses.class,
          dependsOn = {"services", "configmaps"}),
      @Dependent(
          name = "httproutes",
          type = HttpRoutesDependent.class,
          activationCondition = ServedApi.HttpRoutes.class,
          dependsOn = {"services"})
    })
@ControllerConfiguration(
    name = LoomioDeploymentReconciler.NAME,
    fieldManager = LoomioDeploymentReconciler.NAME,
    maxReconciliationInterval =
        @MaxReconciliationInterval(interval = 10, timeUnit = TimeUnit.MINUTES))
public class LoomioDeploymentReconciler
    implements Reconciler<LoomioDeployment>, Cleaner<LoomioDeployment> {

  public static final String NAME = "loomio-operator";
  static final String GENERATED_SECRETS = "generated-secrets";
  static final String BACKUP_PODS = "backup-pods";
  static final String RESTORES = "restores";
  static final String BACKUPS = "backups";

  private static final Logger LOG = LoggerFactory.getLogger(LoomioDeploymentReconciler.class);
  /** A referenced Secret is not watched: look again after this long. */
  static final Duration RECHECK_MISSING_SECRET = Duration.ofSeconds(30);
  /**
   * An object in the way of the stack may be of a kind no informer of the stack watches yet (a CloudNativePG
   * Cluster's informer is registered by the workflow, which a conflict stops): look again after this long.
   */
  static final Duration RECHECK_NAME_CONFLICT = Duration.ofSeconds(30);
  /** After adopting a kept CloudNativePG Cluster, should the informer's event of it not come. */
  static final Duration ADOPTED_RECHECK = Duration.ofSeconds(5);

  private final Supplier<ClusterCapabilities> capabilities;
  private final ImageDefaults images;
  private final TenantPolicy policy;
  private final OperatorMetrics metrics;
  private final GeneratedCredentials credentials;
  private final CredentialRotation rotator;
  private final SecureRandom random = new SecureRandom();
  private final Clock clock;
  private final RestartTriage triage;
  private final TerminatingNamespaces terminating;
  private volatile CloudNativePGSettings cloudNativePG = CloudNativePGSettings.DEFAULTS;

  /** Built-in images and the default tenant policy. */
  public LoomioDeploymentReconciler(Supplier<ClusterCapabilities> capabilities) {
    this(capabilities, TenantPolicy.defaults(ImageDefaults.BUILT_IN), OperatorMetrics.inMemory());
  }

  /** These default images with the default tenant policy. */
  public LoomioDeploymentReconciler(
      Supplier<ClusterCapabilities> capabilities, ImageDefaults images, OperatorMetrics metrics) {
    this(capabilities, TenantPolicy.defaults(images), metrics);
  }

  /** The operator's tenant policy, and its default images ({@link TenantPolicy#images()}). */
  public LoomioDeploymentReconciler(
      Supplier<ClusterCapabilities> capabilities, TenantPolicy policy, OperatorMetrics metrics) {
    this(
        capabilities,
        policy,
        metrics,
        new GeneratedCredentials(new CredentialGenerator(), Clock.systemUTC()),
        Clock.systemUTC());
  }

  /** These default images with the default tenant policy. */
  public LoomioDeploymentReconciler(
      Supplier<ClusterCapabilities> capabilities,
      ImageDefaults images,
      OperatorMetrics metrics,
      GeneratedCredentials credentials,
      Clock clock) {
    this(capabilities, TenantPolicy.defaults(images), metrics, credentials, clock);
  }

  public LoomioDeploymentReconciler(
      Supplier<ClusterCapabilities> capabilities,
      TenantPolicy policy,
      OperatorMetrics metrics,
      GeneratedCredentials credentials,
      Clock clock) {
    this.capabilities = capabilities;
    this.policy = Objects.requireNonNull(policy, "policy");
    this.images = policy.images();
    this.metrics = metrics;
    this.credentials = credentials;
    this.rotator = new CredentialRotation(credentials.generator(), new SecureRandom());
    this.clock = clock;
    this.triage = new RestartTriage(clock);
    this.terminating = new TerminatingNamespaces(clock);
  }

  /** The installation's CloudNativePG settings (chart values; the defaults otherwise). */
  public LoomioDeploymentReconciler withCloudNativePGSettings(CloudNativePGSettings settings) {
    this.cloudNativePG = Objects.requireNonNull(settings, "settings");
    return this;
  }

  /**
   * Besides the dependents' informers: the generated credentials and backup key Secrets (no owner
   * reference; watched by their labels), the backup pods (their termination messages carry the results),
   * and the LoomioRestores (one that holds a stack scales its app to zero).
   */
  @Override
  public List<EventSource<?, LoomioDeployment>> prepareEventSources(
      EventSourceContext<LoomioDeployment> context) {
    var secrets = InformerEventSourceConfiguration.from(Secret.class, LoomioDeployment.class)
        .withName(GENERATED_SECRETS)
        .withLabelSelector(Labels.MANAGED_SELECTOR + "," + Labels.COMPONENT + " in ("
            + Component.SECRETS.label() + "," + Component.BACKUP.label() + ")")
        .withSecondaryToPrimaryMapper(InstanceLabel::toPrimary)
        .withItemStore(CacheTrim.store(context, CacheTrim::readOnly))
        .build();
    // pods of Jobs whose termination messages the status reports: backups, migrations, gates,
    // rotations
    var pods = InformerEventSourceConfiguration.from(Pod.class, LoomioDeployment.class)
        .withName(BACKUP_PODS)
        .withLabelSelector(Labels.MANAGED_SELECTOR + "," + Labels.RUN_ONCE + "=true")
        .withSecondaryToPrimaryMapper(InstanceLabel::toPrimary)
        .withItemStore(CacheTrim.store(context, CacheTrim::pod))
        .build();
    var backups = InformerEventSourceConfiguration.from(LoomioBackup.class, LoomioDeployment.class)
        .withName(BACKUPS)
        .withSecondaryToPrimaryMapper(
            b -> b.getSpec() == null || b.getSpec().getDeploymentName() == null
                ? Set.of()
                : Set.of(new ResourceID(
                    b.getSpec().getDeploymentName(), b.getMetadata().getNamespace())))
        .withItemStore(CacheTrim.store(context, CacheTrim::readOnly))
        .build();
    var restores = InformerEventSourceConfiguration.from(
            LoomioRestore.class, LoomioDeployment.class)
        .withName(RESTORES)
        // the stack it restores, and the one its spec names now if that differs (a changed spec
        // fails the restore)
        .withSecondaryToPrimaryMapper(
            r -> Stream.of(r.target(), r.getSpec() == null ? null : r.getSpec().getDeploymentName())
                .filter(Objects::nonNull)
                .map(n -> new ResourceID(n, r.getMetadata().getNamespace()))
                .collect(Collectors.toSet()))
        .withItemStore(CacheTrim.store(context, CacheTrim::readOnly))
        .build();
    return List.of(
        new InformerEventSource<>(secrets, context),
        new InformerEventSource<>(pods, context),
        new InformerEventSource<>(restores, context),
        new InformerEventSource<>(backups, context));
  }

  /** The restore that holds the stack now (scaling down, restoring, migrating), oldest first, if any. */
  static Optional<String> restoreHold(Context<LoomioDeployment> context, String deployment) {
    return context
        .getSecondaryResourcesAsStream(LoomioRestore.class)
        .filter(r -> deployment.equals(r.target()))
        .filter(
            r -> r.getStatus() != null && Boolean.TRUE.equals(r.getStatus().getHoldsDeployment()))
        .sorted(Comparator.comparing((LoomioRestore r) -> r.getMetadata().getCreationTimestamp()))
        .map(r -> r.getMetadata().getName())
        .findFirst();
  }

  @Override
  public UpdateControl<LoomioDeployment> reconcile(
      LoomioDeployment resource, Context<LoomioDeployment> context) {
    if (terminating.held(namespace(resource))) {
      // the namespace is being deleted: every create in it is refused (TerminatingNamespaces)
      LOG.debug(
          "{}/{}: namespace being deleted; not reconciled", namespace(resource), name(resource));
      return UpdateControl.<LoomioDeployment>noUpdate().rescheduleAfter(TerminatingNamespaces.HOLD);
    }
    RestartTriage.Decision first = triage.decide(resource, context);
    if (first == RestartTriage.Decision.NOW) {
      metrics.firstPass(false);
    }
    if (first == RestartTriage.Decision.DEFERRED) {
      metrics.firstPass(true);
      LOG.debug(
          "{}/{}: first pass: every object of its inventory is there; reconciled in {}",
          namespace(resource),
          name(resource),
          RestartTriage.DEFER);
      return UpdateControl.<LoomioDeployment>noUpdate().rescheduleAfter(RestartTriage.DEFER);
    }
    ResolvedSpec spec = ResolvedSpec.of(resource, images);
    try {
      return reconcileStack(spec, context);
    } catch (Ownership.ConflictException e) {
      // one of the stack's Secrets is someone else's: name every other conflict too, from the names
      // alone
      List<String> all = new ArrayList<>(List.of(e.getMessage()));
      Stack names = StackRenderer.render(new RenderContext(
          spec, capabilities.get(), Credentials.placeholders(spec), SecretDigests.none()));
      NameConflicts.check(context, resource, names, capabilities.get(), liveStacks(context))
          .conflicts()
          .stream()
          .filter(c -> !all.contains(c))
          .forEach(all::add);
      return nameConflict(spec, context, all, new EventRecorder(context.getClient()));
    }
  }

  private UpdateControl<LoomioDeployment> nameConflict(
      ResolvedSpec spec,
      Context<LoomioDeployment> context,
      List<String> conflicts,
      EventRecorder events) {
    String message =
        String.join("; ", conflicts) + ". Nothing of this stack is applied until each is renamed,"
            + " removed by its owner, or the LoomioDeployment is given another name (docs/operations.md, NameConflict)";
    LoomioDeployment resource = spec.resource();
    LOG.warn(
        "{}/{}: name conflict, nothing applied: {}", namespace(resource), name(resource), message);
    return blocked(
        spec,
        context,
        DegradedReason.NAME_CONFLICT.value(),
        message,
        events,
        RECHECK_NAME_CONFLICT);
  }

  /** Whether a UID is that of a LoomioDeployment that exists now (the informer's cache). */
  static Predicate<String> liveStacks(Context<LoomioDeployment> context) {
    return uid -> context
        .getPrimaryCache()
        .list()
        .anyMatch(r -> uid.equals(r.getMetadata().getUid()));
  }

  /**
   * One reconcile of a stack, in its phases: admit (the spec, the Secrets it references, the database) →
   * credentials (generated once, never overwritten) → guard (a restore's hold, the upgrade guard) → apply
   * (rotation, render, the workflow) → observe (backups, edge, status, events). A phase that cannot go on
   * writes status and a Warning event and stops the reconcile, having written nothing for this generation.
   */
  private UpdateControl<LoomioDeployment> reconcileStack(
      ResolvedSpec spec, Context<LoomioDeployment> context) {
    StackRun run = new StackRun(spec, context);
    return run.admit().or(run::credentials).or(run::guard).or(run::apply).orElseGet(run::observe);
  }

  /** The state of one reconcile of a stack, filled in phase by phase; a phase's result is empty to go on. */
  private final class StackRun {
    private final ResolvedSpec spec;
    private final LoomioDeployment resource;
    private final Context<LoomioDeployment> context;
    private final KubernetesClient client;
    private final EventRecorder events;
    private final Predicate<String> live;
    private final LoomioDeploymentStatus previous;
    private ReferencedSecrets.Lookup lookup;
    private ClusterCapabilities cluster;
    private CloudNativePGDatabase.State database;
    private Map<String, Job> jobs;
    private Set<Pod> jobPods;
    private Credentials creds;
    private Secret generatedSecret;
    private byte[] hashKey;
    private String backupPublicKey;
    private Map<String, String> superuser = Map.of();
    private Optional<String> hold;
    private UnaryOperator<String> redact;
    private UpgradeGuard.Decision upgrade;
    private CredentialRotation.Outcome rotation;
    private SecretsStatus secretsStatus;
    private String roleSetupFailure;
    private Stack stack;

    StackRun(ResolvedSpec spec, Context<LoomioDeployment> context) {
      this.spec = spec;
      this.resource = spec.resource();
      this.context = context;
      this.client = context.getClient();
      this.events = new EventRecorder(context.getClient());
      this.live = liveStacks(context);
      this.previous = resource.getStatus();
    }

    // --- admit: the spec, the Secrets it references, the database ---

    Optional<UpdateControl<LoomioDeployment>> admit() {
      return validSpec().or(this::referencedSecrets).or(this::database);
    }

    /** SpecValidator, then what stays where it is (no database mode change, no CloudNativePG major change). */
    private Optional<UpdateControl<LoomioDeployment>> validSpec() {
      List<Violation> violations = SpecValidator.validate(spec, policy);
      if (!violations.isEmpty()) {
        String message =
            violations.stream().map(Violation::toString).collect(Collectors.joining("; "));
        LOG.info(
            "{}/{} is invalid, nothing applied: {}", namespace(resource), name(resource), message);
        return stop(DegradedReason.INVALID_SPEC, message, null);
      }
      Optional<String> modeChange = CloudNativePGDatabase.modeChange(context, resource, spec, live);
      if (modeChange.isPresent()) {
        LOG.info(
            "{}/{} is invalid, nothing applied: {}",
            namespace(resource),
            name(resource),
            modeChange.get());
        return stop(DegradedReason.INVALID_SPEC, modeChange.get(), null);
      }
      return Optional.empty();
    }

    /** The Secrets and ConfigMaps the spec references, and their owners' consent. */
    private Optional<UpdateControl<LoomioDeployment>> referencedSecrets() {
      lookup = ReferencedSecrets.lookup(
          client,
          spec.namespace(),
          spec.name(),
          ReferencedSecrets.refs(spec),
          ReferencedSecrets.ownedBy(spec.name(), spec.uid()),
          policy.requireSecretConsent());
      if (lookup.problem().isEmpty()) {
        return Optional.empty();
      }
      String message = lookup.problem().get();
      if (lookup.refusesUse()) {
        // the running pods stay as they are, but the schedule would start new backup pods that read
        // the Secrets (consent withdrawn since the CronJob was applied): it waits, and the next
        // good
        // render un-suspends it
        List<String> done = new ArrayList<>();
        EmergencyIsolation.suspendBackups(client, resource, done);
        if (!done.isEmpty()) {
          LOG.info("{}/{}: {}", namespace(resource), name(resource), String.join(", ", done));
        }
        if (spec.backup().enabled()) {
          message += ". Meanwhile the backup schedule is suspended (its pods would read them)";
        }
      }
      return stop(lookup.problemReason().orElseThrow(), message, RECHECK_MISSING_SECRET);
    }

    /**
     * A CloudNativePG database: its Secrets are trusted through the Cluster this stack owns, and nothing that
     * reads them runs before they exist.
     */
    private Optional<UpdateControl<LoomioDeployment>> database() {
      cluster = capabilities.get();
      database = CloudNativePGDatabase.observe(client, context, spec, cluster, cloudNativePG);
      if (database.refusal().isPresent()) {
        return Optional.of(
            nameConflict(spec, context, List.of(database.refusal().get()), events));
      }
      jobs = new LinkedHashMap<>();
      context
          .getSecondaryResourcesAsStream(Job.class)
          .forEach(j -> jobs.put(j.getMetadata().getName(), j));
      jobPods = context.getSecondaryResources(Pod.class);
      return Optional.empty();
    }

    // --- credentials: generated once, never overwritten ---

    Optional<UpdateControl<LoomioDeployment>> credentials() {
      return generatedCredentials()
          .or(this::backupKey)
          .or(this::signingKey)
          .or(this::superuserPassword);
    }

    /**
     * {@code <name>-secrets}: the generated credentials (unless existingSecret holds them) and the operator's
     * own keys.
     */
    private Optional<UpdateControl<LoomioDeployment>> generatedCredentials() {
      Secret cached = secondarySecret(spec.generatedSecretName());
      GeneratedCredentials.Outcome outcome;
      try {
        outcome = credentials.ensure(client, spec, Credentials.generatedKeys(spec), cached, live);
      } catch (GeneratedCredentials.IncompleteCredentialsException e) {
        return stop(
            DegradedReason.INCOMPLETE_CREDENTIALS,
            "Secret " + spec.generatedSecretName() + ": " + e.getMessage(),
            null);
      }
      generatedSecret = outcome.secret();
      hashKey =
          outcome.credentials().values().get(Credentials.HASH_KEY).getBytes(StandardCharsets.UTF_8);
      creds = spec.existingSecret() != null
          ? new Credentials(spec.existingSecret(), false, Map.of())
          : outcome.credentials();
      if (!outcome.generatedKeys().isEmpty()) {
        announceGenerated(outcome);
      }
      return Optional.empty();
    }

    private void announceGenerated(GeneratedCredentials.Outcome outcome) {
      events.normal(
          resource,
          "CredentialsGenerated",
          (outcome.created() ? "created" : "completed") + " Secret " + spec.generatedSecretName()
              + " with newly generated " + String.join(", ", outcome.generatedKeys()));
      boolean existingDatabase = spec.database().embedded()
          && context.getSecondaryResources(PersistentVolumeClaim.class).stream()
              .anyMatch(
                  c -> Names.postgresData(spec.name()).equals(c.getMetadata().getName()));
      if (outcome.created() && existingDatabase && spec.existingSecret() == null) {
        events.warning(
            resource,
            "CredentialsRegenerated",
            "Secret " + spec.generatedSecretName() + " was missing"
                + " and has been generated anew, but the database claim "
                + Names.postgresData(spec.name())
                + " already exists: its database keeps the old password, so Loomio cannot connect and existing"
                + " sessions and push subscriptions are invalid. Restore the Secret from a backup (docs/operations.md).");
      }
    }

    /** The backup key pair, when the operator holds it (public-key mode without the user's recipients). */
    private Optional<UpdateControl<LoomioDeployment>> backupKey() {
      if (!spec.backup().generatedKey()) {
        return Optional.empty();
      }
      Secret cachedKey = secondarySecret(Names.backupKey(spec.name()));
      GeneratedBackupKey.Outcome key;
      try {
        key = GeneratedBackupKey.ensure(client, spec, cachedKey, live);
      } catch (GeneratedCredentials.IncompleteCredentialsException e) {
        return stop(DegradedReason.INCOMPLETE_CREDENTIALS, e.getMessage(), null);
      }
      backupPublicKey = key.publicKey();
      if (key.created()) {
        events.normal(
            resource,
            "BackupKeyGenerated",
            "generated the backup key pair " + key.fingerprint()
                + ": backups are encrypted to it; its private key is in Secret "
                + Names.backupKey(spec.name())
                + ", export it off-cluster now (docs/backup.md), or no one can read the backups if the cluster is lost");
      }
      return Optional.empty();
    }

    /** The key that signs every backup's manifest, while backups are enabled. */
    private Optional<UpdateControl<LoomioDeployment>> signingKey() {
      if (!spec.backup().enabled()) {
        return Optional.empty();
      }
      Secret cachedSigning = secondarySecret(Names.backupSigningKey(spec.name()));
      GeneratedBackupKey.Outcome signing;
      try {
        signing = GeneratedSigningKey.ensure(client, spec, cachedSigning, live);
      } catch (GeneratedCredentials.IncompleteCredentialsException e) {
        return stop(DegradedReason.INCOMPLETE_CREDENTIALS, e.getMessage(), null);
      }
      if (signing.created()) {
        events.normal(
            resource,
            "BackupSigningKeyGenerated",
            "generated the backup signing key " + signing.fingerprint()
                + " (Secret " + Names.backupSigningKey(spec.name())
                + "): every backup's manifest is signed with it and"
                + " restores accept only backups it signed; export its public key off-cluster with the backup key"
                + " (docs/backup.md)");
      }
      return Optional.empty();
    }

    /**
     * The embedded database's maintenance superuser password ({@code <name>-postgres-superuser}): generated
     * once, never required of the user.
     */
    private Optional<UpdateControl<LoomioDeployment>> superuserPassword() {
      if (!spec.database().embedded()) {
        return Optional.empty();
      }
      Secret cachedSuperuser = context.getSecondaryResources(Secret.class).stream()
          .filter(
              s -> Names.postgresSuperuser(spec.name()).equals(s.getMetadata().getName()))
          .findFirst()
          .orElse(null);
      GeneratedSuperuserPassword.Outcome su;
      try {
        su = GeneratedSuperuserPassword.ensure(
            client, spec, cachedSuperuser, live, credentials.generator(), random);
      } catch (GeneratedCredentials.IncompleteCredentialsException e) {
        return stop(DegradedReason.INCOMPLETE_CREDENTIALS, e.getMessage(), null);
      }
      superuser = su.values();
      if (su.created()) {
        events.normal(
            resource,
            "SuperuserPasswordGenerated",
            "generated the embedded database's superuser password"
                + " in Secret " + Names.postgresSuperuser(spec.name())
                + ": only the operator's role setup and rotation"
                + " Jobs use it; Loomio signs in as " + ResolvedSpec.EMBEDDED_APP_USER
                + ", which is not a superuser");
      }
      return Optional.empty();
    }

    private Secret secondarySecret(String name) {
      return context
          .getSecondaryResourcesAsStream(Secret.class)
          .filter(s -> name.equals(s.getMetadata().getName()))
          .findFirst()
          .orElse(null);
    }

    // --- guard: a restore's hold, the upgrade guard ---

    /**
     * spec.image against the database's version: refused, held at the old image, or let through. Decided
     * before anything is written for this generation, so a refusal leaves everything as it was.
     */
    Optional<UpdateControl<LoomioDeployment>> guard() {
      hold = restoreHold(context, spec.name());
      redact = redaction();
      upgrade = UpgradeGuard.decide(
          spec,
          new UpgradeGuard.Observed(
              previous,
              jobs,
              jobPods,
              backupsByName(),
              spec.backup().enabled() && spec.backup().hasDestination(),
              hold.isPresent(),
              redact,
              context.getSecondaryResources(Deployment.class)),
          image -> MigrationJob.name(spec, image),
          clock.instant());
      if (upgrade.refusal().isPresent()) {
        UpgradeGuard.Problem refusal = upgrade.refusal().get();
        LOG.info(
            "{}/{}: upgrade refused: {}", namespace(resource), name(resource), refusal.message());
        return stop(refusal.reason(), refusal.message(), null);
      }
      upgrade
          .warning()
          .filter(w -> previous == null || previous.getUpgrade() == null)
          .ifPresent(w -> events.warning(resource, w.reason(), w.message()));
      if (upgrade.backupToCreate().isPresent()) {
        createPreUpgradeBackup(client, resource, spec, upgrade.backupToCreate().get(), events);
      }
      return Optional.empty();
    }

    private Map<String, LoomioBackup> backupsByName() {
      Map<String, LoomioBackup> backups = new LinkedHashMap<>();
      context
          .getSecondaryResourcesAsStream(LoomioBackup.class)
          .forEach(b -> backups.put(b.getMetadata().getName(), b));
      return backups;
    }

    /**
     * Masks every value the stack's Job pods can read: the credentials, the referenced Secrets, the generated
     * Secrets (a pending rotation, the backup key) as the informer holds them.
     */
    private UnaryOperator<String> redaction() {
      List<Secret> readable = new ArrayList<>(lookup.secrets().values());
      readable.addAll(context.getSecondaryResources(Secret.class));
      readable.addAll(database.secrets().values());
      List<String> known = new ArrayList<>(creds.values().values());
      known.addAll(superuser.values());
      return Redaction.masking(known, readable);
    }

    // --- apply: rotation, render, the workflow ---

    Optional<UpdateControl<LoomioDeployment>> apply() {
      if (spec.existingSecret() == null) {
        rotate();
      }
      RenderContext renderContext = renderContext();
      holdMigrationForRoleSetup(renderContext);
      stack = StackRenderer.render(renderContext);
      // nothing is applied over an object of the stack's names that is not the stack's own
      NameConflicts.Check names = NameConflicts.check(context, resource, stack, cluster, live);
      if (!names.conflicts().isEmpty()) {
        return Optional.of(nameConflict(spec, context, names.conflicts(), events));
      }
      List<String> adopted = NameConflicts.adopt(client, resource, names.adopt());
      if (!adopted.isEmpty()) {
        events.normal(
            resource,
            "Adopted",
            "took over, as retained data of an earlier LoomioDeployment " + spec.name() + ": "
                + String.join(", ", adopted));
      }
      if (names.adopt().stream().anyMatch(RetainedClusters::isCluster)) {
        // the workflow would judge the Cluster from the informer's copy, from before the adoption,
        // and write it again: the informer's event of the adoption reconciles the stack
        return Optional.of(
            UpdateControl.<LoomioDeployment>noUpdate().rescheduleAfter(ADOPTED_RECHECK));
      }
      DesiredStack.put(context, stack, cluster);
      OwnedObjectEvents changes = OwnedObjectEvents.start(context);
      try {
        context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();
      } finally {
        // what was created or changed, also when another dependent failed
        changes.flush(resource, events);
      }
      return Optional.empty();
    }

    /**
     * spec.secrets.rotate: one step per reconcile (database first, then the Secret, then the pods). Last
     * before rendering: nothing after it may stop this reconcile from rolling the pods onto what it wrote.
     */
    private void rotate() {
      Secret pending = secondarySecret(RotationJob.pendingSecret(spec.name()));
      rotation = rotator.step(
          client,
          spec,
          creds,
          generatedSecret,
          pending,
          jobs,
          jobName -> JobPods.failureMessage(jobPods, jobName).map(redact),
          clock.instant(),
          live);
      creds = rotation.credentials();
      if (!rotation.rotatedKeys().isEmpty()) {
        events.normal(
            resource,
            "CredentialsRotated",
            "rotation " + rotation.completedToken() + ": new "
                + String.join(", ", rotation.rotatedKeys()) + " in Secret "
                + spec.generatedSecretName()
                + "; the pods that read them restart");
      }
      secretsStatus = new SecretsStatus();
      Secret current = rotation.secret();
      secretsStatus.setValueSince(
          CredentialRotation.valueSince(current, Credentials.requiredKeys(spec)));
      secretsStatus.setLastRotationToken(CredentialRotation.lastToken(current));
      secretsStatus.setRotation(rotation.progress());
    }

    private RenderContext renderContext() {
      List<Secret> digested = new ArrayList<>(lookup.secrets().values());
      digested.addAll(database.secrets().values());
      RenderContext renderContext = new RenderContext(
              spec,
              cluster,
              creds,
              SecretDigests.keyed(hashKey, digested)
                  .with(Names.postgresSuperuser(spec.name()), superuser))
          .withBackupPublicKey(backupPublicKey)
          .withRestoreHold(hold.orElse(null))
          .withCloudNativePGSettings(cloudNativePG)
          .withDatabaseReadiness(database.readiness());
      renderContext
          .withImages(upgrade.serving(), upgrade.migration())
          .withAppStopped(upgrade.appStopped());
      renderContext.withExistingPostgresServiceName(existingPostgresServiceName(context, spec));
      upgrade.gate().ifPresent(renderContext::withUpgradeGate);
      if (rotation != null) {
        rotation.job().ifPresent(renderContext::withRotation);
      }
      return renderContext;
    }

    /**
     * The migration (and so the app) signs in as the role the role setup Job makes the database's owner: a
     * new migration Job is created only once this role setup has succeeded.
     */
    private void holdMigrationForRoleSetup(RenderContext renderContext) {
      if (!spec.database().embedded() || spec.isolated()) {
        return;
      }
      String roleSetup = RoleSetupJob.name(renderContext);
      StatusAggregator.MigrationState state = StatusAggregator.migrationState(jobs.get(roleSetup));
      renderContext.withMigrationHeld(state != StatusAggregator.MigrationState.SUCCEEDED
          && !jobs.containsKey(MigrationJob.name(renderContext)));
      if (state == StatusAggregator.MigrationState.FAILED) {
        roleSetupFailure = "role setup Job " + roleSetup + " failed ("
            + JobPods.failureMessage(jobPods, roleSetup)
                .map(redact)
                .orElse("see kubectl logs job/" + roleSetup)
            + "); the migration waits for it. Fix the cause (docs/operations.md, RoleSetupFailed), then delete the"
            + " Job to run it again";
      }
    }

    // --- observe: backups, edge, status, events ---

    UpdateControl<LoomioDeployment> observe() {
      BackupObserver.BackupState backups = backups();
      StatusAggregator.DayTwo dayTwo = dayTwo();
      EdgeObserver.EdgeState edge =
          EdgeObserver.observe(spec, stack, cluster, context, policy.nginxControllerConfigMap());
      LoomioDeploymentStatus status = StatusAggregator.applied(
          spec,
          stack,
          observed(context, stack, edge, backups, hold.orElse(null))
              .with(dayTwo)
              .with(database),
          clock.instant());
      announceTransitions(resource, status, events);
      UpdateControl<LoomioDeployment> control = statusUpdate(spec, status, context);
      // CloudNativePG's Secrets are not watched (they carry none of the operator's labels): look
      // again until they exist
      return database.readiness() == RenderContext.DatabaseReadiness.NO_SECRETS
          ? control.rescheduleAfter(RECHECK_MISSING_SECRET)
          : control;
    }

    private BackupObserver.BackupState backups() {
      BackupObserver.BackupState backups =
          BackupObserver.observe(resource, spec, cluster, jobPods, clock.instant(), redact);
      announceFailedDrill(resource, backups, events);
      if (!spec.isolated() || !spec.backup().enabled()) {
        return backups;
      }
      return new BackupObserver.BackupState(
          backups.status(),
          Conditions.FALSE,
          BackupsHealthyReason.BACKUPS_PAUSED.value(),
          "backups are"
              + " paused while the stack is isolated (the CronJob is suspended), so no backup of a compromised state"
              + " pushes good ones out of retention; the newest good one stays "
              + (backups.status() == null || backups.status().getLastSuccessfulBackup() == null
                  ? "(none yet)"
                  : backups.status().getLastSuccessfulBackup()));
    }

    private StatusAggregator.DayTwo dayTwo() {
      String migrationLog =
          JobPods.failureMessage(jobPods, stack.migrationJob()).map(redact).orElse(null);
      return new StatusAggregator.DayTwo(
          upgrade.migrated(),
          upgrade.upgrade(),
          upgrade
              .problem()
              .map(p -> new StatusAggregator.Problem(p.reason(), p.message()))
              .orElse(null),
          secretsStatus,
          rotation == null ? null : rotation.failure().orElse(null),
          migrationLog,
          roleSetupFailure);
    }

    private Optional<UpdateControl<LoomioDeployment>> stop(
        DegradedReason reason, String message, Duration recheck) {
      return stop(reason.value(), message, recheck);
    }

    /** Stops with a reason found as a word (a referenced Secret's problem, an upgrade's refusal). */
    private Optional<UpdateControl<LoomioDeployment>> stop(
        String reason, String message, Duration recheck) {
      return Optional.of(blocked(spec, context, reason, message, events, recheck));
    }
  }

  @Override
  public ErrorStatusUpdateControl<LoomioDeployment> updateErrorStatus(
      LoomioDeployment resource, Context<LoomioDeployment> context, Exception e) {
    if (interruptedByStop(e)) {
      // the operator is stopping (a rollout of its Deployment, a lost Lease): its own stop is
      // not the stack's failure, and the next start reconciles the stack in full
      LOG.info(
          "{}/{}: reconcile interrupted by the operator's stop; status left as it was",
          namespace(resource),
          name(resource));
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    if (TerminatingNamespaces.refused(e, namespace(resource))) {
      // not the stack's failure, and nothing can be recorded: the API server creates nothing in
      // the namespace any more, events included
      if (terminating.hold(namespace(resource))) {
        LOG.info(
            "namespace {} is being deleted (the API server refuses new objects in it): its stacks"
                + " are not reconciled for {} s",
            namespace(resource),
            TerminatingNamespaces.HOLD.toSeconds());
      }
      // looked at again when the hold runs out, like the namespace's other stacks
      return ErrorStatusUpdateControl.<LoomioDeployment>noStatusUpdate()
          .withNoRetry()
          .rescheduleAfter(TerminatingNamespaces.HOLD);
    }
    String message = e instanceof GeneratedCredentials.ConcurrentChangeException
        ? e.getMessage()
        : "applying the stack failed: " + describe(e);
    LOG.warn("{}/{}: {}", namespace(resource), name(resource), message);
    LOG.debug("reconcile failure of {}/{}", namespace(resource), name(resource), e);
    LoomioDeploymentStatus status = StatusAggregator.failed(resource, message, clock.instant());
    announceTransitions(resource, status, new EventRecorder(context.getClient()));
    metrics.failure(Conditions.find(status.getConditions(), Conditions.DEGRADED)
        .map(Condition::getReason)
        .orElse(DegradedReason.RECONCILE_FAILED.value()));
    metrics.observed(ResolvedSpec.of(resource, images), status);
    if (Objects.equals(status, resource.getStatus())) {
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    return ErrorStatusUpdateControl.patchStatus(StatusWriter.withStatus(resource, status));
  }

  /**
   * A Warning event DrillFailed the first time a failed restore drill is seen, naming the check that failed (its
   * message was masked by the observer: never a secret).
   */
  static void announceFailedDrill(
      LoomioDeployment resource, BackupObserver.BackupState backups, EventRecorder events) {
    DrillStatus before = resource.getStatus() == null || resource.getStatus().getBackup() == null
        ? null
        : resource.getStatus().getBackup().getLastDrill();
    DrillStatus after = backups.status() == null ? null : backups.status().getLastDrill();
    if (after == null
        || !DrillStatus.FAILED.equals(after.getResult())
        || (before != null && Objects.equals(before.getTime(), after.getTime()))) {
      return;
    }
    events.warning(
        resource,
        BackupsHealthyReason.DRILL_FAILED.value(),
        "restore drill" + (after.getBackup() == null ? "" : " of backup " + after.getBackup())
            + " failed at check " + after.getFailedCheck() + ": " + after.getMessage());
  }

  /**
   * The serviceName of the stack's own PostgreSQL StatefulSet as it exists (the informer's cache), or null. A
   * StatefulSet made before {@code <name>-postgres-headless} existed governs with {@code <name>-postgres}; its
   * serviceName is immutable, so it keeps it (docs/api.md, upgrade notes). One that is not the stack's own is a
   * name conflict and is never written, so its serviceName does not matter.
   */
  static String existingPostgresServiceName(Context<LoomioDeployment> context, ResolvedSpec spec) {
    String name = Names.of(spec.name(), Component.POSTGRES);
    return context
        .getSecondaryResourcesAsStream(StatefulSet.class)
        .filter(s -> name.equals(s.getMetadata().getName()) && s.getSpec() != null)
        .map(s -> s.getSpec().getServiceName())
        .filter(Objects::nonNull)
        .findFirst()
        .orElse(null);
  }

  /**
   * The pre-upgrade backup: a LoomioBackup owned by this LoomioDeployment (its backup data outlives both),
   * which the LoomioBackup controller runs like any on-demand backup.
   */
  /**
   * The backup an upgrade waits for, owned by the stack; its event names the version being migrated to: the
   * spec's tag, or the operator's configured default when the spec gives none.
   */
  static void createPreUpgradeBackup(
      KubernetesClient client,
      LoomioDeployment resource,
      ResolvedSpec spec,
      String name,
      EventRecorder events) {
    LoomioBackup backup = new LoomioBackup();
    backup.setMetadata(new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(resource.getMetadata().getNamespace())
        .withLabels(Labels.of(resource.getMetadata().getName(), Component.BACKUP))
        .addToAnnotations("loomio.org/purpose", "pre-upgrade")
        .withOwnerReferences(new OwnerReferenceBuilder()
            .withApiVersion(resource.getApiVersion())
            .withKind(resource.getKind())
            .withName(resource.getMetadata().getName())
            .withUid(resource.getMetadata().getUid())
            .withController(true)
            .withBlockOwnerDeletion(true)
            .build())
        .build());
    LoomioBackupSpec backupSpec = new LoomioBackupSpec();
    backupSpec.setDeploymentName(resource.getMetadata().getName());
    backup.setSpec(backupSpec);
    try {
      client
          .resources(LoomioBackup.class)
          .inNamespace(resource.getMetadata().getNamespace())
          .resource(backup)
          .create();
      events.normal(
          resource,
          "PreUpgradeBackup",
          "taking backup " + name + " before migrating to "
              + spec.loomioTag()
              + "; the migration waits for it");
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
      // already there (the cache was behind): the next reconcile sees it
    }
  }

  /**
   * Deletion: owned objects go with the garbage collector (owner references). The data claims and the
   * generated credentials are kept unless deletionPolicy is Delete, and so is the CloudNativePG Cluster, which
   * is owned while the stack lives: with Retain it is orphaned first (RetainedClusters).
   */
  @Override
  public DeleteControl cleanup(LoomioDeployment resource, Context<LoomioDeployment> context) {
    metrics.forget(ResourceID.fromResource(resource));
    ResolvedSpec spec = ResolvedSpec.of(resource, images);
    KubernetesClient client = context.getClient();
    if (spec.deletionPolicy() != DeletionPolicy.Delete) {
      // the CloudNativePG Cluster is owned: kept only if orphaned before the garbage collector sees
      // the LoomioDeployment gone (the finalizer holds it until then)
      Optional<String> cluster = RetainedClusters.orphan(client, resource);
      LOG.info(
          "{}/{} deleted; data claims{} and credentials retained (deletionPolicy Retain)",
          namespace(resource),
          name(resource),
          cluster.map(c -> ", " + c).orElse(""));
      return DeleteControl.defaultDelete();
    }
    String ns = spec.namespace();
    List<String> removed = new ArrayList<>();
    List<String> kept = new ArrayList<>();
    // only what this resource made (its UID recorded on it); anything else of these names is left
    // alone
    for (String claim :
        List.of(Names.of(spec.name(), Component.UPLOADS), Names.postgresData(spec.name()))) {
      deleteIfOurs(
          client,
          spec,
          client.persistentVolumeClaims().inNamespace(ns).withName(claim).get(),
          removed,
          kept);
    }
    for (String secret :
        List.of(spec.generatedSecretName(), RotationJob.pendingSecret(spec.name()))) {
      deleteIfOurs(
          client, spec, client.secrets().inNamespace(ns).withName(secret).get(), removed, kept);
    }
    // the database's superuser password goes only with the database: a kept claim is unmanageable
    // without it
    if (kept.stream().noneMatch(k -> k.endsWith(" " + Names.postgresData(spec.name())))) {
      deleteIfOurs(
          client,
          spec,
          client
              .secrets()
              .inNamespace(ns)
              .withName(Names.postgresSuperuser(spec.name()))
              .get(),
          removed,
          kept);
    }
    LOG.info(
        "{}/{} deleted with deletionPolicy Delete: removed {}{}",
        ns,
        spec.name(),
        removed.isEmpty() ? "nothing" : String.join(", ", removed),
        kept.isEmpty() ? "" : "; kept, not made for this resource: " + String.join(", ", kept));
    return DeleteControl.defaultDelete();
  }

  private static void deleteIfOurs(
      KubernetesClient client,
      ResolvedSpec spec,
      HasMetadata actual,
      List<String> removed,
      List<String> kept) {
    if (actual == null) {
      return;
    }
    if (Ownership.ours(Ownership.retained(actual, spec.name(), spec.uid(), uid -> true))) {
      if (Preconditioned.delete(client, actual)) {
        removed.add(Ownership.describe(actual));
      }
    } else {
      kept.add(Ownership.describe(actual));
    }
  }

  private UpdateControl<LoomioDeployment> blocked(
      ResolvedSpec spec,
      Context<LoomioDeployment> context,
      String reason,
      String message,
      EventRecorder events,
      Duration recheck) {
    LoomioDeployment resource = spec.resource();
    LoomioDeploymentStatus status =
        StatusAggregator.blocked(resource, reason, message, clock.instant());
    if (resource.getSpec() != null && Boolean.TRUE.equals(resource.getSpec().getIsolation())) {
      // the incident lever works even when nothing else can be applied
      List<String> done = EmergencyIsolation.apply(context.getClient(), resource);
      if (!done.isEmpty()) {
        LOG.warn(
            "{}/{}: isolated although the spec cannot be applied: {}",
            namespace(resource),
            name(resource),
            String.join(", ", done));
      }
      status = StatusAggregator.isolatedWhileBlocked(resource, status, clock.instant());
    }
    announceTransitions(resource, status, events);
    metrics.failure(reason);
    UpdateControl<LoomioDeployment> control = statusUpdate(spec, status, context);
    return recheck == null ? control : control.rescheduleAfter(recheck);
  }

  private UpdateControl<LoomioDeployment> statusUpdate(
      ResolvedSpec spec, LoomioDeploymentStatus status, Context<LoomioDeployment> context) {
    StatusWriter.write(spec.resource(), status, context);
    metrics.observed(spec, status);
    return UpdateControl.noUpdate();
  }

  /** Events for condition changes that a person should see (written once per change, not per reconcile). */
  private static void announceTransitions(
      LoomioDeployment resource, LoomioDeploymentStatus status, EventRecorder events) {
    List<Condition> before =
        resource.getStatus() == null ? List.of() : resource.getStatus().getConditions();
    List<Condition> after = status.getConditions();
    changed(before, after, Conditions.DEGRADED)
        .filter(c -> Conditions.TRUE.equals(c.getStatus()))
        .ifPresent(c -> events.warning(resource, c.getReason(), c.getMessage()));
    changed(before, after, Conditions.API_AVAILABLE)
        .filter(c -> Conditions.FALSE.equals(c.getStatus()))
        .ifPresent(c -> events.warning(resource, c.getReason(), c.getMessage()));
    changed(before, after, Conditions.MAIL_DELIVERY)
        .filter(c -> Conditions.FALSE.equals(c.getStatus()))
        .ifPresent(c -> events.warning(resource, c.getReason(), c.getMessage()));
    changed(before, after, Conditions.EDGE)
        .filter(c -> Conditions.FALSE.equals(c.getStatus()))
        .ifPresent(c -> events.warning(resource, c.getReason(), c.getMessage()));
    changed(before, after, Conditions.READY)
        .filter(c -> Conditions.TRUE.equals(c.getStatus()))
        .ifPresent(c -> events.normal(resource, "Ready", c.getMessage()));
    changed(before, after, Conditions.READY)
        .filter(c -> ReadyReason.MAINTENANCE_WINDOW.value().equals(c.getReason()))
        .ifPresent(
            c -> events.warning(resource, ReadyReason.MAINTENANCE_WINDOW.value(), c.getMessage()));
    changed(before, after, Conditions.ISOLATED).ifPresent(c -> {
      if (Conditions.TRUE.equals(c.getStatus())) {
        events.warning(resource, IsolatedReason.ISOLATED.value(), c.getMessage());
      } else {
        events.normal(resource, IsolatedReason.ISOLATION_LIFTED.value(), c.getMessage());
      }
    });
    changed(before, after, Conditions.SECRETS_FRESH)
        .filter(c -> Conditions.FALSE.equals(c.getStatus()))
        .ifPresent(c -> events.warning(resource, c.getReason(), c.getMessage()));
    changed(before, after, Conditions.NETWORK_POLICIES)
        .filter(c -> !Conditions.TRUE.equals(c.getStatus()))
        .ifPresent(c -> events.warning(resource, c.getReason(), c.getMessage()));
    changed(before, after, Conditions.PROGRESSING)
        .filter(c -> ProgressingReason.UPGRADING.value().equals(c.getReason()))
        .ifPresent(
            c -> events.normal(resource, ProgressingReason.UPGRADING.value(), c.getMessage()));
  }

  private static Optional<Condition> changed(
      List<Condition> before, List<Condition> after, String type) {
    Optional<Condition> now = Conditions.find(after, type);
    Optional<Condition> then = Conditions.find(before, type);
    if (now.isEmpty()) {
      return Optional.empty();
    }
    boolean same = then.isPresent()
        && Objects.equals(then.get().getStatus(), now.get().getStatus())
        && Objects.equals(then.get().getReason(), now.get().getReason())
        && Objects.equals(then.get().getMessage(), now.get().getMessage());
    return same ? Optional.empty() : now;
  }

  private static StatusAggregator.Observed observed(
      Context<LoomioDeployment> context,
      Stack stack,
      EdgeObserver.EdgeState edge,
      BackupObserver.BackupState backups,
      String restore) {
    Map<String, Deployment> deployments = new LinkedHashMap<>();
    context
        .getSecondaryResourcesAsStream(Deployment.class)
        .forEach(d -> deployments.put(d.getMetadata().getName(), d));
    Map<String, StatefulSet> statefulSets = new LinkedHashMap<>();
    context
        .getSecondaryResourcesAsStream(StatefulSet.class)
        .forEach(s -> statefulSets.put(s.getMetadata().getName(), s));
    Optional<Job> job = context
        .getSecondaryResourcesAsStream(Job.class)
        .filter(j -> stack.migrationJob().equals(j.getMetadata().getName()))
        .findFirst();
    return new StatusAggregator.Observed(deployments, statefulSets, job, edge, backups, restore);
  }

  /**
   * A short, readable cause: per failed dependent the API server's own message (never a stack trace,
   * never a request body, so never a secret).
   */
  static String describe(Throwable e) {
    if (e instanceof AggregatedOperatorException aggregated) {
      return aggregated.getAggregatedExceptions().entrySet().stream()
          .map(entry -> entry.getKey() + ": " + describe(entry.getValue()))
          .collect(Collectors.joining("; "));
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof KubernetesClientException k) {
        String what = k.getStatus() != null && k.getStatus().getMessage() != null
            ? k.getStatus().getMessage()
            : firstLine(k.getMessage());
        return "the API server answered " + k.getCode() + ": " + what;
      }
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName()
        + (root.getMessage() == null ? "" : ": " + firstLine(root.getMessage()));
  }

  /**
   * Whether a reconcile failed because the operator is stopping: JOSDK's workflow executor (or the HTTP client's)
   * refuses new tasks once it is shut down ({@link java.util.concurrent.RejectedExecutionException}); the
   * executors' queues are unbounded, so they refuse nothing otherwise (JOSDK's are fixed thread pools, of which
   * {@link LoomioOperator} sets only the sizes; the operator has no executor of its own: a bounded one added later
   * must not let its refusals reach a reconcile, or they would be taken for a stop). Looked for in the causes and
   * in every dependent's failure of a workflow.
   */
  static boolean interruptedByStop(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.util.concurrent.RejectedExecutionException) {
        return true;
      }
      if (t instanceof AggregatedOperatorException aggregated
          && aggregated.getAggregatedExceptions().values().stream()
              .anyMatch(LoomioDeploymentReconciler::interruptedByStop)) {
        return true;
      }
    }
    return false;
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private static String name(LoomioDeployment r) {
    return r.getMetadata().getName();
  }

  private static String namespace(LoomioDeployment r) {
    return r.getMetadata().getNamespace();
  }
}
