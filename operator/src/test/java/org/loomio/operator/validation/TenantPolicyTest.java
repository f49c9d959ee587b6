package org.loomio.operator.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.loomio.operator.model.ImageDefaults;

/** The tenant policy's own rules: repository forms, prefixes, the default list, and what counts as weakening. */
class TenantPolicyTest {

  private static final TenantPolicy DEFAULTS = TenantPolicy.defaults(ImageDefaults.BUILT_IN);
  private static final ImageDefaults MIRROR = new ImageDefaults(
          ImageDefaults.Ref.parse("registry.example.org:5000/mirror/loomio:3.5.2"),
          "registry.example.org:5000/mirror/postgres",
          ImageDefaults.Ref.parse("registry.example.org:5000/mirror/redis:8.4"))
      .withAgent(ImageDefaults.Ref.parse("registry.example.org:5000/ops/loomio-operator:1.2.3"));

  @ParameterizedTest
  @CsvSource({
    "loomio/loomio, docker.io/loomio/loomio",
    "docker.io/loomio/loomio, docker.io/loomio/loomio",
    "index.docker.io/loomio/loomio, docker.io/loomio/loomio",
    "registry-1.docker.io/loomio/loomio, docker.io/loomio/loomio",
    "postgres, docker.io/library/postgres",
    "docker.io/postgres, docker.io/library/postgres",
    "docker.io/library/postgres, docker.io/library/postgres",
    "library/postgres, docker.io/library/postgres",
    "ghcr.io/cloudnative-pg/postgresql, ghcr.io/cloudnative-pg/postgresql",
    "localhost/loomio, localhost/loomio",
    "localhost:5000/loomio, localhost:5000/loomio",
    "registry:5000/loomio, registry:5000/loomio",
    "Registry.Example.ORG/mirror/loomio, registry.example.org/mirror/loomio"
  })
  void normalisesDockerHubForms(String repository, String normalised) {
    assertThat(TenantPolicy.normalize(repository)).isEqualTo(normalised);
  }

  @Test
  void theDefaultAdmitsTheOfficialRepositoriesTheOperatorsOwnAndCloudNativePg() {
    assertThat(DEFAULTS.allowedImageRepositories())
        .containsExactly(
            "loomio/loomio",
            "postgres",
            "redis",
            "ghcr.io/loomio-operator/loomio-operator",
            "ghcr.io/cloudnative-pg/postgresql");
    for (String admitted : List.of(
        "loomio/loomio",
        "docker.io/loomio/loomio",
        "index.docker.io/loomio/loomio",
        "postgres",
        "docker.io/library/postgres",
        "library/redis",
        "ghcr.io/cloudnative-pg/postgresql",
        "ghcr.io/loomio-operator/loomio-operator")) {
      assertThat(DEFAULTS.admitsRepository(admitted)).as(admitted).isTrue();
    }
    for (String refused : List.of(
        "evil/loomio",
        "loomio/loomio-fork",
        "quay.io/loomio/loomio",
        "ghcr.io/loomio/loomio",
        "docker.io/loomio",
        "ghcr.io/cloudnative-pg/postgresql-fork",
        "ghcr.io/cloudnative-pg/postgresql/x",
        "bitnami/postgresql",
        "postgres/postgres")) {
      assertThat(DEFAULTS.admitsRepository(refused)).as(refused).isFalse();
    }
  }

  @Test
  void theOperatorsDefaultImagesAreAlwaysAdmittedAndTheAgentIsTheOperatorsOwn() {
    TenantPolicy mirror = TenantPolicy.defaults(MIRROR);
    assertThat(mirror.allowedImageRepositories())
        .containsExactly(
            "loomio/loomio",
            "postgres",
            "redis",
            "ghcr.io/loomio-operator/loomio-operator",
            "ghcr.io/cloudnative-pg/postgresql",
            "registry.example.org:5000/mirror/loomio",
            "registry.example.org:5000/mirror/postgres",
            "registry.example.org:5000/mirror/redis",
            "registry.example.org:5000/ops/loomio-operator");
    assertThat(mirror.admitsRepository("registry.example.org:5000/mirror/postgres"))
        .isTrue();
    assertThat(mirror.admitsRepository("registry.example.org:5000/mirror/other"))
        .isFalse();
    assertThat(mirror.agentImage())
        .isEqualTo("registry.example.org:5000/ops/loomio-operator:1.2.3");
    assertThat(DEFAULTS.agentImage()).isEqualTo(ImageDefaults.BUILT_IN.agent().toString());
  }

