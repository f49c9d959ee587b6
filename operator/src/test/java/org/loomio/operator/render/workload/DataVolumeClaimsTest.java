package org.loomio.operator.render.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.loomio.operator.model.Labels;
import org.loomio.operator.testing.Fixtures;

class DataVolumeClaimsTest {

  private static List<PersistentVolumeClaim> claims(String spec) {
    return DataVolumeClaims.render(WebDeploymentTest.context(Fixtures.resource("team", spec)));
  }

  @Test
  void uploadsAndDatabaseClaimsWithDefaults() {
    List<PersistentVolumeClaim> c = claims("host: a.example.org");
    assertThat(c)
        .extracting(p -> p.getMetadata().getName())
        .containsExactly("team-uploads", "team-postgres-data", "team-backups");
    assertThat(c.get(0).getSpec().getResources().getRequests().get("storage").toString())
        .isEqualTo("20Gi");
    assertThat(c.get(0).getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
    assertThat(c.get(1).getSpec().getResources().getRequests().get("storage").toString())
        .isEqualTo("10Gi");
    assertThat(c).allSatisfy(p -> {
      assertThat(p.getSpec().getStorageClassName()).isNull();
      assertThat(p.getMetadata().getOwnerReferences()).isNullOrEmpty();
      assertThat(p.getMetadata().getLabels()).containsEntry(Labels.INSTANCE, "team");
    });
  }

  @Test
  void sizesClassesAndModesAsAskedAndNoneWhenElsewhere() {
    List<PersistentVolumeClaim> c = claims("""
        host: a.example.org
        storage: {volume: {size: 100Gi, storageClassName: nfs, accessMode: ReadWriteMany}}
        database: {embedded: {storage: {storageClassName: fast}}}
        """);
    assertThat(c.get(0).getSpec().getAccessModes()).containsExactly("ReadWriteMany");
    assertThat(c.get(0).getSpec().getStorageClassName()).isEqualTo("nfs");
    assertThat(c.get(1).getSpec().getStorageClassName()).isEqualTo("fast");
    assertThat(c.get(1).getSpec().getResources().getRequests().get("storage").toString())
        .isEqualTo("10Gi");
    assertThat(claims("""
        host: a.example.org
        storage: {s3: {endpoint: https://s3.example.org, bucket: up, credentialsSecretRef: {name: s3}}}
        database: {external: {host: pg, passwordSecretRef: {name: p, key: k}, version: 16}}
        backup: {volume: {enabled: false}, s3: {endpoint: https://s3.example.org, bucket: bk, credentialsSecretRef: {name: s3}}}
        """)).isEmpty();
  }
}
