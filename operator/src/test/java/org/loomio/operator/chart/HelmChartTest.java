package org.loomio.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.reconcile.OperatorPermissions;
import org.loomio.operator.render.Stack;
import org.loomio.operator.testing.HardeningChecklist;

/**
 * The Helm chart, rendered by the real Helm engine: it lints strictly, renders valid objects for the
 * default, namespaced, ServiceMonitor, PDB and HA options, its pod passes the hardening rules, its RBAC is
 * exactly what the code needs, its schema refuses bad values, and it ships the CRD the build generates.
 */
class HelmChartTest {

  private static final String DIGEST = "sha256:" + "c".repeat(64);

  @Test
  void lintsStrictly() {
    LintResult result = new Helm(Chart.DIR).lint().strict().call();
    assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
  }

  @Test
  void versionsAreTheMavenVersion() {
    Map<String, Object> chart = Chart.yaml(Chart.DIR.resolve("Chart.yaml"));
    String maven = System.getProperty("project.version");
    assertThat(maven).as("surefire passes project.version").isNotBlank();
    assertThat(chart.get("version")).isEqualTo(maven);
    assertThat(chart.get("appVersion")).isEqualTo(maven);
    assertThat(chart.get("apiVersion")).isEqualTo("v2");
  }

  @Test
  void shipsTheGeneratedCrds() throws IOException {
    for (String file : List.of(
        "loomiodeployments.loomio.org-v1.yml",
        "loomiobackups.loomio.org-v1.yml",
        "loomiorestores.loomio.org-v1.yml")) {
      assertThat(Files.readString(Chart.DIR.resolve("crds").resolve(file)))
          .as(
              "helm/loomio-operator/crds/%s is stale: run mvn -pl operator -Pupdate-crds process-classes",
              file)
          .isEqualTo(Files.readString(Path.of("target/classes/META-INF/fabric8", file)));
    }
  }