  @Test
  void withoutTheBuiltInListOnlyTheDefaultImagesAndTheExtraOnesAreAdmitted() {
    TenantPolicy airGapped = TenantPolicy.defaults(MIRROR)
        .withBuiltInImageRepositories(false)
        .withExtraImageRepositories(List.of("registry.example.org:5000/team/*"));
    assertThat(airGapped.allowedImageRepositories())
        .containsExactly(
            "registry.example.org:5000/mirror/loomio",
            "registry.example.org:5000/mirror/postgres",
            "registry.example.org:5000/mirror/redis",
            "registry.example.org:5000/ops/loomio-operator",
            "registry.example.org:5000/team/*");
    assertThat(airGapped.admitsRepository("loomio/loomio")).isFalse();
    assertThat(airGapped.admitsRepository("postgres")).isFalse();
    assertThat(airGapped.admitsRepository("registry.example.org:5000/mirror/loomio"))
        .isTrue();
    assertThat(airGapped.admitsRepository("registry.example.org:5000/team/loomio"))
        .isTrue();
  }

  @Test
  void extraEntriesAreAddedExactOrAsPrefixes() {
    TenantPolicy p = DEFAULTS.withExtraImageRepositories(List.of(
        " registry.example.org/mirror/* ",
        "bitnami/*",
        "docker.io/library/*",
        "quay.io/team/loomio",
        "",
        "index.docker.io/acme/loomio",
        "localhost:5000/*"));
    assertThat(p.extraImageRepositories())
        .containsExactly(
            "registry.example.org/mirror/*",
            "bitnami/*",
            "docker.io/library/*",
            "quay.io/team/loomio",
            "index.docker.io/acme/loomio",
            "localhost:5000/*");
    // a prefix admits what is under it, at any depth, and not the prefix's siblings
    assertThat(p.admitsRepository("registry.example.org/mirror/loomio")).isTrue();
    assertThat(p.admitsRepository("registry.example.org/mirror/sub/redis")).isTrue();
    assertThat(p.admitsRepository("registry.example.org/mirror")).isFalse();
    assertThat(p.admitsRepository("registry.example.org/mirrored/loomio")).isFalse();
    assertThat(p.admitsRepository("registry.example.org/loomio")).isFalse();
    // a Docker Hub namespace, in every form
    assertThat(p.admitsRepository("bitnami/redis")).isTrue();
    assertThat(p.admitsRepository("docker.io/bitnami/redis")).isTrue();
    // Docker Hub's official images: library/* admits postgres written short
    assertThat(p.admitsRepository("busybox")).isTrue();
    assertThat(p.admitsRepository("acme/loomio")).isTrue();
    assertThat(p.admitsRepository("quay.io/team/loomio")).isTrue();
    assertThat(p.admitsRepository("quay.io/team/loomio-debug")).isFalse();
    assertThat(p.admitsRepository("localhost:5000/anything")).isTrue();
    assertThat(p.admitsRepository("localhost:5001/anything")).isFalse();
  }

