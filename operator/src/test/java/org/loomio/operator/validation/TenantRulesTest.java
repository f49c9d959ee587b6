package org.loomio.operator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.testing.Fixtures;

/** SpecValidator with a tenant policy: every image field and every component's pod options. */
class TenantRulesTest {

  private static final TenantPolicy DEFAULTS = TenantPolicy.defaults(ImageDefaults.BUILT_IN);
  private static final List<String> COMPONENTS =
      List.of("web", "worker", "hocuspocus", "database.embedded", "redis.embedded");

  private static List<Violation> validate(String spec, TenantPolicy policy) {
    return SpecValidator.validate(Fixtures.resource("team", spec), policy);
  }

  private static List<String> fields(String spec, TenantPolicy policy) {
    return validate(spec, policy).stream().map(Violation::field).toList();
  }

  /** The YAML of one component's pod options, nested under its path (database.embedded: {pod: ...}). */
  private static String pod(String component, String options) {
    String[] parts = component.split("\\.");
    String inner = "{pod: " + options + "}";
    for (int i = parts.length - 1; i > 0; i--) {
      inner = "{" + parts[i] + ": " + inner + "}";
    }
    return "host: a.example.org\n" + parts[0] + ": " + inner;
  }

  @Test
  void everyExampleAndTheMinimalStackPassTheDefaultPolicy() throws Exception {
    assertThat(SpecValidator.validate(Fixtures.minimal("team"), DEFAULTS)).isEmpty();
    try (Stream<Path> files = Files.list(Fixtures.examplesDir())) {
      List<Path> examples = files.filter(p -> p.toString().endsWith(".yaml")).toList();
      assertThat(examples).isNotEmpty();
      for (Path example : examples) {
        assertThat(SpecValidator.validate(Fixtures.fromFile(example), DEFAULTS))
            .as(example.toString())
            .isEmpty();
      }
    }
  }

  @Test
  void theOneArgumentFormUsesTheDefaultPolicy() {
    String spec = "host: a.example.org\nimage: {repository: quay.io/someone/loomio}";
    assertThat(SpecValidator.validate(Fixtures.resource("team", spec)))
        .isEqualTo(SpecValidator.validate(Fixtures.resource("team", spec), DEFAULTS))
        .isNotEmpty();
  }

  @Test
  void everyImageFieldOutsideTheAllowlistIsRefusedNamingTheFieldTheListAndTheSetting() {
    List<Violation> v = validate("""
        host: a.example.org
        image: {repository: quay.io/someone/loomio, tag: "3.5"}
        database: {embedded: {image: {repository: someone/postgres}}}
        redis: {embedded: {image: {repository: registry.example.org/redis, tag: "8.4"}}}
        """, DEFAULTS);
    assertThat(v)
        .extracting(Violation::field)
        .containsExactly(
            "spec.image.repository",
            "spec.database.embedded.image.repository",
            "spec.redis.embedded.image.repository");
    assertThat(v.get(0).message())
        .startsWith("quay.io/someone/loomio is not an image repository this operator admits")
        .contains(
            "allowed: loomio/loomio, postgres, redis, ghcr.io/loomio-operator/loomio-operator,"
                + " ghcr.io/cloudnative-pg/postgresql")
        .contains("ALLOWED_IMAGE_REPOSITORIES")
        .contains("tenancy.allowedImageRepositories");
  }

  @Test
  void theOfficialRepositoriesAreAdmittedInEveryForm() {
    assertThat(validate("""
        host: a.example.org
        image: {repository: docker.io/loomio/loomio, tag: "3.5.1"}
        database: {embedded: {image: {repository: docker.io/library/postgres}}}
        redis: {embedded: {image: {repository: index.docker.io/library/redis, tag: "8.4"}}}
        """, DEFAULTS)).isEmpty();
    assertThat(validate(
            "host: a.example.org\ndatabase: {embedded: {image: {repository: ghcr.io/cloudnative-pg/postgresql,"
                + " tag: \"17.5\"}}}",
            DEFAULTS))
        .isEmpty();
    // a tag or digest alone keeps the default repository
    assertThat(validate(
            "host: a.example.org\nimage: {tag: \"3.5.1\"}\nredis: {embedded: {image: {tag: \"8.4.1\"}}}",
            DEFAULTS))
        .isEmpty();
  }

