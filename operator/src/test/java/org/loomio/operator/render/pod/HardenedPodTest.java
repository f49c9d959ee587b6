package org.loomio.operator.render.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.SecretDigests;
import org.loomio.operator.render.base.RenderContext;
import org.loomio.operator.testing.Fixtures;

class HardenedPodTest {

  private static RenderContext ctx(String spec) {
    LoomioDeployment r = Fixtures.resource("team", spec);
    return new RenderContext(
        r, ClusterCapabilities.newest(), Fixtures.credentials(r), SecretDigests.none());
  }

  private static Container container(String name) {
    return new ContainerBuilder()
        .withName(name)
        .withImage("example/app:1")
        .withResources(new ResourceRequirementsBuilder()
            .addToRequests("cpu", new Quantity("100m"))
            .addToRequests("memory", new Quantity("64Mi"))
            .addToLimits("cpu", new Quantity("200m"))
            .addToLimits("memory", new Quantity("128Mi"))
            .build())
        .build();
  }

  @Test
  void aContainerCannotAskForLessHardening() {
    Container wants = new ContainerBuilder(container("app"))
        .withNewSecurityContext()
        .withPrivileged(true)
        .withAllowPrivilegeEscalation(true)
        .withReadOnlyRootFilesystem(false)
        .withRunAsUser(0L)
        .withNewCapabilities()
        .addToAdd("SYS_ADMIN")
        .endCapabilities()
        .endSecurityContext()
        .build();
    PodTemplateSpec t = HardenedPod.of(ctx("host: a.example.org"), Component.WEB)
        .container(wants)
        .build();
    Container got = t.getSpec().getContainers().get(0);
    assertThat(got.getSecurityContext()).isEqualTo(HardenedPod.containerSecurityContext());
    assertThat(got.getSecurityContext().getRunAsUser())
        .as("the pod's UID applies")
        .isNull();
    assertThat(t.getSpec().getSecurityContext().getRunAsUser()).isEqualTo(10001L);
    assertThat(t.getSpec().getSecurityContext().getSysctls())
        .as("only hocuspocus gets the port sysctl")
        .isEmpty();
  }

  @Test
  void scratchVolumesAreMountedEverywhereExceptInBareInitContainersAndSizeTheEphemeralLimit() {
    PodTemplateSpec t = HardenedPod.of(ctx("host: a.example.org"), Component.WEB)
        .scratch(Scratch.disk("tmp", "/tmp", "1Gi"))
        .scratch(Scratch.memory("shm", "/dev/shm", "256Mi"))
        .initContainer(container("init"))
        .bareInitContainer(container("bare"))
        .container(container("app"))
        .build();
    assertThat(t.getSpec().getInitContainers())
        .extracting(Container::getName)
        .containsExactly("bare", "init");
    assertThat(t.getSpec().getInitContainers().get(0).getVolumeMounts()).isEmpty();
    assertThat(t.getSpec().getInitContainers().get(1).getVolumeMounts()).hasSize(2);
    Container app = t.getSpec().getContainers().get(0);
    assertThat(app.getResources().getLimits().get("ephemeral-storage").toString())
        .as("1Gi of disk scratch + 256Mi")
        .isEqualTo("1280Mi");
    assertThat(app.getResources().getRequests().get("ephemeral-storage").toString())
        .isEqualTo("256Mi");
    assertThat(t.getSpec().getVolumes())
        .filteredOn(v -> v.getName().equals("shm"))
        .singleElement()
        .satisfies(v -> assertThat(v.getEmptyDir().getMedium()).isEqualTo("Memory"));
  }

  @Test
  void aUserEphemeralLimitIsKeptAndTheRequestFollowsIt() {
    Container small = new ContainerBuilder(container("app"))
        .editResources()
        .addToLimits("ephemeral-storage", new Quantity("128Mi"))
        .endResources()
        .build();
    Container got = HardenedPod.of(ctx("host: a.example.org"), Component.WEB)
        .container(small)
        .build()
        .getSpec()
        .getContainers()
        .get(0);
    assertThat(got.getResources().getLimits().get("ephemeral-storage").toString())
        .isEqualTo("128Mi");
    assertThat(got.getResources().getRequests().get("ephemeral-storage").toString())
        .isEqualTo("128Mi");
  }

  @Test
  void aContainerWithoutResourcesIsABug() {
    Container none =
        new ContainerBuilder().withName("app").withImage("example/app:1").build();
    assertThatThrownBy(() -> HardenedPod.of(ctx("host: a.example.org"), Component.WEB)
            .container(none)
            .build())
        .hasMessageContaining("R15");
  }

  @Test
  void userAntiAffinityReplacesOursNodeAffinityIsKept() {
    RenderContext c = ctx("""
        host: a.example.org
        web:
          pod:
            affinity:
              podAntiAffinity:
                requiredDuringSchedulingIgnoredDuringExecution:
                - {topologyKey: topology.kubernetes.io/zone, labelSelector: {matchLabels: {app: x}}}
              nodeAffinity:
                requiredDuringSchedulingIgnoredDuringExecution:
                  nodeSelectorTerms: [{matchExpressions: [{key: pool, operator: In, values: [a]}]}]
        """);
    PodTemplateSpec t = HardenedPod.of(c, Component.WEB)
        .options(c.spec().web().pod())
        .container(container("app"))
        .requireSameNodeAs("team-uploads")
        .build();
    var affinity = t.getSpec().getAffinity();
    assertThat(affinity.getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution())
        .isNullOrEmpty();
    assertThat(affinity.getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution())
        .hasSize(1);
    assertThat(affinity.getNodeAffinity()).isNotNull();
    assertThat(affinity.getPodAffinity().getRequiredDuringSchedulingIgnoredDuringExecution())
        .singleElement()
        .satisfies(term ->
            assertThat(term.getLabelSelector().getMatchLabels()).containsValue("team-uploads"));
  }

  @Test
  void jobPodsRunToCompletionWithoutSpreading() {
    PodTemplateSpec t = HardenedPod.of(ctx("host: a.example.org"), Component.MIGRATE)
        .runToCompletion()
        .container(container("app"))
        .build();
    assertThat(t.getSpec().getRestartPolicy()).isEqualTo("Never");
    assertThat(t.getSpec().getTopologySpreadConstraints()).isNullOrEmpty();
    assertThat(t.getSpec().getAffinity()).isNull();
    assertThat(t.getSpec().getServiceAccountName()).isEqualTo("team-migrate");
  }
}
