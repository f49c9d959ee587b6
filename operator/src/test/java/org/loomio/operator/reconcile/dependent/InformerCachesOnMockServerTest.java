package org.loomio.operator.reconcile.dependent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.javaoperatorsdk.operator.api.config.Informable;
import io.javaoperatorsdk.operator.api.config.informer.InformerConfiguration;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.Configurable;
import io.javaoperatorsdk.operator.processing.event.source.informer.ManagedInformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.LoomioBackup;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.api.v1alpha1.LoomioRestore;
import org.loomio.operator.model.Labels;
import org.loomio.operator.testing.MockCluster;

/**
 * Every informer of the running operator (its three controllers, their dependents and extra event sources):
 * label-selected unless it watches the operator's own custom resources (the tenants create those, unlabelled),
 * and filling a transforming store, whose transformation is seen applied to objects as they arrive.
 */
class InformerCachesOnMockServerTest {

  private static MockCluster cluster;

  @BeforeAll
  static void start() {
    cluster = new MockCluster();
    cluster.startOperator();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  /** Every informer event source by controller and name. */
  private static Map<String, ManagedInformerEventSource<?, ?, ?>> informers() {
    Map<String, ManagedInformerEventSource<?, ?, ?>> all = new LinkedHashMap<>();
    cluster
        .operator()
        .getRegisteredControllers()
        .forEach(c -> c.getControllerHealthInfo()
            .informerEventSourceHealthIndicators()
            .forEach((name, indicator) -> all.put(
                c.getConfiguration().getName() + "/" + name,
                (ManagedInformerEventSource<?, ?, ?>) indicator)));
    return all;
  }

  private static InformerConfiguration<?> config(ManagedInformerEventSource<?, ?, ?> source) {
    Object c = ((Configurable<?>) source).configuration();
    return ((Informable<?>) c).getInformerConfig();
  }

  private static final Set<Class<?>> OWN_RESOURCES =
      Set.of(LoomioDeployment.class, LoomioBackup.class, LoomioRestore.class);

  @Test
  void everyInformerOfAnotherKindIsLabelSelectedAndTransformed() {
    Map<String, ManagedInformerEventSource<?, ?, ?>> informers = informers();
    assertThat(informers).hasSizeGreaterThanOrEqualTo(15);
    informers.forEach((name, source) -> {
      InformerConfiguration<?> c = config(source);
      if (OWN_RESOURCES.contains(c.getResourceClass())) {
        return;
      }
      assertThat(c.getLabelSelector())
          .as(name + " (" + c.getResourceClass().getSimpleName() + ")")
          .contains(Labels.MANAGED_SELECTOR);
      assertThat(c.getItemStore()).as(name).isInstanceOf(TransformingItemStore.class);
    });
    // the tenants' LoomioBackups and LoomioRestores, as the stacks' controller reads them: no
    // managedFields either
    informers.forEach((name, source) -> {
      InformerConfiguration<?> c = config(source);
      if (name.startsWith("loomio-operator/")
          && (c.getResourceClass() == LoomioBackup.class
              || c.getResourceClass() == LoomioRestore.class)) {
        assertThat(c.getItemStore()).as(name).isInstanceOf(TransformingItemStore.class);
      }
    });
  }

  /** The applied kinds' informers drop the add events of objects older than themselves (PreexistingAdds). */
  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void theAppliedKindsIgnoreAddsOfObjectsOlderThanTheirInformer() {
    Map<String, ManagedInformerEventSource<?, ?, ?>> informers = informers();
    java.time.Instant now = java.time.Instant.now();
    for (String name : java.util.List.of(
        "loomio-operator/deployments",
        "loomio-operator/configmaps",
        "loomio-operator/services",
        "loomio-operator/serviceaccounts",
        "loomio-operator/networkpolicies",
        "loomio-operator/statefulsets")) {
      assertThat(informers).as(name).containsKey(name);
      var filter = (io.javaoperatorsdk.operator.processing.event.source.filter.OnAddFilter)
          config(informers.get(name)).getOnAddFilter();
      assertThat(filter).as(name).isNotNull();
      HasMetadata old = new DeploymentBuilder()
          .withNewMetadata()
          .withName("old")
          .withCreationTimestamp(now.minus(Duration.ofHours(1)).toString())
          .endMetadata()
          .build();
      HasMetadata fresh = new DeploymentBuilder()
          .withNewMetadata()
          .withName("fresh")
          .withCreationTimestamp(now.toString())
          .endMetadata()
          .build();
      assertThat(filter.accept(old)).as(name + ": an object an hour older").isFalse();
      assertThat(filter.accept(fresh)).as(name + ": an object made now").isTrue();
    }
  }

  /**
   * The stacks' ServiceAccounts informer drops the token controller's updates: its update filter survives
   * {@link CacheTrim#withStore}, which rebuilds the informer configuration, and nothing else of its kind has
   * one.
   */
  @Test
  void theServiceAccountsInformerKeepsItsUpdateFilterAfterTheCacheTrim() {
    Map<String, InformerConfiguration<?>> accounts = new LinkedHashMap<>();
    informers().forEach((name, source) -> {
      InformerConfiguration<?> c = config(source);
      if (c.getResourceClass() == ServiceAccount.class) {
        accounts.put(name, c);
      }
    });
    assertThat(accounts).containsOnlyKeys("loomio-operator/serviceaccounts");
    InformerConfiguration<?> c = accounts.values().iterator().next();
    assertThat(c.getItemStore()).isInstanceOf(TransformingItemStore.class);
    assertThat(c.getOnUpdateFilter()).isInstanceOf(IgnoreUnreadServiceAccountChanges.class);
    // the add filter every applied kind has (PreexistingAdds), not one of its own
    assertThat(c.getOnAddFilter()).isNotNull();
    assertThat(c.getOnDeleteFilter()).isNull();
    assertThat(c.getGenericFilter()).isNull();
  }

  private static ManagedFieldsEntry entry(String manager, String operation) {
    return new ManagedFieldsEntryBuilder()
        .withManager(manager)
        .withOperation(operation)
        .withApiVersion("v1")
        .withFieldsType("FieldsV1")
        .withNewFieldsV1()
        .addToAdditionalProperties("f:metadata", Map.of("f:labels", Map.of("f:app", Map.of())))
        .endFieldsV1()
        .build();
  }

  @SuppressWarnings("unchecked")
  private static <R extends HasMetadata> R cached(String informer, String namespace, String name) {
    var source = (ManagedInformerEventSource<R, ?, ?>) informers().get(informer);
    assertThat(source).as(informer).isNotNull();
    return source.get(new ResourceID(name, namespace)).orElse(null);
  }

  @Test
  void theCachesHoldTheTransformedObjects() {
    String ns = "caches";
    cluster.namespace(ns);
    Deployment d = new DeploymentBuilder()
        .withNewMetadata()
        .withName("elsewhere-web")
        .withNamespace(ns)
        .addToLabels(Labels.MANAGED_BY, Labels.OPERATOR)
        .addToLabels(Labels.INSTANCE, "elsewhere")
        .withManagedFields(
            entry("loomio-operator", "Apply"), entry("kube-controller-manager", "Update"))
        .endMetadata()
        .withNewSpec()
        .withReplicas(1)
        .endSpec()
        .build();
    cluster.client().resource(d).create();
    Pod p = new PodBuilder()
        .withNewMetadata()
        .withName("elsewhere-migrate-abcde")
        .withNamespace(ns)
        .addToLabels(Labels.MANAGED_BY, Labels.OPERATOR)
        .addToLabels(Labels.INSTANCE, "elsewhere")
        .addToLabels(Labels.RUN_ONCE, "true")
        .withManagedFields(entry("kube-controller-manager", "Update"))
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("migrate")
        .withImage("loomio")
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase("Pending")
        .endStatus()
        .build();
    cluster.client().resource(p).create();

    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      Deployment inCache = cached("loomio-operator/deployments", ns, "elsewhere-web");
      assertThat(inCache).isNotNull();
      assertThat(inCache.getMetadata().getManagedFields())
          .extracting(ManagedFieldsEntry::getManager)
          .containsExactly("loomio-operator");
      assertThat(inCache.getSpec().getReplicas()).isEqualTo(1);
      Pod podInCache = cached("loomio-operator/backup-pods", ns, "elsewhere-migrate-abcde");
      assertThat(podInCache).isNotNull();
      assertThat(podInCache.getSpec()).isNull();
      assertThat(podInCache.getMetadata().getManagedFields()).isNull();
      assertThat(podInCache.getStatus().getPhase()).isEqualTo("Pending");
    });
    // the cache sizes are metrics
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(cluster
                .metrics()
                .registry()
                .find("loomio.operator.cache.objects")
                .tag("controller", "loomio-operator")
                .tag("informer", "backup-pods")
                .gauge()
                .value())
            .isGreaterThanOrEqualTo(1));
    assertThat(
            cluster.metrics().registry().find("loomio.operator.cache.objects").gauges())
        .hasSizeGreaterThanOrEqualTo(15);
    // the server still has everything: only the operator's copy is trimmed
    assertThat(cluster
            .client()
            .pods()
            .inNamespace(ns)
            .withName("elsewhere-migrate-abcde")
            .get()
            .getSpec())
        .isNotNull();
  }
}