  @Test
  void theOperatorsMirrorAndExtraRepositoriesAreAdmitted() {
    ImageDefaults mirror = new ImageDefaults(
        ImageDefaults.Ref.parse("registry.example.org/mirror/loomio:3.5"),
        "registry.example.org/mirror/postgres",
        ImageDefaults.Ref.parse("registry.example.org/mirror/redis:8.4"));
    String spec = """
        host: a.example.org
        image: {repository: registry.example.org/mirror/loomio, tag: "3.5.1"}
        database: {embedded: {image: {repository: registry.example.org/team/postgres}}}
        """;
    assertThat(fields(spec, TenantPolicy.defaults(mirror)))
        .containsExactly("spec.database.embedded.image.repository");
    assertThat(fields(
            spec,
            TenantPolicy.defaults(mirror)
                .withExtraImageRepositories(List.of("registry.example.org/team/*"))))
        .isEmpty();
    assertThat(fields(
            "host: a.example.org\nimage: {repository: loomio/loomio}",
            TenantPolicy.defaults(mirror).withBuiltInImageRepositories(false)))
        .containsExactly("spec.image.repository");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{repository: quay.io/someone/agent, tag: \"1\"}",
        "{repository: ghcr.io/loomio-operator/loomio-operator}",
        "{tag: \"0.1.0\"}",
        "{}"
      })
  void anySpecBackupImageIsRefusedNamingTheAgent(String image) {
    TenantPolicy anything = DEFAULTS.withExtraImageRepositories(List.of("*"));
    List<Violation> v = validate("host: a.example.org\nbackup: {image: " + image + "}", anything);
    assertThat(v).singleElement().satisfies(violation -> {
      assertThat(violation.field()).isEqualTo("spec.backup.image");
      assertThat(violation.message())
          .contains("always the operator's own image " + ImageDefaults.BUILT_IN.agent())
          .contains("remove spec.backup.image");
    });
  }

  @Test
  void securityAnnotationsAreRefusedOnEveryComponentUnlessAllowed() {
    for (String component : COMPONENTS) {
      String spec = pod(
          component,
          "{annotations: {container.apparmor.security.beta.kubernetes.io/web: unconfined,"
              + " prometheus.io/scrape: \"true\", team: decisions}}");
      List<Violation> v = validate(spec, DEFAULTS);
      assertThat(v).as(component).singleElement().satisfies(violation -> {
        assertThat(violation.field()).isEqualTo("spec." + component + ".pod.annotations");
        assertThat(violation.message())
            .startsWith("container.apparmor.security.beta.kubernetes.io/web:")
            .contains("ALLOW_SECURITY_ANNOTATIONS")
            .contains("tenancy.allowSecurityAnnotations");
      });
      assertThat(validate(spec, DEFAULTS.withAllowSecurityAnnotations(true)))
          .as(component)
          .isEmpty();
      assertThat(validate(
              spec,
              DEFAULTS.withAllowSystemPriorityClasses(true).withAllowControlPlaneTolerations(true)))
          .as(component)
          .hasSize(1);
    }
  }

  @Test
  void systemPriorityClassesAreRefusedOnEveryComponentUnlessAllowed() {
    for (String component : COMPONENTS) {
      String spec = pod(component, "{priorityClassName: system-cluster-critical}");
      assertThat(validate(spec, DEFAULTS)).as(component).singleElement().satisfies(violation -> {
        assertThat(violation.field()).isEqualTo("spec." + component + ".pod.priorityClassName");
        assertThat(violation.message())
            .startsWith("system-cluster-critical:")
            .contains("ALLOW_SYSTEM_PRIORITY_CLASSES")
            .contains("tenancy.allowSystemPriorityClasses");
      });
      assertThat(validate(spec, DEFAULTS.withAllowSystemPriorityClasses(true)))
          .as(component)
          .isEmpty();
      assertThat(validate(
              spec,
              DEFAULTS.withAllowSecurityAnnotations(true).withAllowControlPlaneTolerations(true)))
          .as(component)
          .hasSize(1);
      assertThat(validate(pod(component, "{priorityClassName: high}"), DEFAULTS))
          .as(component)
          .isEmpty();
    }
  }

  @Test
  void controlPlaneAndWildcardTolerationsAreRefusedOnEveryComponentUnlessAllowed() {
    for (String component : COMPONENTS) {
      String spec = pod(component, """
          {tolerations: [{key: dedicated, operator: Equal, value: loomio, effect: NoSchedule},
            {key: node-role.kubernetes.io/control-plane, operator: Exists, effect: NoSchedule},
            {key: node-role.kubernetes.io/master, operator: Exists},
            {operator: Exists}]}""");
      List<Violation> v = validate(spec, DEFAULTS);
      String field = "spec." + component + ".pod.tolerations";
      assertThat(v)
          .as(component)
          .extracting(Violation::field)
          .containsExactly(field + "[1]", field + "[2]", field + "[3]");
      assertThat(v.get(0).message())
          .contains("node-role.kubernetes.io/control-plane")
          .contains("ALLOW_CONTROL_PLANE_TOLERATIONS")
          .contains("tenancy.allowControlPlaneTolerations");
      assertThat(v.get(2).message()).contains("tolerates every taint");
      assertThat(validate(spec, DEFAULTS.withAllowControlPlaneTolerations(true)))
          .as(component)
          .isEmpty();
      assertThat(validate(
              spec,
              DEFAULTS.withAllowSecurityAnnotations(true).withAllowSystemPriorityClasses(true)))
          .as(component)
          .hasSize(3);
    }
  }

