package org.loomio.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.api.v1alpha1.LoomioRestore;
import org.loomio.operator.api.v1alpha1.LoomioRestoreSpec;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Labels;
import org.loomio.operator.render.base.Ownership;
import org.loomio.operator.status.Conditions;
import org.loomio.operator.status.DegradedReason;
import org.loomio.operator.testing.Fixtures;
import org.loomio.operator.testing.MockCluster;

/**
 * The operator never writes, adopts or deletes an object it did not make for the stack, whatever its name:
 * someone else's {@code <name>-secrets}, {@code <name>-uploads}, headers ConfigMap and {@code <name>-web}
 * Deployment stay byte-identical through create, reconcile, isolation, a restore and deletion with
 * deletionPolicy Delete, and the stack says NameConflict naming each. (The mock has no server-side apply: the
 * Service takeover is proven on the real API server, EndToEndIT.)
 */
class OwnershipOnMockServerTest {

  /** Name conflicts on purpose: the operator's warnings about them stay out of the build log. */
  @org.junit.jupiter.api.extension.RegisterExtension
  static final org.loomio.operator.testing.ExpectedLogs LOGS =
      org.loomio.operator.testing.ExpectedLogs.of(LoomioDeploymentReconciler.class);

  private static final Duration WAIT = Duration.ofSeconds(90);
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