  @Test
  void everyValueIsCommented() throws IOException {
    // a value is documented by a comment line right above it or above one of its parent keys
    List<String> lines = Files.readAllLines(Chart.DIR.resolve("values.yaml"));
    List<String> bare = new ArrayList<>();
    java.util.Deque<int[]> parents = new java.util.ArrayDeque<>(); // {indent, commented}
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (!line.matches("^\\s*[A-Za-z][\\w.-]*:.*$")) {
        continue;
      }
      int indent = line.length() - line.stripLeading().length();
      while (!parents.isEmpty() && parents.peek()[0] >= indent) {
        parents.pop();
      }
      boolean commented = i > 0 && lines.get(i - 1).trim().startsWith("#")
          || parents.stream().anyMatch(p -> p[1] == 1);
      boolean leaf = line.matches("^\\s*[A-Za-z][\\w.-]*:\\s*\\S.*$");
      if (leaf && !commented) {
        bare.add(line.trim());
      }
      if (!leaf) {
        parents.push(new int[] {indent, commented ? 1 : 0});
      }
    }
    assertThat(bare).as("values without a comment line above them").isEmpty();
  }

  @Test
  void defaultsRenderAHardenedClusterWideOperator() {
    List<HasMetadata> objects = Chart.template(null);
    assertThat(objects)
        .extracting(HasMetadata::getKind)
        .containsExactlyInAnyOrder(
            "ServiceAccount",
            "ClusterRole",
            "ClusterRoleBinding",
            "Service",
            "Deployment",
            "NetworkPolicy",
            "NetworkPolicy");
    Deployment deployment = Chart.one(objects, Deployment.class);
    Container c = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getImage())
        .isEqualTo(
            "ghcr.io/loomio-operator/loomio-operator:" + System.getProperty("project.version"));
    assertThat(c.getImagePullPolicy()).isEqualTo("IfNotPresent");
    assertThat(env(c))
        .containsEntry("WATCH_NAMESPACES", "")
        .containsEntry("LEADER_ELECTION", "false")
        .containsEntry("LOG_FORMAT", "text")
        .containsEntry("RESYNC_PERIOD", "10m");
    assertThat(hardening(objects, false)).isEmpty();
    ClusterRoleBinding binding = Chart.one(objects, ClusterRoleBinding.class);
    assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
      assertThat(s.getName())
          .isEqualTo(deployment.getSpec().getTemplate().getSpec().getServiceAccountName());
      assertThat(s.getNamespace()).isEqualTo(Chart.NAMESPACE);
    });
    Service metrics = Chart.one(objects, Service.class);
    assertThat(metrics.getSpec().getPorts())
        .singleElement()
        .satisfies(p -> assertThat(p.getPort()).isEqualTo(8080));
  }

  @Test
  void theOperatorPodUsesAProjectedTokenNotAnAutomountedOne() {
    List<HasMetadata> objects = Chart.template(null);
    var pod = Chart.one(objects, Deployment.class).getSpec().getTemplate().getSpec();
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    assertThat(Chart.one(objects, ServiceAccount.class).getAutomountServiceAccountToken())
        .isFalse();
    var token = pod.getVolumes().stream()
        .filter(v -> v.getProjected() != null)
        .findFirst()
        .orElseThrow();
    assertThat(token.getProjected().getSources())
        .anySatisfy(s -> assertThat(s.getServiceAccountToken().getExpirationSeconds())
            .isLessThanOrEqualTo(3607L));
    assertThat(pod.getContainers().get(0).getVolumeMounts()).anySatisfy(m -> {
      assertThat(m.getName()).isEqualTo(token.getName());
      assertThat(m.getMountPath()).isEqualTo("/var/run/secrets/kubernetes.io/serviceaccount");
    });
  }

  @Test
  void aPinnedImageAndTwoReplicasPassEveryRuleToo() {
    List<HasMetadata> objects = Chart.template("""
        image: {digest: %s}
        replicaCount: 2
        podDisruptionBudget: {enabled: true}
        priorityClassName: system-cluster-critical
        """.formatted(DIGEST), "1.34.0");
    Container c = Chart.one(objects, Deployment.class)
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0);
    assertThat(c.getImage()).endsWith("@" + DIGEST);
    assertThat(c.getImagePullPolicy()).isEqualTo("Always");
    assertThat(env(c))
        .containsEntry("LEADER_ELECTION", "true")
        .containsEntry("LEASE_NAME", "loomio-operator");
    assertThat(hardening(objects, true)).isEmpty();
    PodDisruptionBudget pdb = Chart.one(objects, PodDisruptionBudget.class);
    assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    assertThat(Chart.template("podDisruptionBudget: {enabled: true}\n", "1.20.2"))
        .as("Kubernetes 1.20 serves policy/v1beta1 only")
        .anySatisfy(o -> {
          assertThat(o.getKind()).isEqualTo("PodDisruptionBudget");
          assertThat(o.getApiVersion()).isEqualTo("policy/v1beta1");
        });
  }

  @Test
  void namespacedModeGrantsRolesInTheWatchedNamespacesOnly() {
    List<HasMetadata> objects = Chart.template("watchNamespaces: [team-a, team-b]\n");
    assertThat(Chart.all(objects, ClusterRole.class)).isEmpty();
    assertThat(Chart.all(objects, ClusterRoleBinding.class)).isEmpty();
    assertThat(Chart.all(objects, Role.class))
        .extracting(r -> r.getMetadata().getNamespace())
        .containsExactlyInAnyOrder("team-a", "team-b");
    assertThat(Chart.all(objects, RoleBinding.class))
        .extracting(r -> r.getMetadata().getNamespace())
        .containsExactlyInAnyOrder("team-a", "team-b");
    for (Role role : Chart.all(objects, Role.class)) {
      assertThat(flatten(role.getRules()))
          .isEqualTo(OperatorPermissions.flatten(OperatorPermissions.inWatchedNamespaces()));
    }
    Container c = Chart.one(objects, Deployment.class)
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0);
    assertThat(env(c)).containsEntry("WATCH_NAMESPACES", "team-a,team-b");
  }

  @Test
  void rbacIsExactlyWhatTheCodeNeeds() {
    ClusterRole role = Chart.one(Chart.template(null), ClusterRole.class);
    assertThat(flatten(role.getRules()))
        .as("the ClusterRole must grant exactly OperatorPermissions.inWatchedNamespaces()")
        .isEqualTo(OperatorPermissions.flatten(OperatorPermissions.inWatchedNamespaces()));

    List<HasMetadata> ha = Chart.template("replicaCount: 2\n");
    Role lease = Chart.all(ha, Role.class).stream()
        .filter(r -> r.getMetadata().getName().endsWith("-leader-election"))
        .findFirst()
        .orElseThrow();
    assertThat(lease.getMetadata().getNamespace()).isEqualTo(Chart.NAMESPACE);
    assertThat(flatten(lease.getRules()))
        .isEqualTo(OperatorPermissions.flatten(OperatorPermissions.forLeaderElection()));
    assertThat(lease.getRules())
        .filteredOn(r -> r.getVerbs().contains("update"))
        .allSatisfy(r -> assertThat(r.getResourceNames()).containsExactly("loomio-operator"));
    assertThat(Chart.all(Chart.template(null), Role.class))
        .as("no Lease rights without leader election")
        .isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "watchNamespaces: [a]\n", "replicaCount: 3\n"})
  void rbacHasNoWildcardsNorDangerousRights(String values) {
    for (HasMetadata o : Chart.template(values)) {
      List<PolicyRule> rules = o instanceof ClusterRole cr
          ? cr.getRules()
          : o instanceof Role r ? r.getRules() : List.of();
      for (PolicyRule rule : rules) {
        assertThat(rule.getApiGroups()).doesNotContain("*");
        assertThat(rule.getResources())
            .doesNotContain(
                "*",
                "pods/exec",
                "pods/attach",
                "pods/portforward",
                "nodes",
                "clusterroles",
                "roles",
                "rolebindings",
                "clusterrolebindings",
                "serviceaccounts/token");
        if (rule.getResources().contains("pods")) {
          assertThat(rule.getVerbs())
              .as("pods are only read (termination messages)")
              .isSubsetOf("get", "list", "watch");
        }
        assertThat(rule.getVerbs())
            .doesNotContain("*", "escalate", "bind", "impersonate", "deletecollection");
        assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
      }
    }
  }

  @Test
  void serviceMonitorIsOptional() {
    assertThat(Chart.kind(Chart.template(null), "ServiceMonitor")).isEmpty();
    HasMetadata monitor = Chart.kind(Chart.template("""
        metrics:
          serviceMonitor: {enabled: true, interval: 15s, labels: {release: prometheus}}
        """), "ServiceMonitor").orElseThrow();
    assertThat(monitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "prometheus");
    assertThat(monitor.getMetadata().getNamespace()).isEqualTo(Chart.NAMESPACE);
  }

  @Test
  void operatorSettingsReachTheContainer() {
    List<HasMetadata> objects = Chart.template("""
        operator:
          logLevel: debug
          logFormat: json
          resyncPeriod: 5m
          reconcileThreads: 6
          defaultImages:
            loomio: registry.example.org/mirror/loomio:3.5.2
            postgresRepository: registry.example.org/mirror/postgres
            redis: registry.example.org/mirror/redis:8.4
        extraEnv: [{name: HTTPS_PROXY, value: "http://proxy.example.org:3128"}]
        nodeSelector: {kubernetes.io/os: linux}
        tolerations: [{key: dedicated, operator: Equal, value: operators, effect: NoSchedule}]
        """);
    var pod = Chart.one(objects, Deployment.class).getSpec().getTemplate().getSpec();
    assertThat(env(pod.getContainers().get(0)))
        .containsEntry("LOG_LEVEL", "debug")
        .containsEntry("LOG_FORMAT", "json")
        .containsEntry("RESYNC_PERIOD", "5m")
        .containsEntry("RECONCILE_THREADS", "6")
        .containsEntry("DEFAULT_LOOMIO_IMAGE", "registry.example.org/mirror/loomio:3.5.2")
        .containsEntry("DEFAULT_POSTGRES_REPOSITORY", "registry.example.org/mirror/postgres")
        .containsEntry("DEFAULT_REDIS_IMAGE", "registry.example.org/mirror/redis:8.4")
        .containsEntry("HTTPS_PROXY", "http://proxy.example.org:3128");
    assertThat(pod.getNodeSelector()).containsEntry("kubernetes.io/os", "linux");
    assertThat(pod.getTolerations())
        .singleElement()
        .satisfies(t -> assertThat(t.getKey()).isEqualTo("dedicated"));
    assertThat(hardening(objects, false)).isEmpty();
  }

  @Test
  void tenancyValuesReachTheContainerAndDefaultToNoWeakening() {
    var defaults = env(Chart.one(Chart.template(null), Deployment.class)
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0));
    assertThat(defaults)
        .containsEntry("ALLOWED_IMAGE_REPOSITORIES", "")
        .containsEntry("BUILT_IN_IMAGE_REPOSITORIES", "true")
        .containsEntry("ALLOW_SECURITY_ANNOTATIONS", "false")
        .containsEntry("ALLOW_SYSTEM_PRIORITY_CLASSES", "false")
        .containsEntry("ALLOW_CONTROL_PLANE_TOLERATIONS", "false")
        .containsEntry("REQUIRE_CONSENT", "true")
        .containsEntry("NGINX_CONTROLLER_CONFIGMAP", "")
        .containsEntry("ALLOWED_POD_ANNOTATIONS", "");
    var set = env(Chart.one(Chart.template("""
        tenancy:
          allowedImageRepositories: [registry.example.org/mirror/*, quay.io/acme/loomio, "*"]
          builtInImageRepositories: false
          allowSecurityAnnotations: true
          allowedPodAnnotations: [example.org/*, cluster-autoscaler.kubernetes.io/safe-to-evict]
          allowSystemPriorityClasses: true
          allowControlPlaneTolerations: true
          requireSecretConsent: false
          nginxControllerConfigMap: ingress-nginx/ingress-nginx-controller
        """), Deployment.class)
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0));
    assertThat(set)
        .containsEntry(
            "ALLOWED_IMAGE_REPOSITORIES", "registry.example.org/mirror/*,quay.io/acme/loomio,*")
        .containsEntry("BUILT_IN_IMAGE_REPOSITORIES", "false")
        .containsEntry("ALLOW_SECURITY_ANNOTATIONS", "true")
        .containsEntry("ALLOW_SYSTEM_PRIORITY_CLASSES", "true")
        .containsEntry("ALLOW_CONTROL_PLANE_TOLERATIONS", "true")
        .containsEntry("REQUIRE_CONSENT", "false")
        .containsEntry(
            "ALLOWED_POD_ANNOTATIONS",
            "example.org/*,cluster-autoscaler.kubernetes.io/safe-to-evict")
        .containsEntry("NGINX_CONTROLLER_CONFIGMAP", "ingress-nginx/ingress-nginx-controller");
  }

  @Test
  void onlyTheNamedIngressNginxConfigMapIsReadableOutsideTheWatchedNamespaces() {
    var objects = Chart.template(
        "watchNamespaces: [team]\ntenancy: {nginxControllerConfigMap: ingress-nginx/controller}\n");
    var role = objects.stream()
        .filter(o -> o instanceof Role && o.getMetadata().getNamespace().equals("ingress-nginx"))
        .map(Role.class::cast)
        .findFirst()
        .orElseThrow();
    assertThat(role.getRules()).singleElement().satisfies(r -> {
      assertThat(r.getResources()).containsExactly("configmaps");
      assertThat(r.getResourceNames()).containsExactly("controller");
      assertThat(r.getVerbs()).containsExactly("get");
    });
    assertThat(objects)
        .filteredOn(o ->
            o instanceof RoleBinding && "ingress-nginx".equals(o.getMetadata().getNamespace()))
        .hasSize(1);
    assertThat(Chart.template("watchNamespaces: [team]\n"))
        .noneMatch(o -> "ingress-nginx".equals(o.getMetadata().getNamespace()));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "replicas: 2\n", // unknown key (it is replicaCount)
        "replicaCount: two\n", // wrong type
        "operator: {logFormat: xml}\n", // not an allowed value
        "operator: {resyncPeriod: soon}\n",
        "operator: {reconcileThreads: 0}\n",
        "operator: {reconcileThreads: 201}\n",
        "image: {digest: sha256:abc}\n",
        "operator: {defaultImages: {loomio: loomio/loomio}}\n", // no tag
        "watchNamespaces: [Team_A]\n",
        "metrics: {port: 70000}\n",
        "resources: {requests: {cpu: lots}}\n",
        "leaderElection: {enabled: maybe}\n",
        "tenancy: {allowedImageRepositories: registry.example.org/mirror}\n", // a list
        "tenancy: {allowedImageRepositories: [\"registry.example.org/mirror*\"]}\n",
        "tenancy: {allowedImageRepositories: [Registry.example.org/x]}\n",
        "tenancy: {allowSecurityAnnotations: \"yes\"}\n",
        "tenancy: {requireNothing: true}\n",
        "tenancy: {nginxControllerConfigMap: controller}\n", // no namespace
        "tenancy: {requireSecretConsent: \"no\"}\n",
        "networkPolicy: {apiServer: {cidrs: [10.0.0.1]}}\n", // no prefix length
        "networkPolicy: {apiServer: {cidrs: [999.0.0.1/32]}}\n",
        "networkPolicy: {apiServer: {ports: []}}\n",
        "networkPolicy: {ingressNamespaces: [Monitoring]}\n",
        "networkPolicy: {enabled: \"yes\"}\n",
        "jvmOptions: \"\"\n",
        "jvmOptions: \"   \"\n",
        "jvmOptions: [-XX:+UseSerialGC]\n"
      })
  void theSchemaRefusesBadValues(String values) {
    assertThatThrownBy(() -> Chart.render(values))
        .hasMessageContaining("values don't meet the specifications");
  }

  @Test
  void theImageRecipeMatchesWhatTheChartRuns() throws IOException {
    String dockerfile = Files.readString(Path.of("Dockerfile"));
    var pod = Chart.one(Chart.template(null), Deployment.class)
        .getSpec()
        .getTemplate()
        .getSpec();
    long uid = pod.getSecurityContext().getRunAsUser();
    assertThat(dockerfile)
        .contains("USER " + uid + ":" + pod.getSecurityContext().getRunAsGroup());
    assertThat(dockerfile)
        .contains("ENTRYPOINT [\"java\", \"-XX:SharedArchiveFile=/app/loomio-operator.jsa\","
            + " \"-Xshare:auto\", \"-jar\", \"/app/loomio-operator.jar\"]");
    // the class-data sharing archive: written in the runtime stage by its JVM, from the same jar,
    // before the image drops root, with the collector the chart runs
    Matcher training = Pattern.compile("(?m)^RUN \\[\"java\", (.*), \"-XX:ArchiveClassesAtExit="
            + "/app/loomio-operator.jsa\", (.*)\"-jar\", \"/app/loomio-operator.jar\","
            + " \"cds-training\"\\]$")
        .matcher(dockerfile);
    assertThat(training.find()).as("the training run in the Dockerfile").isTrue();
    assertThat(dockerfile.indexOf(training.group()))
        .as("after the runtime base, before USER " + uid)
        .isGreaterThan(dockerfile.indexOf("FROM gcr.io/distroless"))
        .isLessThan(dockerfile.indexOf("USER " + uid));
    String javaToolOptions = pod.getContainers().get(0).getEnv().stream()
        .filter(e -> e.getName().equals("JAVA_TOOL_OPTIONS"))
        .findFirst()
        .orElseThrow()
        .getValue();
    List<String> chartCollectors = Arrays.stream(javaToolOptions.split(" "))
        .filter(f -> f.matches("-XX:\\+Use\\w+GC"))
        .toList();
    assertThat(chartCollectors).hasSize(1);
    assertThat(training.group(1)).contains("\"" + chartCollectors.get(0) + "\"");
    assertThat(pod.getContainers().get(0).getArgs()).containsExactly("run");
    assertThat(dockerfile)
        .as("a JRE-only runtime base")
        .containsPattern("(?m)^FROM gcr.io/distroless/java17[^ ]*:nonroot$");
    assertThat(dockerfile)
        .as("the chart's default repository is documented")
        .contains(Chart.yaml(Chart.DIR.resolve("values.yaml"))
            .get("image")
            .toString()
            .replaceAll(".*repository=([^,}]+).*", "$1"));
  }

  /**
   * The JVM's options come from one value: by default the quick JIT compiler only, for the one CPU of the default
   * limit (docs/performance.md, "Seventh round"); a user with more CPUs replaces them without a second
   * JAVA_TOOL_OPTIONS entry.
   */
  @Test
  void theJvmOptionsAreOneValue() throws IOException {
    assertThat(javaToolOptions(Chart.template(null)))
        .contains("-XX:TieredStopAtLevel=1")
        .contains("-XX:+UseSerialGC")
        .contains("-XX:MaxRAMPercentage=60");
    String mine = "-XX:MaxRAMPercentage=60 -XX:+UseSerialGC -Djava.io.tmpdir=/tmp";
    assertThat(javaToolOptions(Chart.template("jvmOptions: \"" + mine + "\"\n")))
        .isEqualTo(mine);
  }

  /**
   * Before jvmOptions, the chart's README suggested JAVA_TOOL_OPTIONS in extraEnv; such an entry is refused with a
   * pointer, and an upgrade that reuses old values without jvmOptions fails instead of starting a JVM without
   * options.
   */
  @Test
  void jvmOptionsAreNeitherDuplicatedNorLostOnAnUpgrade() {
    assertThatThrownBy(
            () -> Chart.render("extraEnv: [{name: JAVA_TOOL_OPTIONS, value: \"-XX:+UseG1GC\"}]\n"))
        .hasMessageContaining("extraEnv sets JAVA_TOOL_OPTIONS")
        .hasMessageContaining("jvmOptions");
    assertThatThrownBy(() -> Chart.render("jvmOptions: null\n"))
        .hasMessageContaining("jvmOptions is not set")
        .hasMessageContaining("--reuse-values");
  }

  private static String javaToolOptions(List<HasMetadata> objects) {
    List<io.fabric8.kubernetes.api.model.EnvVar> env = Chart.one(objects, Deployment.class)
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .getEnv()
        .stream()
        .filter(e -> e.getName().equals("JAVA_TOOL_OPTIONS"))
        .toList();
    assertThat(env).as("one JAVA_TOOL_OPTIONS").hasSize(1);
    return env.get(0).getValue();
  }

  @Test
  void twoReplicasWithoutLeaderElectionAreRefused() {
    assertThatThrownBy(() -> Chart.render("replicaCount: 2\nleaderElection: {enabled: false}\n"))
        .hasMessageContaining("replicaCount > 1 needs leader election");
  }

  private static List<String> hardening(List<HasMetadata> objects, boolean pinned) {
    // R21 is about namespaced objects; ClusterRoles and their bindings have no namespace
    List<HasMetadata> namespaced = objects.stream()
        .filter(o -> !(o instanceof ClusterRole) && !(o instanceof ClusterRoleBinding))
        .toList();
    return HardeningChecklist.check(
        new Stack(namespaced, List.of(), "-", "-", "-"), ClusterCapabilities.newest(), pinned);
  }

  private static Map<String, String> env(Container c) {
    Map<String, String> env = new TreeMap<>();
    for (EnvVar e : c.getEnv()) {
      if (e.getValue() != null) {
        env.put(e.getName(), e.getValue());
      }
    }
    return env;
  }

  private static SortedMap<String, SortedSet<String>> flatten(List<PolicyRule> rules) {
    SortedMap<String, SortedSet<String>> flat = new TreeMap<>();
    for (PolicyRule rule : rules) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          flat.computeIfAbsent(group + "/" + resource, k -> new TreeSet<>())
              .addAll(rule.getVerbs());
        }
      }
    }
    return flat;
  }

  // --- the operator pod's NetworkPolicy ---

  private static io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy policy(
      List<HasMetadata> objects) {
    return policy(objects, Chart.RELEASE);
  }

  private static io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy policy(
      List<HasMetadata> objects, String name) {
    return Chart.all(objects, io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class)
        .stream()
        .filter(p -> p.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void theOperatorPodReachesOnlyDnsAndTheApiServerAndNobodyReachesItByDefault() {
    List<HasMetadata> objects = Chart.template(null);
    var p = policy(objects).getSpec();
    var podLabels = Chart.one(objects, Deployment.class)
        .getSpec()
        .getTemplate()
        .getMetadata()
        .getLabels();
    assertThat(podLabels).containsAllEntriesOf(p.getPodSelector().getMatchLabels());
    var deny = policy(objects, Chart.RELEASE + "-default-deny").getSpec();
    assertThat(podLabels).containsAllEntriesOf(deny.getPodSelector().getMatchLabels());
    assertThat(deny.getPolicyTypes()).containsExactly("Ingress", "Egress");
    assertThat(deny.getIngress()).isNullOrEmpty();
    assertThat(deny.getEgress()).isNullOrEmpty();
    assertThat(p.getPolicyTypes()).containsExactly("Ingress", "Egress");
    assertThat(p.getIngress()).as("nobody may connect").isEmpty();
    assertThat(p.getEgress()).hasSize(2);
    var dns = p.getEgress().get(0);
    assertThat(dns.getTo()).singleElement().satisfies(peer -> {
      assertThat(peer.getNamespaceSelector().getMatchLabels())
          .containsExactly(Map.entry("kubernetes.io/metadata.name", "kube-system"));
      assertThat(peer.getPodSelector().getMatchLabels())
          .containsExactly(Map.entry("k8s-app", "kube-dns"));
    });
    assertThat(dns.getPorts())
        .extracting(port -> port.getProtocol() + "/" + port.getPort().getIntVal())
        .containsExactly("UDP/53", "TCP/53");
    var api = p.getEgress().get(1);
    assertThat(api.getTo()).singleElement().satisfies(peer -> {
      assertThat(peer.getIpBlock().getCidr()).isEqualTo(Chart.TEST_API_SERVER);
      assertThat(peer.getIpBlock().getExcept()).isNullOrEmpty();
      assertThat(peer.getNamespaceSelector()).isNull();
    });
    assertThat(api.getPorts())
        .extracting(port -> port.getProtocol() + "/" + port.getPort().getIntVal())
        .containsExactly("TCP/443", "TCP/6443");
  }

  @Test
  void theApiServerAddressesAndTheNamespacesThatMayScrapeComeFromValues() {
    var p = policy(Chart.template("""
        networkPolicy:
          apiServer: {cidrs: [172.18.0.2/32, "fd00:10::2/128"], ports: [6443]}
          dns: {namespace: dns, podLabels: {app: coredns}}
          ingressNamespaces: [monitoring, probes]
        metrics: {port: 9090}
        health: {port: 9091}
        """)).getSpec();
    assertThat(p.getEgress().get(1).getTo())
        .extracting(peer -> peer.getIpBlock().getCidr())
        .containsExactly("172.18.0.2/32", "fd00:10::2/128");
    assertThat(p.getEgress().get(1).getPorts())
        .extracting(port -> port.getPort().getIntVal())
        .containsExactly(6443);
    assertThat(p.getEgress().get(0).getTo().get(0).getPodSelector().getMatchLabels())
        .containsExactly(Map.entry("app", "coredns"));
    assertThat(p.getIngress()).singleElement().satisfies(rule -> {
      assertThat(rule.getFrom()).singleElement().satisfies(peer -> {
        assertThat(peer.getPodSelector()).isNull();
        assertThat(peer.getNamespaceSelector().getMatchExpressions())
            .singleElement()
            .satisfies(e -> {
              assertThat(e.getKey()).isEqualTo("kubernetes.io/metadata.name");
              assertThat(e.getOperator()).isEqualTo("In");
              assertThat(e.getValues()).containsExactly("monitoring", "probes");
            });
      });
      assertThat(rule.getPorts())
          .extracting(port -> port.getPort().getIntVal())
          .containsExactly(9090, 9091);
    });
    for (var rule : p.getEgress()) {
      assertThat(rule.getTo())
          .as("a rule without peers would admit every address")
          .isNotEmpty();
    }
  }

  @Test
  void withoutApiServerAddressesWhereHelmCannotLookThemUpTheChartSaysHowToFindThem() {
    // helm-java's template cannot look up at all (it fails connecting; the Helm CLI's template gets
    // nothing back):
    // both end where no address is known
    assertThatThrownBy(() -> Chart.renderAsGiven(null, null)).hasMessageContaining("lookup");
    assertThatThrownBy(
            () -> Chart.renderAsGiven("networkPolicy: {apiServer: {lookup: false}}\n", null))
        .hasMessageContaining("networkPolicy.apiServer.cidrs")
        .hasMessageContaining("kubectl get endpoints kubernetes -n default")
        .hasMessageContaining("networkPolicy.enabled=false");
    assertThat(Chart.parse(Chart.renderAsGiven("networkPolicy: {enabled: false}\n", null)))
        .noneMatch(o -> "NetworkPolicy".equals(o.getKind()));
  }
}
