package org.loomio.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.LoomioBackup;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.status.EventRecorder;
import org.loomio.operator.testing.Fixtures;

/** The backup an upgrade waits for, and the event that announces it. */
@EnableKubernetesMockClient(crud = true)
class PreUpgradeBackupTest {

  KubernetesClient client; // injected by the mock server extension

  /** An operator configured with another default Loomio image names that image's tag, not the built-in one. */
  @Test
  void theEventNamesTheTagTheStackMigratesTo() {
    LoomioDeployment resource = Fixtures.resource("team", "host: team.example.org");
    resource.getMetadata().setNamespace("loomio");
    resource.getMetadata().setUid("uid-1");
    ImageDefaults configured = new ImageDefaults(
        new ImageDefaults.Ref("registry.example.org/loomio/loomio", "v9.9.9", null),
        ImageDefaults.BUILT_IN.postgresRepository(),
        ImageDefaults.BUILT_IN.redis());
    ResolvedSpec spec = ResolvedSpec.of(resource, configured);
    assertThat(spec.loomioTag()).isEqualTo("v9.9.9");

    LoomioDeploymentReconciler.createPreUpgradeBackup(
        client, resource, spec, "team-pre-upgrade-1", new EventRecorder(client));

    LoomioBackup backup = client
        .resources(LoomioBackup.class)
        .inNamespace("loomio")
        .withName("team-pre-upgrade-1")
        .get();
    assertThat(backup.getSpec().getDeploymentName()).isEqualTo("team");
    assertThat(backup.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo("uid-1"));
    List<Event> events = client.v1().events().inNamespace("loomio").list().getItems();
    assertThat(events)
        .singleElement()
        .satisfies(e -> assertThat(e.getMessage())
            .isEqualTo("taking backup team-pre-upgrade-1 before migrating to v9.9.9;"
                + " the migration waits for it"));
  }
}