  @Test
  void foreignObjectsOfTheStacksNamesAreNeverTouched() {
    String ns = "tenant-ns";
    cluster.namespace(ns);
    // made by someone else before the stack exists: no operator labels
    List<HasMetadata> foreign = List.of(
        cluster
            .client()
            .resource(new SecretBuilder()
                .withNewMetadata()
                .withName("team-secrets")
                .withNamespace(ns)
                .endMetadata()
                .addToData("password", "aHVudGVyMg==")
                .build())
            .create(),
        cluster
            .client()
            .resource(new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName("team-uploads")
                .withNamespace(ns)
                .endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withNewResources()
                .addToRequests("storage", new Quantity("1Gi"))
                .endResources()
                .endSpec()
                .build())
            .create(),
        cluster
            .client()
            .resource(new ConfigMapBuilder()
                .withNewMetadata()
                .withName("team-edge-headers")
                .withNamespace(ns)
                .endMetadata()
                .addToData("X-Other-App", "1")
                .build())
            .create(),
        cluster
            .client()
            .resource(new DeploymentBuilder()
                .withNewMetadata()
                .withName("team-web")
                .withNamespace(ns)
                .addToLabels("app", "other")
                .endMetadata()
                .withNewSpec()
                .withReplicas(2)
                .withNewSelector()
                .addToMatchLabels("app", "other")
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app", "other")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("other")
                .withImage("example.org/other:1")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
            .create());
    Map<String, String> before = snapshot(foreign);

    LoomioDeployment r = Fixtures.resource(
        "team",
        "host: team.example.org\ndeletionPolicy: Delete\n"
            + "ingress: {className: nginx, tls: {clusterIssuer: le}}");
    r.getMetadata().setNamespace(ns);
    r.getMetadata().setGeneration(null);
    cluster.client().resource(r).create();

    awaitDegraded(ns, DegradedReason.NAME_CONFLICT.value());
    // the operator's caches may see the four foreign objects in more than one reconcile
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(degraded(ns).getMessage())
            .contains(
                "Secret team-secrets exists and is not this stack's",
                "PersistentVolumeClaim team-uploads exists and is not this stack's",
                "ConfigMap team-edge-headers exists and is not this stack's",
                "Deployment team-web exists and is not this stack's")
            .doesNotContain("aHVudGVyMg"));
    assertThat(cluster
            .client()
            .apps()
            .deployments()
            .inNamespace(ns)
            .withLabel(Labels.MANAGED_BY)
            .list()
            .getItems())
        .as("nothing of the stack is applied")
        .isEmpty();
    assertThat(snapshot(foreign)).isEqualTo(before);

    // isolation applies even when the spec cannot be: never to the foreign Deployment or ConfigMap
    MockCluster.edit(
        cluster.client().resources(LoomioDeployment.class).inNamespace(ns).withName("team"), x -> {
          x.getSpec().setIsolation(true);
          return x;
        });
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(cluster.get(ns, "team").getStatus().getConditions())
          .anySatisfy(
              c -> assertThat(c.getType() + " " + c.getStatus()).isEqualTo("Isolated True"));
      assertThat(cluster
              .client()
              .network()
              .v1()
              .networkPolicies()
              .inNamespace(ns)
              .withName("team-default-deny")
              .get())
          .as("the stack's own deny-all")
          .isNotNull();
    });
    assertThat(snapshot(foreign)).isEqualTo(before);

    // a restore of the stack
    LoomioRestore restore = new LoomioRestore();
    restore.getMetadata().setName("again");
    restore.getMetadata().setNamespace(ns);
    LoomioRestoreSpec rs = new LoomioRestoreSpec();
    rs.setDeploymentName("team");
    restore.setSpec(rs);
    cluster.client().resource(restore).create();
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(cluster
                .client()
                .resources(LoomioRestore.class)
                .inNamespace(ns)
                .withName("again")
                .get()
                .getStatus())
            .isNotNull());
    assertThat(snapshot(foreign)).isEqualTo(before);

    // deletion with deletionPolicy Delete removes only what the stack made
    cluster
        .client()
        .resources(LoomioDeployment.class)
        .inNamespace(ns)
        .withName("team")
        .delete();
    await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.get(ns, "team")).isNull());
    assertThat(snapshot(foreign)).isEqualTo(before);
  }

  @Test
  void objectsWithTheOperatorsLabelsButAnotherOwnerAreNotTakenOver() {
    String ns = "forged";
    cluster.namespace(ns);
    // the operator's labels, but owned by nothing of this stack
    HasMetadata service = cluster
        .client()
        .resource(new ServiceBuilder()
            .withNewMetadata()
            .withName("team-web")
            .withNamespace(ns)
            .withLabels(Labels.of("team", Component.WEB))
            .endMetadata()
            .withNewSpec()
            .addToSelector("app", "elsewhere")
            .addNewPort()
            .withPort(80)
            .withProtocol("TCP")
            .endPort()
            .endSpec()
            .build())
        .create();
    // a claim recorded for another LoomioDeployment that exists
    LoomioDeployment other = Fixtures.resource("other", "host: other.example.org");
    other.getMetadata().setNamespace(ns);
    other.getMetadata().setGeneration(null);
    other = cluster.client().resource(other).create();
    HasMetadata claim = cluster
        .client()
        .resource(new PersistentVolumeClaimBuilder()
            .withNewMetadata()
            .withName("team-uploads")
            .withNamespace(ns)
            .withLabels(Labels.of("team", Component.UPLOADS))
            .addToAnnotations(Ownership.OWNER_UID, other.getMetadata().getUid())
            .endMetadata()
            .withNewSpec()
            .withAccessModes("ReadWriteOnce")
            .withNewResources()
            .addToRequests("storage", new Quantity("1Gi"))
            .endResources()
            .endSpec()
            .build())
        .create();
    Map<String, String> before = snapshot(List.of(service, claim));

    LoomioDeployment r = Fixtures.resource("team", "host: team.example.org");
    r.getMetadata().setNamespace(ns);
    r.getMetadata().setGeneration(null);
    cluster.client().resource(r).create();
    awaitDegraded(ns, DegradedReason.NAME_CONFLICT.value());
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> assertThat(degraded(ns).getMessage())
                .contains(
                    "Service team-web exists and is not this stack's: it carries the operator's labels but is not owned by this"
                        + " LoomioDeployment",
                    "PersistentVolumeClaim team-uploads exists and is not this stack's: it was made for another LoomioDeployment"));
    assertThat(snapshot(List.of(service, claim))).isEqualTo(before);
  }

  @Test
  void retainedDataOfADeletedResourceIsTakenBackByANewOneOfTheSameName() {
    String ns = "reattach";
    cluster.namespace(ns);
    LoomioDeployment first = Fixtures.resource("team", "host: team.example.org");
    first.getMetadata().setNamespace(ns);
    first.getMetadata().setGeneration(null);
    first = cluster.client().resource(first).create();
    String firstUid = first.getMetadata().getUid();
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(cluster
                .client()
                .persistentVolumeClaims()
                .inNamespace(ns)
                .withName("team-uploads")
                .get())
            .isNotNull());
    cluster.client().resource(first).delete();
    await().atMost(WAIT).untilAsserted(() -> assertThat(cluster.get(ns, "team")).isNull());
    cluster.collectGarbage(ns);
    assertThat(cluster
            .client()
            .persistentVolumeClaims()
            .inNamespace(ns)
            .withName("team-uploads")
            .get()
            .getMetadata()
            .getAnnotations())
        .containsEntry(Ownership.OWNER_UID, firstUid);

    LoomioDeployment second = Fixtures.resource("team", "host: team.example.org");
    second.getMetadata().setNamespace(ns);
    second.getMetadata().setGeneration(null);
    String secondUid = cluster.client().resource(second).create().getMetadata().getUid();
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(cluster
              .client()
              .persistentVolumeClaims()
              .inNamespace(ns)
              .withName("team-uploads")
              .get()
              .getMetadata()
              .getAnnotations())
          .containsEntry(Ownership.OWNER_UID, secondUid);
      assertThat(cluster
              .client()
              .secrets()
              .inNamespace(ns)
              .withName("team-secrets")
              .get()
              .getMetadata()
              .getAnnotations())
          .containsEntry(Ownership.OWNER_UID, secondUid);
      assertThat(cluster
              .client()
              .apps()
              .deployments()
              .inNamespace(ns)
              .withName("team-web")
              .get())
          .isNotNull();
    });
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(cluster.get(ns, "team").getStatus())
            .isNotNull()
            .satisfies(st -> assertThat(Conditions.find(st.getConditions(), Conditions.DEGRADED))
                .hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo("False"))));
  }

  @Test
  void anUnconsentedSecretAppliesNothingUntilItsOwnerConsents() {
    String ns = "consent";
    cluster.namespace(ns);
    cluster
        .client()
        .resource(new SecretBuilder()
            .withNewMetadata()
            .withName("app-db")
            .withNamespace(ns)
            .endMetadata()
            .addToData("password", "aHVudGVyMg==")
            .build())
        .create();
    LoomioDeployment r = Fixtures.resource(
        "team",
        "host: team.example.org\n"
            + "secretEnv: [{name: OAUTH_APP_SECRET, secretKeyRef: {name: app-db, key: password}}]");
    r.getMetadata().setNamespace(ns);
    r.getMetadata().setGeneration(null);
    cluster.client().resource(r).create();
    awaitDegraded(ns, DegradedReason.CONSENT_REQUIRED.value());
    assertThat(degraded(ns).getMessage())
        .isEqualTo(
            "Secret app-db (spec.secretEnv[0].secretKeyRef) is not marked for"
                + " use by LoomioDeployment team; whoever owns it consents with: kubectl -n consent annotate secret app-db"
                + " loomio.org/allowed-stacks=team. Meanwhile the backup schedule is suspended (its pods would read them)");
    assertThat(cluster.versions(ns))
        .as("nothing applied, not even the credentials")
        .isEmpty();

    // its owner consents (the command from the message): the stack is applied, and its pods read
    // the Secret
    MockCluster.edit(cluster.client().secrets().inNamespace(ns).withName("app-db"), x -> {
      x.getMetadata().setAnnotations(Map.of(ReferencedSecrets.CONSENT, "team"));
      return x;
    });
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(cluster
              .client()
              .apps()
              .deployments()
              .inNamespace(ns)
              .withName("team-web")
              .get())
          .isNotNull();
      assertThat(cluster
              .client()
              .batch()
              .v1()
              .cronjobs()
              .inNamespace(ns)
              .withName("team-backup")
              .get()
              .getSpec()
              .getSuspend())
          .isFalse();
    });

    // consent withdrawn: the running pods stay, but no new backup pod reads the Secret (the
    // schedule waits)
    MockCluster.edit(cluster.client().secrets().inNamespace(ns).withName("app-db"), x -> {
      x.getMetadata().setAnnotations(Map.of());
      return x;
    });
    MockCluster.edit(
        cluster.client().resources(LoomioDeployment.class).inNamespace(ns).withName("team"), x -> {
          x.getSpec().setSiteName("Team");
          return x;
        }); // any change: the Secret itself is not watched
    awaitDegraded(ns, DegradedReason.CONSENT_REQUIRED.value());
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(cluster
                .client()
                .batch()
                .v1()
                .cronjobs()
                .inNamespace(ns)
                .withName("team-backup")
                .get()
                .getSpec()
                .getSuspend())
            .isTrue());
    assertThat(cluster
            .client()
            .apps()
            .deployments()
            .inNamespace(ns)
            .withName("team-web")
            .get())
        .isNotNull();

    // consent again: the next render resumes the schedule
    MockCluster.edit(cluster.client().secrets().inNamespace(ns).withName("app-db"), x -> {
      x.getMetadata().setAnnotations(Map.of(ReferencedSecrets.CONSENT, "team"));
      return x;
    });
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(cluster
                .client()
                .batch()
                .v1()
                .cronjobs()
                .inNamespace(ns)
                .withName("team-backup")
                .get()
                .getSpec()
                .getSuspend())
            .isFalse());
  }

  @Test
  void noFieldReachesAnOperatorGeneratedSecretOfThisStackOrAnother() {
    String ns = "generated";
    cluster.namespace(ns);
    for (String name : List.of("team", "other")) {
      LoomioDeployment r = Fixtures.resource(name, "host: " + name + ".example.org");
      r.getMetadata().setNamespace(ns);
      r.getMetadata().setGeneration(null);
      cluster.client().resource(r).create();
    }
    await().atMost(WAIT).untilAsserted(() -> {
      for (String name : List.of("team", "other")) {
        assertThat(cluster
                .client()
                .apps()
                .deployments()
                .inNamespace(ns)
                .withName(name + "-web")
                .get())
            .isNotNull();
        assertThat(cluster
                .client()
                .secrets()
                .inNamespace(ns)
                .withName(name + "-backup-key")
                .get())
            .isNotNull();
      }
    });
    String web = Serialization.asJson(cluster
        .client()
        .apps()
        .deployments()
        .inNamespace(ns)
        .withName("team-web")
        .get()
        .getSpec());

    // the stack's own backup key as an environment variable: refused in validation, nothing applied
    MockCluster.edit(
        cluster.client().resources(LoomioDeployment.class).inNamespace(ns).withName("team"), x -> {
          x.getSpec()
              .setSecretEnv(List.of(secretEnv("SENTRY_DSN", "team-backup-key", "private.asc")));
          return x;
        });
    awaitDegraded(ns, DegradedReason.INVALID_SPEC.value());
    assertThat(degraded(ns).getMessage())
        .startsWith("spec.secretEnv[0].secretKeyRef.name: names a Secret the operator"
            + " generates for this stack");

    // another stack's backup key, even marked for every stack of the namespace: refused too
    MockCluster.edit(cluster.client().secrets().inNamespace(ns).withName("other-backup-key"), x -> {
      x.getMetadata().getAnnotations().put(ReferencedSecrets.CONSENT, "*");
      return x;
    });
    MockCluster.edit(
        cluster.client().resources(LoomioDeployment.class).inNamespace(ns).withName("team"), x -> {
          x.getSpec()
              .setSecretEnv(List.of(secretEnv("SENTRY_DSN", "other-backup-key", "private.asc")));
          return x;
        });
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(degraded(ns).getMessage())
            .isEqualTo(
                "spec.secretEnv[0].secretKeyRef: Secret other-backup-key is generated by the operator for LoomioDeployment"
                    + " other (no field may name an operator-generated Secret, whatever consent it carries). Meanwhile the"
                    + " backup schedule is suspended (its pods would read them)"));
    assertThat(degraded(ns).getReason()).isEqualTo(DegradedReason.INVALID_SPEC.value());
    assertThat(Serialization.asJson(cluster
            .client()
            .apps()
            .deployments()
            .inNamespace(ns)
            .withName("team-web")
            .get()
            .getSpec()))
        .as("web never reads either key")
        .isEqualTo(web)
        .doesNotContain("backup-key");
  }

  private static HasMetadata tlsSecret(String ns, String name, Map<String, String> annotations) {
    return cluster
        .client()
        .resource(new SecretBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(ns)
            .withAnnotations(annotations)
            .endMetadata()
            .withType("kubernetes.io/tls")
            .addToData("tls.crt", "Y2VydA==")
            .addToData("tls.key", "a2V5")
            .build())
        .create();
  }

  private static void createStack(String ns, String specYaml) {
    LoomioDeployment r = Fixtures.resource("team", specYaml);
    r.getMetadata().setNamespace(ns);
    r.getMetadata().setGeneration(null);
    cluster.client().resource(r).create();
  }

  /** A Certificate as cert-manager's ingress-shim makes it for an Ingress: named after the Secret, owned by it. */
  private static void certificate(String ns, String name, HasMetadata owner) {
    var cert = new io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder()
        .withApiVersion("cert-manager.io/v1")
        .withKind("Certificate")
        .withNewMetadata()
        .withName(name)
        .withNamespace(ns)
        .addNewOwnerReference()
        .withApiVersion("networking.k8s.io/v1")
        .withKind("Ingress")
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withController(true)
        .endOwnerReference()
        .endMetadata()
        .addToAdditionalProperties("spec", Map.of("secretName", name))
        .build();
    cluster
        .client()
        .genericKubernetesResources(NameConflicts.CERTIFICATES)
        .inNamespace(ns)
        .resource(cert)
        .create();
  }

  @Test
  void anotherAppsCertificateUnderTheStacksTlsNameIsNeitherServedNorOverwritten() {
    String ns = "tls-foreign";
    cluster.namespace(ns);
    // another application's certificate, made by hand, and one cert-manager issued for a
    // Certificate not ours
    HasMetadata shop = tlsSecret(ns, "team-tls", Map.of());
    Map<String, String> before = snapshot(List.of(shop));
    createStack(
        ns, "host: team.example.org\ningress: {className: nginx, tls: {clusterIssuer: le}}");
    awaitDegraded(ns, DegradedReason.NAME_CONFLICT.value());
    assertThat(degraded(ns).getMessage())
        .contains("Secret team-tls exists and is not this stack's: cert-manager did"
            + " not issue it for this stack's Ingress team-web");
    assertThat(
            cluster.client().network().v1().ingresses().inNamespace(ns).list().getItems())
        .as("no Ingress, so no Certificate writes it and no edge serves it")
        .isEmpty();
    assertThat(snapshot(List.of(shop))).isEqualTo(before);

    // issued by cert-manager, but for a Certificate owned by another Ingress: still not this
    // stack's
    HasMetadata other = cluster
        .client()
        .resource(new io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder()
            .withNewMetadata()
            .withName("shop")
            .withNamespace(ns)
            .endMetadata()
            .withNewSpec()
            .endSpec()
            .build())
        .create();
    certificate(ns, "team-tls", other);
    MockCluster.edit(cluster.client().secrets().inNamespace(ns).withName("team-tls"), x -> {
      x.getMetadata().setAnnotations(Map.of(NameConflicts.CERTIFICATE_NAME, "team-tls"));
      return x;
    });
    Map<String, String> issued = snapshot(List.of(shop));
    MockCluster.edit(
        cluster.client().resources(LoomioDeployment.class).inNamespace(ns).withName("team"), x -> {
          x.getSpec().setSiteName("Team");
          return x;
        });
    await().atMost(WAIT).untilAsserted(() -> {
      LoomioDeployment r = cluster.get(ns, "team");
      assertThat(r.getStatus().getObservedGeneration())
          .isEqualTo(r.getMetadata().getGeneration());
      assertThat(degraded(ns).getReason()).isEqualTo(DegradedReason.NAME_CONFLICT.value());
    });
    assertThat(cluster
            .client()
            .network()
            .v1()
            .ingresses()
            .inNamespace(ns)
            .withName("team-web")
            .get())
        .isNull();
    assertThat(snapshot(List.of(shop))).isEqualTo(issued);
  }

  @Test
  void theCertificateCertManagerIssuedForTheStacksOwnIngressIsTheStacks() {
    String ns = "tls-own";
    cluster.namespace(ns);
    createStack(
        ns, "host: team.example.org\ningress: {className: nginx, tls: {clusterIssuer: le}}");
    var web = await()
        .atMost(WAIT)
        .until(
            () -> cluster
                .client()
                .network()
                .v1()
                .ingresses()
                .inNamespace(ns)
                .withName("team-web")
                .get(),
            java.util.Objects::nonNull);
    // what cert-manager does for the Ingress: a Certificate it owns, then the Secret
    certificate(ns, "team-tls", web);
    tlsSecret(
        ns,
        "team-tls",
        Map.of(
            NameConflicts.CERTIFICATE_NAME,
            "team-tls",
            "cert-manager.io/issuer-name",
            "le",
            "cert-manager.io/issuer-kind",
            "ClusterIssuer"));
    MockCluster.edit(
        cluster.client().resources(LoomioDeployment.class).inNamespace(ns).withName("team"), x -> {
          x.getSpec().setSiteName("Team");
          return x;
        });
    await().atMost(WAIT).untilAsserted(() -> {
      LoomioDeployment r = cluster.get(ns, "team");
      assertThat(r.getStatus()).isNotNull();
      assertThat(r.getStatus().getObservedGeneration())
          .isEqualTo(r.getMetadata().getGeneration());
      assertThat(degraded(ns).getStatus()).as(degraded(ns).getMessage()).isEqualTo("False");
    });
    assertThat(cluster
            .client()
            .network()
            .v1()
            .ingresses()
            .inNamespace(ns)
            .withName("team-web")
            .get())
        .isNotNull();
  }

  @Test
  void withoutAnIssuerTheStacksTlsSecretIsSomeonesAndNeedsTheirConsent() {
    String ns = "tls-manual";
    cluster.namespace(ns);
    HasMetadata shop = tlsSecret(ns, "team-tls", Map.of());
    Map<String, String> before = snapshot(List.of(shop));
    createStack(ns, "host: team.example.org\ningress: {className: nginx}");
    awaitDegraded(ns, DegradedReason.CONSENT_REQUIRED.value());
    assertThat(degraded(ns).getMessage())
        .startsWith("Secret team-tls (spec.ingress.tls.secretName, by default) is not"
            + " marked for use by LoomioDeployment team");
    assertThat(
            cluster.client().network().v1().ingresses().inNamespace(ns).list().getItems())
        .isEmpty();
    assertThat(snapshot(List.of(shop))).isEqualTo(before);
    MockCluster.edit(cluster.client().secrets().inNamespace(ns).withName("team-tls"), x -> {
      x.getMetadata().setAnnotations(Map.of(ReferencedSecrets.CONSENT, "team"));
      return x;
    });
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(cluster
                .client()
                .network()
                .v1()
                .ingresses()
                .inNamespace(ns)
                .withName("team-web")
                .get())
            .isNotNull());
  }

  private static org.loomio.operator.api.v1alpha1.SecretEnvVarSpec secretEnv(
      String name, String secret, String key) {
    var e = new org.loomio.operator.api.v1alpha1.SecretEnvVarSpec();
    e.setName(name);
    e.setSecretKeyRef(new org.loomio.operator.api.v1alpha1.SecretKeyRef(secret, key));
    return e;
  }

  private static io.fabric8.kubernetes.api.model.Condition degraded(String ns) {
    return Conditions.find(cluster.get(ns, "team").getStatus().getConditions(), Conditions.DEGRADED)
        .orElseThrow();
  }

  private static void awaitDegraded(String ns, String reason) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
      LoomioDeployment r = cluster.get(ns, "team");
      assertThat(r.getStatus()).isNotNull();
      assertThat(Conditions.find(r.getStatus().getConditions(), Conditions.DEGRADED))
          .hasValueSatisfying(
              c -> assertThat(c.getStatus() + " " + c.getReason()).isEqualTo("True " + reason));
    });
  }

  /** Each object as the server holds it now, whole (resourceVersion included): byte-identical means untouched. */
  private static Map<String, String> snapshot(List<HasMetadata> objects) {
    Map<String, String> now = new LinkedHashMap<>();
    for (HasMetadata o : objects) {
      HasMetadata current = cluster.client().resource(o).get();
      now.put(
          o.getKind() + "/" + o.getMetadata().getName(),
          current == null ? "<gone>" : Serialization.asJson(current));
    }
    return now;
  }
}