  @Test
  void aWholeRegistryOrEverything() {
    TenantPolicy hub = DEFAULTS.withExtraImageRepositories(List.of("docker.io/*"));
    assertThat(hub.admitsRepository("anyone/anything")).isTrue();
    assertThat(hub.admitsRepository("index.docker.io/anyone/anything")).isTrue();
    assertThat(hub.admitsRepository("quay.io/anyone/anything")).isFalse();
    TenantPolicy any = DEFAULTS.withExtraImageRepositories(List.of("*"));
    assertThat(any.admitsRepository("quay.io/anyone/anything")).isTrue();
    assertThat(any.allowedImageRepositories()).endsWith("*");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Registry.example.org/x",
        "loomio/loomio:3.5",
        "localhost:5000",
        "registry.example.org/*/x",
        "registry.example.org/mirror*",
        "loomio/loomio@sha256:abc",
        "https://registry.example.org/x"
      })
  void aMalformedEntryIsRefusedWithItsValue(String entry) {
    assertThatThrownBy(() -> DEFAULTS.withExtraImageRepositories(List.of(entry)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + entry + "'");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "container.apparmor.security.beta.kubernetes.io/web",
        "Container.AppArmor.Security.Beta.Kubernetes.IO/web",
        "seccomp.security.alpha.kubernetes.io/pod",
        "container.seccomp.security.alpha.kubernetes.io/web",
        "security.alpha.kubernetes.io/sysctls",
        "security.alpha.kubernetes.io/unsafe-sysctls",
        "security.example.org/profile",
        "policy.security.example.org/x",
        "example.security/x",
        "seccomp-profile.kubernetes.cri-o.io/POD",
        "apparmor.example.org/profile",
        "example.org/seccomp",
        "io.kubernetes.cri-o.userns-mode",
        "io.kubernetes.cri-o.Devices"
      })
  void securityAnnotations(String key) {
    assertThat(TenantPolicy.securityAnnotation(key)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "example.org/team",
        "prometheus.io/scrape",
        "cluster-autoscaler.kubernetes.io/safe-to-evict",
        "securityteam.example.org/owner",
        "example.org/security",
        "example.org/security.level",
        "insecurity.example.org/x",
        "kubectl.kubernetes.io/default-container",
        "io.kubernetes.cri.x"
      })
  void otherAnnotations(String key) {
    assertThat(TenantPolicy.securityAnnotation(key)).isFalse();
  }

  @Test
  void systemPriorityClasses() {
    assertThat(TenantPolicy.systemPriorityClass("system-cluster-critical")).isTrue();
    assertThat(TenantPolicy.systemPriorityClass("system-node-critical")).isTrue();
    assertThat(TenantPolicy.systemPriorityClass("high")).isFalse();
    assertThat(TenantPolicy.systemPriorityClass("loomio-system-high")).isFalse();
    assertThat(TenantPolicy.systemPriorityClass(null)).isFalse();
  }

  @Test
  void controlPlaneTolerations() {
    assertThat(TenantPolicy.controlPlaneToleration(new TolerationBuilder()
            .withKey("node-role.kubernetes.io/control-plane")
            .withOperator("Exists")
            .withEffect("NoSchedule")
            .build()))
        .isTrue();
    assertThat(TenantPolicy.controlPlaneToleration(new TolerationBuilder()
            .withKey("node-role.kubernetes.io/master")
            .withOperator("Equal")
            .withValue("")
            .build()))
        .isTrue();
    assertThat(TenantPolicy.controlPlaneToleration(
            new TolerationBuilder().withOperator("Exists").build()))
        .isTrue();
    assertThat(TenantPolicy.controlPlaneToleration(new TolerationBuilder()
            .withKey("")
            .withOperator("Exists")
            .withEffect("NoExecute")
            .build()))
        .isTrue();
    assertThat(TenantPolicy.controlPlaneToleration(new TolerationBuilder()
            .withKey("dedicated")
            .withOperator("Equal")
            .withValue("loomio")
            .withEffect("NoSchedule")
            .build()))
        .isFalse();
    assertThat(TenantPolicy.controlPlaneToleration(new TolerationBuilder()
            .withKey("node.kubernetes.io/not-ready")
            .withOperator("Exists")
            .build()))
        .isFalse();
  }

  @Test
  void theDefaultAllowsNoWeakeningAndEachSwitchAllowsOneKind() {
    assertThat(DEFAULTS.allowSecurityAnnotations()).isFalse();
    assertThat(DEFAULTS.allowSystemPriorityClasses()).isFalse();
    assertThat(DEFAULTS.allowControlPlaneTolerations()).isFalse();
    assertThat(DEFAULTS.builtInImageRepositories()).isTrue();
    assertThat(DEFAULTS.extraImageRepositories()).isEmpty();
    TenantPolicy a = DEFAULTS.withAllowSecurityAnnotations(true);
    assertThat(List.of(
            a.allowSecurityAnnotations(),
            a.allowSystemPriorityClasses(),
            a.allowControlPlaneTolerations()))
        .containsExactly(true, false, false);
    TenantPolicy b = DEFAULTS.withAllowSystemPriorityClasses(true);
    assertThat(List.of(
            b.allowSecurityAnnotations(),
            b.allowSystemPriorityClasses(),
            b.allowControlPlaneTolerations()))
        .containsExactly(false, true, false);
    TenantPolicy c = DEFAULTS.withAllowControlPlaneTolerations(true);
    assertThat(List.of(
            c.allowSecurityAnnotations(),
            c.allowSystemPriorityClasses(),
            c.allowControlPlaneTolerations()))
        .containsExactly(false, false, true);
    assertThat(c.withImages(MIRROR))
        .isEqualTo(TenantPolicy.defaults(MIRROR).withAllowControlPlaneTolerations(true));
  }

  @Test
  void podAnnotationEntriesAreKeysPrefixesOrEverythingAndKeepTheOtherSettings() {
    assertThat(DEFAULTS.allowedPodAnnotations()).isEmpty();
    TenantPolicy p = DEFAULTS
        .withAllowControlPlaneTolerations(true)
        .withAllowedPodAnnotations(
            List.of(" example.org/* ", "", "team.example.org/owner", "*", "owner"));
    assertThat(p.allowedPodAnnotations())
        .containsExactly("example.org/*", "team.example.org/owner", "*", "owner");
    assertThat(p.allowControlPlaneTolerations()).isTrue();
    assertThat(p.withAllowSecurityAnnotations(true).allowedPodAnnotations())
        .isEqualTo(p.allowedPodAnnotations());
    for (String bad : List.of(
        "example.org/a b", "Example.org/x", "example.org/", "/x", "example.org/*/x", "a/b/c")) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> DEFAULTS.withAllowedPodAnnotations(List.of(bad)))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + bad + "'");
    }
    assertThat(DEFAULTS.admitsPodAnnotation("team")).isTrue();
    assertThat(DEFAULTS.admitsPodAnnotation("prometheus.io/scrape")).isTrue();
    assertThat(DEFAULTS.admitsPodAnnotation("io.katacontainers.config.hypervisor.kernel_params"))
        .isFalse();
    assertThat(DEFAULTS.admitsPodAnnotation("example.org/team")).isFalse();
    assertThat(p.admitsPodAnnotation("example.org/team")).isTrue();
    assertThat(p.admitsPodAnnotation("loomio.org/config-hash")).isFalse();
  }
}
