package org.loomio.operator.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.testing.Fixtures;

class ResolvedSpecTest {

  @Test
  void absentMeansDefault() {
    ResolvedSpec s = ResolvedSpec.of(Fixtures.minimal("team"), ImageDefaults.BUILT_IN);
    assertThat(s.hocuspocusHost()).isEqualTo("hocuspocus.team.example.org");
    assertThat(s.loomioImage()).isEqualTo("loomio/loomio:3.5");
    assertThat(s.loomioPullPolicy()).isEqualTo("IfNotPresent");
    assertThat(s.web().replicas()).isEqualTo(1);
    assertThat(s.worker().replicas()).isEqualTo(1);
    assertThat(s.hocuspocusEnabled()).isTrue();
    assertThat(s.database().embedded()).isTrue();
    assertThat(s.database().version()).isEqualTo(17);
    assertThat(s.redis().embedded()).isTrue();
    assertThat(s.redis().maxMemoryMi()).isEqualTo(256);
    assertThat(s.storage().onVolume()).isTrue();
    assertThat(s.storage().sharedNodeVolume()).isTrue();
    assertThat(s.smtp()).isEmpty();
    assertThat(s.credentialsSecretName()).isEqualTo("team-secrets");
    assertThat(s.uploadLimitMB()).isEqualTo(100);
  }

  @Test
  void explicitNullsAreDefaultsToo() {
    LoomioDeployment r = Fixtures.resource(
        "team", "host: a.example.org\nweb: null\nimage: {tag: null}\nredis: {mode: null}");
    ResolvedSpec s = ResolvedSpec.of(r, ImageDefaults.BUILT_IN);
    assertThat(s.web().replicas()).isEqualTo(1);
    assertThat(s.loomioTag()).isEqualTo("3.5");
    assertThat(s.redis().embedded()).isTrue();
  }

  @Test
  void aDigestPinsAndPullsAlways() {
    ResolvedSpec s = ResolvedSpec.of(
        Fixtures.resource(
            "team", "host: a.example.org\nimage: {digest: sha256:" + "a".repeat(64) + "}"),
        ImageDefaults.BUILT_IN);
    assertThat(s.loomioImage()).isEqualTo("loomio/loomio:3.5@sha256:" + "a".repeat(64));
    assertThat(s.loomioPullPolicy()).isEqualTo("Always");
    assertThat(ResolvedSpec.of(
                Fixtures.resource("team", "host: a.example.org\nimage: {pullPolicy: Always}"),
                ImageDefaults.BUILT_IN)
            .loomioPullPolicy())
        .isEqualTo("Always");
  }

  @Test
  void resourcesMergeKeyByKey() {
    var merged = Quantities.merge(
        new ResourceRequirementsBuilder()
            .addToLimits("memory", new Quantity("4Gi"))
            .build(),
        Defaults.WEB);
    assertThat(merged.getLimits().get("memory").toString()).isEqualTo("4Gi");
    assertThat(merged.getLimits().get("cpu").toString()).isEqualTo("2");
    assertThat(merged.getRequests().get("memory").toString()).isEqualTo("1Gi");
    assertThat(Defaults.WEB.getLimits().get("memory").toString())
        .as("defaults are never mutated")
        .isEqualTo("2Gi");
  }

  @Test
  void quantitiesInCanonicalForms() {
    assertThat(Quantities.ofMebibytes(2048).toString()).isEqualTo("2Gi");
    assertThat(Quantities.ofMebibytes(1344).toString()).isEqualTo("1344Mi");
    assertThat(Quantities.mebibytes("1Gi")).isEqualTo(1024);
    assertThat(Quantities.millicores(new Quantity("1.5"))).isEqualTo(1500);
  }

  @Test
  void clusterVersionsParse() {
    assertThat(ClusterCapabilities.forVersion("1.20").serves(ClusterCapabilities.PDB_V1))
        .isFalse();
    assertThat(ClusterCapabilities.forVersion("v1.21.3").serves(ClusterCapabilities.PDB_V1))
        .isTrue();
    assertThat(ClusterCapabilities.forVersion("1.26").hasPdbUnhealthyPodEvictionPolicy())
        .isFalse();
    assertThat(ClusterCapabilities.forVersion("1.27").hasPdbUnhealthyPodEvictionPolicy())
        .isTrue();
    // batch/v1beta1 and policy/v1beta1 from before 1.21 until their removal in 1.25; v1 preferred
    // where both are
    assertThat(ClusterCapabilities.forVersion("1.20").cronJobApi())
        .contains(ClusterCapabilities.CRONJOB_V1BETA1);
    assertThat(ClusterCapabilities.forVersion("1.20").podDisruptionBudgetApi())
        .contains(ClusterCapabilities.PDB_V1BETA1);
    assertThat(ClusterCapabilities.forVersion("1.24").serves(ClusterCapabilities.CRONJOB_V1BETA1))
        .isTrue();
    assertThat(ClusterCapabilities.forVersion("1.24").cronJobApi())
        .contains(ClusterCapabilities.CRONJOB_V1);
    assertThat(ClusterCapabilities.forVersion("1.25").serves(ClusterCapabilities.PDB_V1BETA1))
        .isFalse();
    assertThat(ClusterCapabilities.forVersion("1.25").podDisruptionBudgetApi())
        .contains(ClusterCapabilities.PDB_V1);
    assertThatThrownBy(() -> ClusterCapabilities.forVersion("latest"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theTlsSecretIsTheStacksOwnOnlyWhenItIsNamedAfterTheStack() {
    ResolvedSpec byDefault = ResolvedSpec.of(
        Fixtures.resource(
            "team",
            "host: a.example.org\ningress: {className: nginx, tls: {clusterIssuer: letsencrypt}}"),
        ImageDefaults.BUILT_IN);
    assertThat(byDefault.tlsSecretName())
        .isEqualTo("team-tls")
        .isEqualTo(byDefault.ownTlsSecretName());
    assertThat(byDefault.tlsSecretIsOwn()).isTrue();
    assertThat(ResolvedSpec.of(
                Fixtures.resource(
                    "team",
                    "host: a.example.org\ningress: {className: nginx, tls: {secretName: team-tls}}"),
                ImageDefaults.BUILT_IN)
            .tlsSecretIsOwn())
        .isTrue();
    ResolvedSpec foreign = ResolvedSpec.of(
        Fixtures.resource(
            "team",
            "host: a.example.org\ningress: {className: nginx, tls: {secretName: shop-tls, clusterIssuer: letsencrypt}}"),
        ImageDefaults.BUILT_IN);
    assertThat(foreign.tlsSecretName()).isEqualTo("shop-tls");
    assertThat(foreign.tlsSecretIsOwn()).isFalse();
    assertThat(ResolvedSpec.of(
                Fixtures.resource(
                    "team",
                    "host: a.example.org\ningress: {className: nginx,"
                        + " tls: {secretName: team-tls-old}}"),
                ImageDefaults.BUILT_IN)
            .tlsSecretIsOwn())
        .as("a prefix is not the name")
        .isFalse();
  }
}
