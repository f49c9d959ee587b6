package org.loomio.operator.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HostPathVolumeSource;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.Defaults;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.model.SecretDigests;
import org.loomio.operator.testing.Fixtures;
import org.loomio.operator.testing.HardeningChecklist;

/**
 * Every pod of every rendered stack, for many different specs and cluster versions, holds the hardening
 * checklist. A new workload, a new option or a new code path that forgets a rule fails here.
 */
class HardeningInvariantTest {

  private static final String DIGEST = "sha256:" + "ab".repeat(32);
  /** An operator that pins its own image (the chart's image.digest), which backup pods run. */
  private static final ImageDefaults PINNED_AGENT = ImageDefaults.BUILT_IN.withAgent(
      new ImageDefaults.Ref(Defaults.AGENT_REPOSITORY, Defaults.agentTag(), DIGEST));

  static Stream<Arguments> specs() {
    List<Arguments> cases = new ArrayList<>();
    add(cases, "minimal", "host: a.example.org", "1.34", false);
    add(cases, "minimal on Kubernetes 1.20", "host: a.example.org", "1.20", false);
    add(cases, "minimal on Kubernetes 1.27", "host: a.example.org", "1.27", false);
    add(cases, "s3 with several web and hocuspocus pods", """
        host: a.example.org
        web: {replicas: 3}
        hocuspocus: {replicas: 2}
        storage:
          s3: {endpoint: https://s3.example.org, bucket: uploads, credentialsSecretRef: {name: s3}, caSecretRef: {name: s3-ca, key: ca.crt}}
        """, "1.34", false);
    add(cases, "several pods on Kubernetes 1.20 (no policy/v1)", """
        host: a.example.org
        web: {replicas: 2}
        storage: {volume: {accessMode: ReadWriteMany}}
        """, "1.20", false);
    add(
        cases,
        "several pods on Kubernetes 1.25 (no unhealthyPodEvictionPolicy)",
        """
        host: a.example.org
        web: {replicas: 2}
        storage: {volume: {accessMode: ReadWriteMany}}
        """,
        "1.25",
        false);
    add(
        cases,
        "CloudNativePG database with continuous backup (its instances are CloudNativePG's pods)",
        """
        host: a.example.org
        database:
          cloudNativePG:
            backup: {s3: {endpoint: "https://s3.example.org", bucket: wal, credentialsSecretRef: {name: s3}}}
        backup: {s3: {endpoint: "https://s3.example.org", bucket: b, credentialsSecretRef: {name: s3}}}
        """,
        "1.34",
        false);
    add(cases, "external database, no redis", """
        host: a.example.org
        database:
          external: {host: pg.example.org, passwordSecretRef: {name: pg, key: password}, caSecretRef: {name: pg-ca, key: ca.crt}, version: 16}
        redis: {mode: none}
        """, "1.34", false);
    add(cases, "external redis, hocuspocus off", """
        host: a.example.org
        redis: {mode: external, external: {urlSecretRef: {name: redis, key: url}}}
        hocuspocus: {enabled: false}
        """, "1.34", false);
    // the backup agent is the operator's own image: pinned by the operator (PINNED_AGENT), never by
    // the spec
    add(cases, "every image pinned by digest", """
        host: a.example.org
        image: {tag: "3.5.1", digest: %s}
        database: {embedded: {image: {digest: %s}}}
        redis: {embedded: {image: {digest: %s}}}
        """.formatted(DIGEST, DIGEST, DIGEST), "1.34", true);
    add(cases, "backups off-site with a passphrase, no volume", """
        host: a.example.org
        backup:
          schedule: "30 2 * * 1-5"
          timeZone: Europe/Berlin
          volume: {enabled: false}
          s3: {endpoint: https://s3.example.org, bucket: backups, credentialsSecretRef: {name: s3}, serverSideEncryption: AES256}
          encryption: {mode: Passphrase, passphraseSecretRef: {name: backup-pass, key: passphrase}}
        """, "1.34", false);
    add(cases, "backups off, own recipients", """
        host: a.example.org
        backup: {enabled: false, encryption: {recipientsConfigMapRef: {name: keys, key: team.asc}}}
        """, "1.34", false);
    add(cases, "custom resources and pod options", """
        host: a.example.org
        uploadLimitMB: 2048
        web:
          resources: {limits: {cpu: 500m, memory: 512Mi}}
          pod:
            nodeSelector: {pool: loomio}
            tolerations: [{key: dedicated, operator: Equal, value: loomio, effect: NoSchedule}]
            priorityClassName: high
            annotations: {example.org/team: decisions}
            labels: {team: decisions}
            affinity:
              nodeAffinity:
                requiredDuringSchedulingIgnoredDuringExecution:
                  nodeSelectorTerms: [{matchExpressions: [{key: pool, operator: In, values: [loomio]}]}]
        worker: {concurrency: 4, resources: {requests: {cpu: "1"}, limits: {cpu: "2", memory: 3Gi, ephemeral-storage: 8Gi}}}
        database: {embedded: {version: 16, storage: {size: 50Gi, storageClassName: fast}, resources: {limits: {memory: 4Gi}}}}
        redis: {embedded: {maxMemory: 1Gi}}
        """, "1.34", false);
    add(cases, "mail, features, env and existing secret", """
        host: a.example.org
        smtp: {host: smtp.example.org, port: 465, username: loomio, passwordSecretRef: {name: smtp, key: password}}
        features: {disableCreateUser: true, allowRobots: false}
        env: [{name: THEME_PRIMARY_COLOR, value: "#2e7d32"}]
        secretEnv: [{name: OAUTH_APP_SECRET, secretKeyRef: {name: oauth, key: secret}}]
        secrets: {existingSecret: my-secrets}
        """, "1.34", false);
    add(cases, "ingress-nginx with cert-manager", """
        host: a.example.org
        ingress: {className: nginx, tls: {clusterIssuer: letsencrypt}, nginxControllerConfigMap: ingress-nginx/ingress-nginx-controller}
        """, "1.34", false);
    add(cases, "Traefik with its own certificate", """
        host: a.example.org
        ingress: {className: traefik, tls: {secretName: a-tls}}
        """, "1.34", false);
    add(cases, "Gateway API, NetworkPolicies off", """
        host: a.example.org
        gateway: {name: public}
        networkPolicy: {enabled: false}
        """, "1.34", false);
    add(cases, "paused (no web, no worker)", """
        host: a.example.org
        web: {replicas: 0}
        worker: {replicas: 0}
        hocuspocus: {replicas: 0}
        """, "1.34", false);
    return cases.stream();
  }

