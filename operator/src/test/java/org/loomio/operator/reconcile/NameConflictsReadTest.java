package org.loomio.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.client.ObjectPaths;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.testing.Fixtures;
import org.loomio.operator.testing.MockCluster;

/**
 * The name check's cheap read ({@link NameConflicts#readFromWatchCache}): it asks for the very path fabric8 asks
 * for, of every kind any stack has, and reads back what is there; and it is used only where the create itself
 * refuses an existing name ({@link NameConflicts#createRefusesExisting}).
 */
class NameConflictsReadTest {

  private static MockCluster cluster;

  @BeforeAll
  static void start() {
    cluster = new MockCluster();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  /** Stacks that together have every kind the operator renders, on the newest Kubernetes and on 1.20. */
  private static List<HasMetadata> everyKind() {
    List<HasMetadata> objects = new ArrayList<>();
    ClusterCapabilities newest = ClusterCapabilities.newest();
    ClusterCapabilities old = ClusterCapabilities.forVersion("1.20");
    String several =
        "host: a.example.org\nweb: {replicas: 2}\nstorage: {volume: {accessMode: ReadWriteMany}}";
    objects.addAll(Fixtures.render(Fixtures.minimal("plain"), newest).objects());
    objects.addAll(Fixtures.render(Fixtures.resource("many", several), newest).objects());
    objects.addAll(Fixtures.render(Fixtures.resource("old", several), old).objects());
    objects.addAll(Fixtures.render(
            Fixtures.resource(
                "traefik",
                "host: a.example.org\ningress: {className: traefik, tls: {secretName: a-tls}}"),
            newest)
        .objects());
    objects.addAll(Fixtures.render(
            Fixtures.resource("gw", "host: a.example.org\ngateway: {name: public}"), newest)
        .objects());
    objects.addAll(Fixtures.render(
            Fixtures.resource("cnpg", "host: a.example.org\ndatabase: {cloudNativePG: {}}"), newest)
        .objects());
    return objects;
  }

  @Test
  void theReadAsksForTheObjectsOwnPathAndReadsItBack() {
    List<HasMetadata> objects = everyKind();
    assertThat(objects.stream().map(o -> o.getApiVersion() + "/" + o.getKind()).distinct())
        .as("the kinds covered")
        .contains(
            "batch/v1beta1/CronJob",
            "batch/v1/CronJob",
            "policy/v1beta1/PodDisruptionBudget",
            "policy/v1/PodDisruptionBudget",
            "gateway.networking.k8s.io/v1/HTTPRoute",
            "traefik.io/v1alpha1/Middleware",
            "postgresql.cnpg.io/v1/Cluster",
            "v1/Service",
            "networking.k8s.io/v1/NetworkPolicy");
    var client = cluster.client();
    for (HasMetadata o : objects) {
      String what =
          o.getApiVersion() + " " + o.getKind() + " " + o.getMetadata().getName();
      client.resource(o).get(); // fabric8's own read of the object
      List<String> requests = cluster.requests();
      String fabric8s = requests.get(requests.size() - 1).replaceFirst("^GET ", "");
      assertThat(ObjectPaths.of(o)).as(what).isEqualTo(fabric8s.replaceFirst("\\?.*$", ""));

      assertThat(NameConflicts.readFromWatchCache(client, o))
          .as(what + " absent")
          .isNull();
      requests = cluster.requests();
      assertThat(requests.get(requests.size() - 1))
          .as(what)
          .isEqualTo("GET " + ObjectPaths.of(o) + "?resourceVersion=0");
    }
    // created, each is read back as what it is
    ConfigMap made = new ConfigMapBuilder()
        .withNewMetadata()
        .withName("plain-config")
        .withNamespace("loomio")
        .addToLabels("team", "someone-else")
        .endMetadata()
        .build();
    client.resource(made).create();
    HasMetadata read = NameConflicts.readFromWatchCache(
        client,
        objects.stream()
            .filter(o -> o.getMetadata().getName().equals("plain-config"))
            .findFirst()
            .orElseThrow());
    assertThat(read).isInstanceOf(ConfigMap.class);
    assertThat(read.getMetadata().getLabels()).containsEntry("team", "someone-else");
    for (HasMetadata o : objects) {
      if (o instanceof Secret || o.getMetadata().getName().equals("plain-config")) {
        continue;
      }
      client.resource(o).create();
      HasMetadata back = NameConflicts.readFromWatchCache(client, o);
      assertThat(back).as(o.getKind() + " " + o.getMetadata().getName()).isNotNull();
      assertThat(back.getClass()).isEqualTo(o.getClass());
      assertThat(back.getMetadata().getName()).isEqualTo(o.getMetadata().getName());
      assertThat(back.getApiVersion()).isEqualTo(o.getApiVersion());
    }
  }

  /**
   * {@link NameConflicts#createRefusesExisting} mirrors the dependents' settings: every dependent of the
   * workflow creates with JOSDK's create-only guard but the Services' (which sets it itself from 1.21). A new
   * dependent that turns the guard off fails here until the name check knows of it.
   */
  @Test
  void everyDependentButTheServicesCreatesWithTheGuard() throws Exception {
    var workflow = LoomioDeploymentReconciler.class.getAnnotation(
        io.javaoperatorsdk.operator.api.reconciler.Workflow.class);
    assertThat(workflow.dependents()).hasSizeGreaterThan(10);
    for (var dependent : workflow.dependents()) {
      var config = dependent
          .type()
          .getAnnotation(
              io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent
                  .class);
      boolean guarded = config == null || config.createResourceOnlyIfNotExistingWithSSA();
      Class<?> kind =
          ((io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource<
                      ?, ?>)
                  dependent.type().getDeclaredConstructor().newInstance())
              .resourceType();
      if (!guarded) {
        assertThat(kind)
            .as(dependent.name() + " creates without the guard")
            .isEqualTo(Service.class);
      }
    }
  }

  @Test
  void onlyAGuardedCreateLetsTheCheckReadFromTheWatchCache() {
    LoomioDeployment resource = Fixtures.minimal("team");
    ClusterCapabilities old = ClusterCapabilities.forVersion("1.20");
    ClusterCapabilities v121 = ClusterCapabilities.forVersion("1.21");
    for (HasMetadata o : Fixtures.render(resource, old).objects()) {
      // before 1.21 a Service's create cannot carry the guard: only a quorum read protects it
      assertThat(NameConflicts.createRefusesExisting(o, old))
          .as(o.getKind())
          .isEqualTo(!(o instanceof Service));
    }
    for (HasMetadata o : Fixtures.render(resource, v121).objects()) {
      assertThat(NameConflicts.createRefusesExisting(o, v121)).as(o.getKind()).isTrue();
    }
    GenericKubernetesResource untyped = new GenericKubernetesResource();
    untyped.setApiVersion("example.org/v1");
    untyped.setKind("Thing");
    assertThat(NameConflicts.createRefusesExisting(untyped, ClusterCapabilities.newest()))
        .as("a kind without a model class has no known path")
        .isFalse();
  }
}
