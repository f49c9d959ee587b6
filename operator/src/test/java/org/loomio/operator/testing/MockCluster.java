package org.loomio.operator.testing;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.javaoperatorsdk.operator.Operator;
import java.io.InputStream;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.Labels;
import org.loomio.operator.reconcile.ClusterCapabilitiesProvider;
import org.loomio.operator.reconcile.LoomioOperator;
import org.loomio.operator.validation.CrdSchema;

/**
 * The fabric8 mock API server in CRUD mode with the generated CRD loaded, and the real operator running
 * against it. The mock cannot do server-side apply, so the operator gets the test-only override that turns
 * SSA off (production keeps it); it has no controllers, so {@link #runControllers} fakes what the
 * Deployment, StatefulSet and Job controllers would report. The operator writes the same objects at the same
 * time: every write of the test's goes through {@link #editStatus}/{@link #edit} (re-read and retry on 409),
 * and tests wait for conditions (Awaitility), never for a time.
 */
public final class MockCluster implements AutoCloseable {

  private final CountingDispatcher dispatcher;
  private final KubernetesMockServer server;
  private final KubernetesClient client;
  /** What the operator renders for: fixed (the newest), or discovered from the mock like from a real server. */
  private final java.util.function.Supplier<ClusterCapabilities> capabilities;

  private Operator operator;
  private org.loomio.operator.reconcile.OperatorMetrics metrics;
  private final java.util.List<KubernetesClient> extraClients =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  /** The newest Kubernetes with Gateway API and Traefik's CRDs (the mock stores any typed resource). */
  public MockCluster() {
    this(null);
  }

  /**
   * A mock that answers discovery like Kubernetes 1.20: batch/v1beta1 CronJob and policy/v1beta1
   * PodDisruptionBudget, but no batch/v1 CronJob, no policy/v1, no Gateway API and no Traefik (their requests
   * get 404). The operator discovers that from the mock, as from a real server.
   */
  public static MockCluster kubernetes120() {
    return new MockCluster(new CountingDispatcher.Discovery(
        20,
        Map.of(
            "batch/v1", Map.of("jobs", "Job"),
            "batch/v1beta1", Map.of("cronjobs", "CronJob"),
            "policy/v1beta1",
                Map.of(
                    "poddisruptionbudgets",
                    "PodDisruptionBudget",
                    "podsecuritypolicies",
                    "PodSecurityPolicy"),
            "networking.k8s.io/v1",
                Map.of(
                    "networkpolicies",
                    "NetworkPolicy",
                    "ingresses",
                    "Ingress",
                    "ingressclasses",
                    "IngressClass")),
        Set.of("policy/v1", "gateway.networking.k8s.io/v1", "traefik.io/v1alpha1")));
  }