  private static void add(
      List<Arguments> cases, String name, String spec, String version, boolean pinned) {
    cases.add(Arguments.of(name, spec, version, pinned));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("specs")
  void everyPodHoldsTheChecklist(String name, String spec, String version, boolean pinned) {
    LoomioDeployment resource = Fixtures.resource("team", spec);
    ClusterCapabilities cluster = ClusterCapabilities.forVersion(version);
    ImageDefaults images = pinned ? PINNED_AGENT : ImageDefaults.BUILT_IN;
    Stack stack = StackRenderer.render(
        resource, images, cluster, Fixtures.credentials(resource), SecretDigests.none());
    assertThat(HardeningChecklist.check(stack, cluster, pinned)).as(name).isEmpty();
  }

  @Test
  void examplesHoldTheChecklist() throws Exception {
    try (var files = java.nio.file.Files.list(Fixtures.examplesDir())) {
      List<java.nio.file.Path> examples =
          files.filter(p -> p.toString().endsWith(".yaml")).toList();
      assertThat(examples).isNotEmpty();
      for (var path : examples) {
        LoomioDeployment resource = Fixtures.appliedIn(path, "loomio");
        ClusterCapabilities cluster = ClusterCapabilities.newest();
        Stack stack = Fixtures.render(resource, cluster);
        boolean pinned = ResolvedSpec.of(resource, ImageDefaults.BUILT_IN).loomioDigestPinned()
            && !ResolvedSpec.of(resource, ImageDefaults.BUILT_IN).redis().embedded()
            && !ResolvedSpec.of(resource, ImageDefaults.BUILT_IN).database().embedded();
        assertThat(HardeningChecklist.check(stack, cluster, pinned))
            .as(path.toString())
            .isEmpty();
      }
    }
  }

  /** The checker is not vacuous: each kind of weakening of a rendered pod is caught by its rule. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("weakenings")
  void theChecklistCatchesWeakenedPods(String rule, Consumer<Deployment> weaken) {
    LoomioDeployment resource = Fixtures.minimal("team");
    Stack stack = Fixtures.render(resource);
    Deployment web = stack.get(Deployment.class, "team-web").orElseThrow();
    weaken.accept(web);
    assertThat(HardeningChecklist.check(stack, ClusterCapabilities.newest(), false))
        .anySatisfy(
            f -> assertThat(f).startsWith("Deployment/team-web").contains(": " + rule + " "));
  }

  @Test
  void theChecklistCatchesAnOpenNetworkAndAWeakEdge() {
    Stack stack = Fixtures.render(Fixtures.resource(
        "team", "host: a.example.org\ningress: {className: nginx, tls: {secretName: t}}"));
    List<io.fabric8.kubernetes.api.model.HasMetadata> objects = new ArrayList<>(stack.objects());
    objects.removeIf(o -> o.getMetadata().getName().equals("team-default-deny")
        || o.getMetadata().getName().equals("team-worker")
            && o instanceof io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy);
    var ingress = (io.fabric8.kubernetes.api.model.networking.v1.Ingress) objects.stream()
        .filter(o -> o instanceof io.fabric8.kubernetes.api.model.networking.v1.Ingress)
        .findFirst()
        .orElseThrow();
    ingress
        .getMetadata()
        .getAnnotations()
        .put("nginx.ingress.kubernetes.io/server-snippet", "return 200;");
    ingress.getSpec().getTls().get(0).setSecretName(null);
    Stack weakened =
        new Stack(objects, stack.omissions(), stack.image(), stack.version(), stack.migrationJob());
    assertThat(HardeningChecklist.check(weakened, ClusterCapabilities.newest(), false))
        .anySatisfy(f -> assertThat(f).startsWith("Deployment/team-web").contains(": R30 "))
        .anySatisfy(f -> assertThat(f).startsWith("Deployment/team-worker").contains(": R31 "))
        .anySatisfy(f -> assertThat(f).startsWith("Ingress/team-web").contains(": R34 "))
        .anySatisfy(f -> assertThat(f).startsWith("Ingress/team-web").contains(": R33 "));
  }

  static Stream<Arguments> weakenings() {
    return Stream.of(
        Arguments.of("R02", (Consumer<Deployment>)
            d -> d.getSpec().getTemplate().getSpec().setHostNetwork(true)),
        Arguments.of("R03", (Consumer<Deployment>) d -> d.getSpec()
            .getTemplate()
            .getSpec()
            .getVolumes()
            .add(new VolumeBuilder()
                .withName("host")
                .withHostPath(new HostPathVolumeSource("/", null))
                .build())),
        Arguments.of("R04", (Consumer<Deployment>)
            d -> container(d).getSecurityContext().setPrivileged(true)),
        Arguments.of("R05", (Consumer<Deployment>)
            d -> init(d).getSecurityContext().setAllowPrivilegeEscalation(null)),
        Arguments.of("R06", (Consumer<Deployment>)
            d -> d.getSpec().getTemplate().getSpec().getSecurityContext().setRunAsNonRoot(false)),
        Arguments.of("R07", (Consumer<Deployment>)
            d -> container(d).getSecurityContext().setRunAsUser(1000L)),
        Arguments.of("R08", (Consumer<Deployment>)
            d -> d.getSpec().getTemplate().getSpec().getSecurityContext().setFsGroup(0L)),
        Arguments.of("R09", (Consumer<Deployment>) d -> container(d)
            .getSecurityContext()
            .setCapabilities(new Capabilities(List.of("NET_ADMIN"), List.of("ALL")))),
        Arguments.of("R10", (Consumer<Deployment>)
            d -> d.getSpec().getTemplate().getSpec().getSecurityContext().setSeccompProfile(null)),
        Arguments.of("R12", (Consumer<Deployment>) d -> d.getSpec()
            .getTemplate()
            .getSpec()
            .getSecurityContext()
            .setSysctls(List.of(new Sysctl("kernel.shm_rmid_forced", "1")))),
        Arguments.of("R14", (Consumer<Deployment>)
            d -> init(d).getSecurityContext().setReadOnlyRootFilesystem(false)),
        Arguments.of("R15", (Consumer<Deployment>)
            d -> init(d).getResources().getLimits().remove("memory")),
        Arguments.of("R16", (Consumer<Deployment>) d -> d.getSpec()
            .getTemplate()
            .getSpec()
            .getVolumes()
            .get(0)
            .setEmptyDir(new EmptyDirVolumeSource())),
        Arguments.of(
            "R17", (Consumer<Deployment>) d -> container(d).setImage("loomio/loomio:latest")),
        Arguments.of("R19", (Consumer<Deployment>)
            d -> d.getSpec().getTemplate().getSpec().setAutomountServiceAccountToken(null)),
        Arguments.of("R20", (Consumer<Deployment>)
            d -> d.getSpec().getTemplate().getSpec().setServiceAccountName("default")),
        Arguments.of("R22", (Consumer<Deployment>)
            d -> container(d).getEnv().add(new EnvVar("SMTP_PASSWORD", "hunter2", null))),
        Arguments.of("R23", (Consumer<Deployment>)
            d -> container(d).setLivenessProbe(container(d).getReadinessProbe())),
        Arguments.of("R24", (Consumer<Deployment>) d -> container(d)
            .getReadinessProbe()
            .getHttpGet()
            .setPort(new io.fabric8.kubernetes.api.model.IntOrString("nope"))),
        Arguments.of("R15", (Consumer<Deployment>)
            d -> container(d).getResources().getRequests().put("cpu", new Quantity("8"))),
        Arguments.of("R27", (Consumer<Deployment>) d -> {
          d.getSpec().setReplicas(2);
          d.getSpec().getTemplate().getSpec().getAffinity().setPodAntiAffinity(null);
        }),
        Arguments.of("R28", (Consumer<Deployment>)
            d -> d.getSpec().getTemplate().getSpec().setTopologySpreadConstraints(null)),
        Arguments.of("R29", (Consumer<Deployment>)
            d -> d.getSpec().getSelector().setMatchLabels(Map.of("app", "other"))));
  }

  private static io.fabric8.kubernetes.api.model.Container container(Deployment d) {
    return d.getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  private static io.fabric8.kubernetes.api.model.Container init(Deployment d) {
    return d.getSpec().getTemplate().getSpec().getInitContainers().get(0);
  }
}
