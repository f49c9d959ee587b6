package org.loomio.operator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.loomio.operator.thirdparty.CloudNativePGCluster;

/**
 * CloudNativePG as the e2e suites play it on the rig, which has none: a minimal CRD of our own for
 * clusters.postgresql.cnpg.io (a structural schema that preserves unknown fields, with a status subresource), and
 * what CloudNativePG does for a Cluster the operator declared: its {@code -app} and {@code -ca} Secrets, owned by
 * the Cluster, and a healthy status recording their versions.
 */
final class CloudNativePGPlayer {

  static final String CRD_NAME = "clusters.postgresql.cnpg.io";

  private CloudNativePGPlayer() {}

  /** CloudNativePG's CRD as far as the operator needs it: the kind, its plural, a status subresource. */
  static void installCrd(KubernetesClient k) {
    CustomResourceDefinition crd = Serialization.unmarshal("""
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: clusters.postgresql.cnpg.io
        spec:
          group: postgresql.cnpg.io
          scope: Namespaced
          names: {kind: Cluster, listKind: ClusterList, plural: clusters, singular: cluster}
          versions:
            - name: v1
              served: true
              storage: true
              subresources: {status: {}}
              schema:
                openAPIV3Schema:
                  type: object
                  properties:
                    spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
                    status: {type: object, x-kubernetes-preserve-unknown-fields: true}
        """, CustomResourceDefinition.class);
    k.resource(crd).serverSideApply();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(k.apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName(CRD_NAME)
                .get()
                .getStatus()
                .getConditions())
            .anySatisfy(c -> assertThat(c.getType() + c.getStatus()).isEqualTo("EstablishedTrue")));
  }

  static void deleteCrd(KubernetesClient k) {
    if (k.apiextensions().v1().customResourceDefinitions().withName(CRD_NAME).get() != null) {
      k.apiextensions().v1().customResourceDefinitions().withName(CRD_NAME).delete();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> k.apiextensions()
                  .v1()
                  .customResourceDefinitions()
                  .withName(CRD_NAME)
                  .get()
              == null);
    }
  }

  /**
   * CloudNativePG's part for the Cluster {@code cluster} in {@code ns}: its Secrets, owned by the Cluster, and a
   * healthy status with a primary and the version of each Secret it made (only those are read).
   */
  static void provision(KubernetesClient k, String ns, CloudNativePGCluster pg) {
    String cluster = pg.getMetadata().getName();
    var owner = new OwnerReferenceBuilder()
        .withApiVersion("postgresql.cnpg.io/v1")
        .withKind("Cluster")
        .withName(cluster)
        .withUid(pg.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
    k.resource(new SecretBuilder()
            .withNewMetadata()
            .withName(cluster + "-app")
            .withNamespace(ns)
            .addToLabels("cnpg.io/cluster", cluster)
            .withOwnerReferences(owner)
            .endMetadata()
            .addToStringData("username", "loomio")
            .addToStringData("password", "e2e-not-a-real-password")
            .build())
        .create();
    k.resource(new SecretBuilder()
            .withNewMetadata()
            .withName(cluster + "-ca")
            .withNamespace(ns)
            .addToLabels("cnpg.io/cluster", cluster)
            .withOwnerReferences(owner)
            .endMetadata()
            .addToStringData(
                "ca.crt", "-----BEGIN CERTIFICATE-----\nZTJl\n-----END CERTIFICATE-----\n")
            .build())
        .create();
    k.resources(CloudNativePGCluster.class).inNamespace(ns).withName(cluster).editStatus(c -> {
      Map<String, Object> status = new LinkedHashMap<>();
      status.put("phase", "Cluster in healthy state");
      status.put("instances", 3);
      status.put("readyInstances", 3);
      status.put("currentPrimary", cluster + "-1");
      status.put(
          "secretsResourceVersion",
          Map.of(
              "applicationSecretVersion",
                  k.secrets()
                      .inNamespace(ns)
                      .withName(cluster + "-app")
                      .get()
                      .getMetadata()
                      .getResourceVersion(),
              "serverCaSecretVersion",
                  k.secrets()
                      .inNamespace(ns)
                      .withName(cluster + "-ca")
                      .get()
                      .getMetadata()
                      .getResourceVersion()));
      c.setStatus(status);
      return c;
    });
  }
}
