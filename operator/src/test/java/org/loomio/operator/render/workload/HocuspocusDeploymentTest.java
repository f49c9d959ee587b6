package org.loomio.operator.render.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;
import org.loomio.operator.render.pod.HardenedPod;
import org.loomio.operator.testing.Fixtures;
import org.loomio.operator.testing.Pods;

class HocuspocusDeploymentTest {

  private static Deployment hocuspocus(String spec) {
    return HocuspocusDeployment.render(WebDeploymentTest.context(Fixtures.resource("team", spec)));
  }

  @Test
  void bindsPort80AsNonRootThroughTheOneSafeSysctl() {
    var t = hocuspocus("host: a.example.org").getSpec().getTemplate();
    assertThat(t.getSpec().getSecurityContext().getSysctls()).singleElement().satisfies(s -> {
      assertThat(s.getName()).isEqualTo("net.ipv4.ip_unprivileged_port_start");
      assertThat(s.getValue()).isEqualTo("80");
    });
    assertThat(t.getSpec().getSecurityContext().getRunAsUser()).isEqualTo(HardenedPod.USER_ID);
    Container c = Pods.container(t, "hocuspocus");
    assertThat(c.getPorts())
        .singleElement()
        .satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(80));
    assertThat(c.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
  }

  @Test
  void callsWebInsideTheClusterAndReadsNoSecrets() {
    Container c =
        Pods.container(hocuspocus("host: a.example.org").getSpec().getTemplate(), "hocuspocus");
    assertThat(Pods.env(c))
        .containsEntry("TASK", "hocuspocus")
        .containsEntry("RAILS_ENV", "production")
        .containsEntry("PRIVATE_APP_URL", "http://team-web")
        .containsEntry("HOME", "/tmp");
    assertThat(Pods.env(c).values()).noneMatch(v -> v != null && v.startsWith("secret:"));
    assertThat(c.getEnvFrom()).isNullOrEmpty();
  }

  @Test
  void scalesAndSpreads() {
    Deployment d = hocuspocus("host: a.example.org\nhocuspocus: {replicas: 3}");
    assertThat(d.getSpec().getReplicas()).isEqualTo(3);
    assertThat(d.getSpec().getTemplate().getSpec().getAffinity().getPodAntiAffinity())
        .isNotNull();
    assertThat(d.getSpec().getTemplate().getSpec().getTopologySpreadConstraints())
        .hasSize(1);
  }

  @Test
  void probesDiffer() {
    Container c =
        Pods.container(hocuspocus("host: a.example.org").getSpec().getTemplate(), "hocuspocus");
    assertThat(c.getReadinessProbe().getHttpGet()).isNotNull();
    assertThat(c.getLivenessProbe().getTcpSocket()).isNotNull();
  }

  @Test
  void theSentryDsnOfTheSpecReachesHocuspocusAndNothingElseOfSpecEnvDoes() {
    Container c = Pods.container(
        hocuspocus("host: a.example.org\n"
                + "env: [{name: SENTRY_PUBLIC_DSN, value: \"https://k@sentry.example.org/1\"}, {name: THEME_PRIMARY_COLOR, value: red}]\n"
                + "secretEnv: [{name: SENTRY_DSN, secretKeyRef: {name: sentry, key: dsn}}, {name: OPENAI_API_KEY,"
                + " secretKeyRef: {name: ai, key: k}}]")
            .getSpec()
            .getTemplate(),
        "hocuspocus");
    assertThat(Pods.env(c))
        .containsEntry("SENTRY_PUBLIC_DSN", "https://k@sentry.example.org/1")
        .containsEntry("SENTRY_DSN", "secret:sentry/dsn")
        .doesNotContainKeys("THEME_PRIMARY_COLOR", "OPENAI_API_KEY");
    assertThat(Pods.env(Pods.container(
            hocuspocus("host: a.example.org").getSpec().getTemplate(), "hocuspocus")))
        .doesNotContainKeys("SENTRY_PUBLIC_DSN", "SENTRY_DSN");
  }

  @Test
  void writesOnlyTmpAndTheClientBundle() {
    var t = hocuspocus("host: a.example.org").getSpec().getTemplate();
    assertThat(Pods.mounts(Pods.container(t, "hocuspocus")))
        .containsOnlyKeys("/tmp", "/loomio/public/client3");
  }
}