  /** Annotations other integrations act on (networks, meshes, runtimes, autoscalers, cloud identities) are refused. */
  @Test
  void podAnnotationsOutsideTheAllowlistAreRefusedOnEveryComponent() {
    for (String component : COMPONENTS) {
      for (String key : List.of(
          "k8s.v1.cni.cncf.io/networks",
          "sidecar.istio.io/inject",
          "traffic.sidecar.istio.io/excludeOutboundIPRanges",
          "io.katacontainers.config.hypervisor.kernel_params",
          "io.containerd.cri.runtime-handler",
          "kubectl.kubernetes.io/default-container",
          "cluster-autoscaler.kubernetes.io/safe-to-evict",
          "karpenter.sh/do-not-disrupt",
          "iam.amazonaws.com/role",
          "vault.hashicorp.com/agent-inject",
          "linkerd.io/inject",
          "example.org/team",
          "loomio.org/config-hash")) {
        assertThat(validate(pod(component, "{annotations: {\"" + key + "\": x}}"), DEFAULTS))
            .as(component + " " + key)
            .singleElement()
            .satisfies(v -> {
              assertThat(v.field()).isEqualTo("spec." + component + ".pod.annotations");
              assertThat(v.message())
                  .startsWith(key + ": ")
                  .contains("ALLOWED_POD_ANNOTATIONS")
                  .contains("tenancy.allowedPodAnnotations");
            });
      }
      assertThat(validate(
              pod(
                  component,
                  "{annotations: {team: decisions, description: x, prometheus.io/scrape: \"true\","
                      + " prometheus.io/port: \"9394\", prometheus.io/path: /metrics}}"),
              DEFAULTS))
          .as(component)
          .isEmpty();
    }
  }

  /** The operator's list admits more keys; never the operator's own, and a security profile only by its own setting. */
  @Test
  void theOperatorsAnnotationListAdmitsMoreButNeverTheOperatorsOwnOrASecurityProfile() {
    TenantPolicy more = DEFAULTS.withAllowedPodAnnotations(List.of(
        "example.org/*",
        "cluster-autoscaler.kubernetes.io/safe-to-evict",
        "container.apparmor.security.beta.kubernetes.io/web"));
    assertThat(validate(
            pod(
                "web",
                "{annotations: {example.org/team: a, example.org/cost: b,"
                    + " cluster-autoscaler.kubernetes.io/safe-to-evict: \"true\"}}"),
            more))
        .isEmpty();
    assertThat(fields(pod("web", "{annotations: {example.org.evil.example/x: a}}"), more))
        .containsExactly("spec.web.pod.annotations");
    assertThat(validate(
            pod("web", "{annotations: {kubectl.kubernetes.io/default-container: web}}"), more))
        .singleElement()
        .satisfies(v -> assertThat(v.message()).contains("ALLOWED_POD_ANNOTATIONS"));
    // on the list, but a security profile: only allowSecurityAnnotations admits it
    String apparmor = pod(
        "web", "{annotations: {container.apparmor.security.beta.kubernetes.io/web: unconfined}}");
    assertThat(validate(apparmor, more))
        .singleElement()
        .satisfies(v -> assertThat(v.message()).contains("ALLOW_SECURITY_ANNOTATIONS"));
    assertThat(validate(apparmor, DEFAULTS.withAllowSecurityAnnotations(true))).isEmpty();
    TenantPolicy everything = DEFAULTS.withAllowedPodAnnotations(List.of("*"));
    assertThat(validate(pod("web", "{annotations: {k8s.v1.cni.cncf.io/networks: x}}"), everything))
        .isEmpty();
    for (String own :
        List.of("loomio.org/config-hash", "loomio.org/secret-hash", "x.loomio.org/y")) {
      assertThat(validate(
              pod("web", "{annotations: {" + own + ": x}}"),
              everything.withAllowSecurityAnnotations(true)))
          .as(own)
          .singleElement()
          .satisfies(v -> assertThat(v.message())
              .startsWith(own + ": loomio.org annotations" + " are the operator's"));
    }
  }
}
