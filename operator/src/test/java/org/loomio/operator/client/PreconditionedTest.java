package org.loomio.operator.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.loomio.operator.testing.MockCluster;

/** Writes that reach only the very object that was read ({@link Preconditioned}). */
class PreconditionedTest {

  private static MockCluster cluster;
  private static KubernetesClient client;

  @BeforeAll
  static void start() {
    cluster = new MockCluster();
    // the mock answers a failed JSON Patch test with 500 (a real API server: 422), which fabric8
    // would retry
    client = new io.fabric8.kubernetes.client.KubernetesClientBuilder()
        .withConfig(
            new io.fabric8.kubernetes.client.ConfigBuilder(cluster.client().getConfiguration())
                .withRequestRetryBackoffLimit(0)
                .build())
        .build();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static ConfigMap make(String name) {
    return client
        .resource(new ConfigMapBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace("pre")
            .endMetadata()
            .addToData("k", "v")
            .build())
        .create();
  }

  private static ConfigMap now(String name) {
    return client.configMaps().inNamespace("pre").withName(name).get();
  }

  private static java.util.Map<String, String> annotations(String name) {
    var annotations = now(name).getMetadata().getAnnotations();
    return annotations == null ? java.util.Map.of() : annotations;
  }

  @Test
  void anAnnotationLandsOnTheObjectAsRead() {
    ConfigMap read = make("current");
    Preconditioned.annotate(client, read, "loomio.org/owner-uid", "abc");
    assertThat(now("current").getMetadata().getAnnotations())
        .containsEntry("loomio.org/owner-uid", "abc");
    // with annotations present already, the key is added beside them
    Preconditioned.annotate(client, now("current"), "example.org/b", "x\"y");
    assertThat(now("current").getMetadata().getAnnotations())
        .containsEntry("loomio.org/owner-uid", "abc")
        .containsEntry("example.org/b", "x\"y");
  }

  @Test
  void aCopyFromBeforeALaterChangeIsRefused() {
    ConfigMap read = make("changed");
    ConfigMap changed = now("changed");
    changed.getMetadata().setLabels(java.util.Map.of("owner", "someone-else"));
    client.resource(changed).update();
    assertThatThrownBy(() -> Preconditioned.annotate(client, read, "loomio.org/owner-uid", "abc"))
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));
    assertThat(annotations("changed")).doesNotContainKey("loomio.org/owner-uid");
  }

  @Test
  void anObjectReplacedUnderTheSameNameIsNeverWritten() {
    ConfigMap read = make("replaced");
    client.configMaps().inNamespace("pre").withName("replaced").delete();
    org.awaitility.Awaitility.await().until(() -> now("replaced") == null);
    ConfigMap other = make("replaced");
    assertThat(other.getMetadata().getUid()).isNotEqualTo(read.getMetadata().getUid());
    read.getMetadata().setResourceVersion(other.getMetadata().getResourceVersion());
    assertThatThrownBy(() -> Preconditioned.annotate(client, read, "loomio.org/owner-uid", "abc"))
        .isInstanceOf(KubernetesClientException.class);
    assertThatThrownBy(() -> Preconditioned.patch(
            client, read, "{\"op\":\"add\",\"path\":\"/data/x\",\"value\":\"y\"}"))
        .isInstanceOf(KubernetesClientException.class);
    assertThat(annotations("replaced")).doesNotContainKey("loomio.org/owner-uid");
    assertThat(now("replaced").getData()).doesNotContainKey("x");
  }
}