  private MockCluster(CountingDispatcher.Discovery discovery) {
    dispatcher = new CountingDispatcher(discovery);
    server = new KubernetesMockServer(
        new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    server.init();
    client = server.createClient();
    capabilities = discovery == null
        ? ClusterCapabilitiesProvider.fixed(ClusterCapabilities.newest())
        : ClusterCapabilitiesProvider.discovering(client, java.time.Duration.ofMinutes(10));
    for (String crdFile : java.util.List.of(
        CrdSchema.CRD_RESOURCE,
        "/META-INF/fabric8/loomiobackups.loomio.org-v1.yml",
        "/META-INF/fabric8/loomiorestores.loomio.org-v1.yml")) {
      try (InputStream crd = CrdSchema.class.getResourceAsStream(crdFile)) {
        client.load(crd).create();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  public KubernetesClient client() {
    return client;
  }

  /** The metrics of the operator started last. */
  public org.loomio.operator.reconcile.OperatorMetrics metrics() {
    return metrics;
  }

  /** The operator started last (null before {@link #startOperator}). */
  public Operator operator() {
    return operator;
  }

  /** What the mock cannot do (server-side apply), turned off; production keeps it. */
  public static final java.util.function.Consumer<
          io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider>
      NO_SSA = o -> o.withSSABasedCreateUpdateMatchForDependentResources(false)
      .withUseSSAToPatchPrimaryResource(false);

  public void startOperator() {
    startOperator(java.time.Clock.systemUTC());
  }

  /** The operator, whose LoomioBackup and LoomioRestore controllers read this clock. */
  public void startOperator(java.time.Clock clock) {
    metrics = org.loomio.operator.reconcile.OperatorMetrics.inMemory();
    operator = LoomioOperator.create(
        client,
        org.loomio.operator.reconcile.OperatorSettings.defaults().withNamespaces(Set.of()),
        capabilities,
        metrics,
        null,
        NO_SSA,
        clock);
    operator.start();
  }

  /**
   * How many LoomioDeployments the operator started last has reconciled at least once since it started (its
   * {@code loomio.stacks} gauge counts every stack whose conditions it observed).
   */
  public int stacksObservedSinceStart() {
    return (int)
        metrics.registry().find("loomio.stacks").tag("condition", "Ready").gauges().stream()
            .mapToDouble(io.micrometer.core.instrument.Gauge::value)
            .sum();
  }

  /**
   * A write of the test's (a controller or kubelet it plays, a user's edit) that re-reads and tries again when
   * the server answers 409 Conflict: the operator writes the same objects at the same time, as it would on a
   * real cluster. {@code write} must read the object itself (fabric8's {@code edit}/{@code editStatus} do).
   */
  public static <T> T retryOnConflict(java.util.function.Supplier<T> write) {
    for (int attempt = 1; ; attempt++) {
      try {
        return write.get();
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= 100) {
          throw e;
        }
        Thread.onSpinWait();
      }
    }
  }

  /** {@link #retryOnConflict}, for a write whose result is not needed. */
  public static void retryOnConflict(Runnable write) {
    retryOnConflict(() -> {
      write.run();
      return null;
    });
  }

  /**
   * Edits the status of an object as its controller would: read, change, write, again on a conflict; an
   * object deleted meanwhile (404) is left alone, as a controller would.
   */
  public static <T extends HasMetadata> void editStatus(
      io.fabric8.kubernetes.client.dsl.Resource<T> resource,
      java.util.function.UnaryOperator<T> change) {
    try {
      retryOnConflict(() -> resource.editStatus(change));
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
    }
  }

  /** Edits an object (a user's or another app's change): read, change, write, again on a conflict. */
  public static <T extends HasMetadata> T edit(
      io.fabric8.kubernetes.client.dsl.Resource<T> resource,
      java.util.function.UnaryOperator<T> change) {
    return retryOnConflict(() -> resource.edit(change));
  }

  /**
   * A whole operator process as {@code run} starts it (endpoints on free ports, metrics, settings), on its
   * own client of this server, which counts the server's error answers into the metrics as {@code run}'s does.
   * Close it to stop it.
   */
  public org.loomio.operator.runtime.OperatorRuntime startRuntime(
      org.loomio.operator.reconcile.OperatorSettings settings, Runnable onLostLease)
      throws java.io.IOException {
    var metrics = org.loomio.operator.reconcile.OperatorMetrics.prometheus();
    KubernetesClient own = server.createClient(b -> b.withHttpClientBuilderConsumer(
        h -> h.addOrReplaceInterceptor("api-errors", metrics.apiErrorCounter())));
    extraClients.add(own);
    return org.loomio.operator.runtime.OperatorRuntime.start(
        own,
        metrics,
        settings,
        new org.loomio.operator.runtime.OperatorRuntime.Ports(0, 0),
        capabilities,
        onLostLease,
        NO_SSA);
  }

  /** Every request the server received since the last {@link #clearWrites()}. */
  public java.util.List<String> requests() {
    return dispatcher.requests();
  }

  public void stopOperator() {
    if (operator != null) {
      operator.stop();
      operator = null;
    }
  }

  /** Creates the namespace unless it exists. */
  public void namespace(String name) {
    if (client.namespaces().withName(name).get() == null) {
      client
          .namespaces()
          .resource(new NamespaceBuilder()
              .withNewMetadata()
              .withName(name)
              .endMetadata()
              .build())
          .create();
    }
  }

  /** Writes the mock served since the last {@link #clearWrites()}. */
  public java.util.List<String> writes() {
    return dispatcher.writes();
  }

  public void clearWrites() {
    dispatcher.clear();
  }

  /**
   * Creates a LoomioDeployment as a user does: in its namespace (made if missing), with the spec given (YAML), no
   * generation of its own (the server sets it).
   */
  public LoomioDeployment createStack(String namespace, String name, String specYaml) {
    namespace(namespace);
    LoomioDeployment r = Fixtures.resource(name, specYaml);
    r.getMetadata().setNamespace(namespace);
    r.getMetadata().setGeneration(null);
    return client.resource(r).create();
  }

  public LoomioDeployment get(String namespace, String name) {
    return client
        .resources(LoomioDeployment.class)
        .inNamespace(namespace)
        .withName(name)
        .get();
  }

  /** resourceVersion of every object the operator manages in a namespace, by kind/name. */
  public Map<String, String> versions(String namespace) {
    Map<String, String> v = new LinkedHashMap<>();
    put(
        v,
        client
            .serviceAccounts()
            .inNamespace(namespace)
            .withLabel(Labels.MANAGED_BY)
            .list()
            .getItems());
    put(
        v,
        client
            .configMaps()
            .inNamespace(namespace)
            .withLabel(Labels.MANAGED_BY)
            .list()
            .getItems());
    put(
        v,
        client
            .secrets()
            .inNamespace(namespace)
            .withLabel(Labels.MANAGED_BY)
            .list()
            .getItems());
    put(
        v,
        client
            .persistentVolumeClaims()
            .inNamespace(namespace)
            .withLabel(Labels.MANAGED_BY)
            .list()
            .getItems());
    put(
        v,
        client
            .services()
            .inNamespace(namespace)
            .withLabel(Labels.MANAGED_BY)
            .list()
            .getItems());
    put(
        v,
        client
            .apps()
            .statefulSets()
            .inNamespace(namespace)
            .withLabel(Labels.MANAGED_BY)
            .list()
            .getItems());
    put(
        v,
        client
            .apps()
            .deployments()
            .inNamespace(namespace)
            .withLabel(Labels.MANAGED_BY)
            .list()
            .getItems());
    put(
        v,
        client
            .batch()
            .v1()
            .jobs()
            .inNamespace(namespace)
            .withLabel(Labels.MANAGED_BY)
            .list()
            .getItems());
    put(
        v,
        client
            .network()
            .v1()
            .networkPolicies()
            .inNamespace(namespace)
            .withLabel(Labels.MANAGED_BY)
            .list()
            .getItems());
    put(
        v,
        client
            .network()
            .v1()
            .ingresses()
            .inNamespace(namespace)
            .withLabel(Labels.MANAGED_BY)
            .list()
            .getItems());
    put(
        v,
        client
            .resources(io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute.class)
            .inNamespace(namespace)
            .withLabel(Labels.MANAGED_BY)
            .list()
            .getItems());
    put(
        v,
        client
            .resources(org.loomio.operator.thirdparty.TraefikMiddleware.class)
            .inNamespace(namespace)
            .withLabel(Labels.MANAGED_BY)
            .list()
            .getItems());
    put(
        v,
        client
            .resources(io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget.class)
            .inNamespace(namespace)
            .withLabel(Labels.MANAGED_BY)
            .list()
            .getItems());
    return v;
  }

  /**
   * Plays the garbage collector (the mock has none): deletes the objects of a namespace whose owners (every
   * owner reference) no longer exist, as the real one does after their owner is deleted.
   */
  public void collectGarbage(String namespace) {
    java.util.Set<String> live = new java.util.HashSet<>();
    for (Class<? extends HasMetadata> owner : java.util.List.of(
        LoomioDeployment.class,
        org.loomio.operator.api.v1alpha1.LoomioBackup.class,
        org.loomio.operator.api.v1alpha1.LoomioRestore.class)) {
      client
          .resources(owner)
          .inNamespace(namespace)
          .list()
          .getItems()
          .forEach(o -> live.add(o.getMetadata().getUid()));
    }
    java.util.List<HasMetadata> all = new java.util.ArrayList<>();
    all.addAll(client.serviceAccounts().inNamespace(namespace).list().getItems());
    all.addAll(client.configMaps().inNamespace(namespace).list().getItems());
    all.addAll(client.services().inNamespace(namespace).list().getItems());
    all.addAll(client.apps().statefulSets().inNamespace(namespace).list().getItems());
    all.addAll(client.apps().deployments().inNamespace(namespace).list().getItems());
    all.addAll(client.batch().v1().jobs().inNamespace(namespace).list().getItems());
    all.addAll(client.batch().v1().cronjobs().inNamespace(namespace).list().getItems());
    all.addAll(
        client.network().v1().networkPolicies().inNamespace(namespace).list().getItems());
    all.addAll(client.network().v1().ingresses().inNamespace(namespace).list().getItems());
    all.addAll(client
        .resources(io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget.class)
        .inNamespace(namespace)
        .list()
        .getItems());
    all.addAll(client
        .resources(org.loomio.operator.thirdparty.CloudNativePGCluster.class)
        .inNamespace(namespace)
        .list()
        .getItems());
    for (HasMetadata o : all) {
      var refs = o.getMetadata().getOwnerReferences();
      if (refs != null
          && !refs.isEmpty()
          && refs.stream().noneMatch(r -> live.contains(r.getUid()))) {
        client.resource(o).delete();
      }
    }
  }

  private static void put(Map<String, String> v, java.util.List<? extends HasMetadata> items) {
    items.forEach(i ->
        v.put(i.getKind() + "/" + i.getMetadata().getName(), i.getMetadata().getResourceVersion()));
  }

  /**
   * Plays the controllers: every Deployment and StatefulSet of the stack reports all pods ready at its
   * current spec, and every migration Job reports success.
   */
  public void runControllers(String namespace, String instance) {
    runWorkloads(namespace, instance);
    completeJobs(namespace, instance);
  }

  /** Plays the Deployment and StatefulSet controllers only: every pod ready at the current spec. */
  public void runWorkloads(String namespace, String instance) {
    for (Deployment d : client
        .apps()
        .deployments()
        .inNamespace(namespace)
        .withLabel(Labels.INSTANCE, instance)
        .list()
        .getItems()) {
      editStatus(
          client
              .apps()
              .deployments()
              .inNamespace(namespace)
              .withName(d.getMetadata().getName()),
          x -> {
            // the spec as it is now (the operator may have changed it since the list)
            int replicas = x.getSpec().getReplicas() == null ? 1 : x.getSpec().getReplicas();
            x.setStatus(new DeploymentStatusBuilder()
                .withObservedGeneration(x.getMetadata().getGeneration())
                .withReplicas(replicas)
                .withUpdatedReplicas(replicas)
                .withReadyReplicas(replicas)
                .withAvailableReplicas(replicas)
                .build());
            return x;
          });
    }
    for (StatefulSet s : client
        .apps()
        .statefulSets()
        .inNamespace(namespace)
        .withLabel(Labels.INSTANCE, instance)
        .list()
        .getItems()) {
      editStatus(
          client
              .apps()
              .statefulSets()
              .inNamespace(namespace)
              .withName(s.getMetadata().getName()),
          x -> {
            x.setStatus(new StatefulSetStatusBuilder()
                .withObservedGeneration(x.getMetadata().getGeneration())
                .withReplicas(1)
                .withReadyReplicas(1)
                .withCurrentRevision("r1")
                .withUpdateRevision("r1")
                .build());
            return x;
          });
    }
  }

  /**
   * Plays the Job controller for the embedded database's role setup only: it succeeds, so the operator creates the
   * migration Job, which waits for it.
   */
  public void completeRoleSetup(String namespace, String instance) {
    for (Job j : client
        .batch()
        .v1()
        .jobs()
        .inNamespace(namespace)
        .withLabel(Labels.INSTANCE, instance)
        .withLabel(Labels.COMPONENT, org.loomio.operator.model.Component.DB_ROLES.label())
        .list()
        .getItems()) {
      if (j.getStatus() == null || j.getStatus().getSucceeded() == null) {
        editStatus(
            client
                .batch()
                .v1()
                .jobs()
                .inNamespace(namespace)
                .withName(j.getMetadata().getName()),
            x -> {
              x.setStatus(new JobStatusBuilder()
                  .withSucceeded(1)
                  .addNewCondition()
                  .withType("Complete")
                  .withStatus("True")
                  .endCondition()
                  .build());
              return x;
            });
      }
    }
  }

  /** Plays the Job controller: every Job of the stack without an outcome succeeds. */
  public void completeJobs(String namespace, String instance) {
    for (Job j : client
        .batch()
        .v1()
        .jobs()
        .inNamespace(namespace)
        .withLabel(Labels.INSTANCE, instance)
        .list()
        .getItems()) {
      if (j.getStatus() == null || j.getStatus().getSucceeded() == null) {
        editStatus(
            client
                .batch()
                .v1()
                .jobs()
                .inNamespace(namespace)
                .withName(j.getMetadata().getName()),
            x -> {
              if (x.getStatus() != null && x.getStatus().getSucceeded() != null) {
                return x;
              }
              x.setStatus(new JobStatusBuilder()
                  .withSucceeded(1)
                  .addNewCondition()
                  .withType("Complete")
                  .withStatus("True")
                  .endCondition()
                  .build());
              return x;
            });
      }
    }
  }

  @Override
  public void close() {
    stopOperator();
    extraClients.forEach(KubernetesClient::close);
    client.close();
    server.destroy();
  }
}
