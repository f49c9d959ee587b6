package org.loomio.operator.render.base;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Labels;

/** The one ownership rule, both directions: what is the stack's is written; nothing else ever is. */
class OwnershipTest {

  private static final String UID = "uid-team";

  private static HasMetadata service(Map<String, String> labels, String ownerUid) {
    var b = new ServiceBuilder().withNewMetadata().withName("team-web").withLabels(labels);
    if (ownerUid != null) {
      b.addToOwnerReferences(new OwnerReferenceBuilder()
          .withApiVersion("loomio.org/v1alpha1")
          .withKind("LoomioDeployment")
          .withName("team")
          .withUid(ownerUid)
          .withController(true)
          .build());
    }
    return b.endMetadata().build();
  }

  private static HasMetadata claim(Map<String, String> labels, String recordedUid) {
    var m = new PersistentVolumeClaimBuilder()
        .withNewMetadata()
        .withName("team-uploads")
        .withLabels(labels);
    if (recordedUid != null) {
      m.addToAnnotations(Ownership.OWNER_UID, recordedUid);
    }
    return m.endMetadata().build();
  }

  @Test
  void ownedObjectsNeedTheLabelsAndAnOwnerReferenceToThisResource() {
    Map<String, String> ours = Labels.of("team", Component.WEB);
    assertThat(Ownership.owned(null, "team", UID).state()).isEqualTo(Ownership.State.ABSENT);
    assertThat(Ownership.owned(service(ours, UID), "team", UID).state())
        .isEqualTo(Ownership.State.OURS);
    assertThat(Ownership.owned(service(Map.of(), UID), "team", UID).state())
        .isEqualTo(Ownership.State.FOREIGN);
    assertThat(Ownership.owned(service(ours, null), "team", UID).why())
        .isEqualTo(
            "Service team-web exists and is not this stack's: it carries the operator's labels but is not owned"
                + " by this LoomioDeployment (no owner reference to its UID)");
    assertThat(
            Ownership.owned(service(ours, "an earlier resource"), "team", UID).state())
        .isEqualTo(Ownership.State.FOREIGN);
    assertThat(Ownership.owned(service(Labels.of("other", Component.WEB), UID), "team", UID)
            .why())
        .contains("it belongs to stack other");
    Map<String, String> notTheOperator = new java.util.HashMap<>(ours);
    notTheOperator.put(Labels.MANAGED_BY, "helm");
    assertThat(Ownership.owned(service(notTheOperator, UID), "team", UID).why())
        .contains("it was not created by the operator");
  }

  @Test
  void retainedObjectsAreTakenBackOnlyWhenTheirRecordedOwnerIsGone() {
    Map<String, String> ours = Labels.of("team", Component.UPLOADS);
    assertThat(Ownership.retained(claim(ours, UID), "team", UID, u -> true).state())
        .isEqualTo(Ownership.State.OURS);
    // an earlier LoomioDeployment of this name, deleted with deletionPolicy Retain: re-attached
    assertThat(
            Ownership.retained(claim(ours, "deleted"), "team", UID, u -> false).state())
        .isEqualTo(Ownership.State.ADOPT);
    // made before the operator recorded UIDs
    assertThat(Ownership.retained(claim(ours, null), "team", UID, u -> false).state())
        .isEqualTo(Ownership.State.ADOPT);
    // recorded for a resource that exists now: never taken
    assertThat(Ownership.retained(claim(ours, "alive"), "team", UID, "alive"::equals)
            .state())
        .isEqualTo(Ownership.State.FOREIGN);
    assertThat(Ownership.retained(claim(Map.of("app", "x"), null), "team", UID, u -> false)
            .state())
        .isEqualTo(Ownership.State.FOREIGN);
    assertThat(Ownership.ours(Ownership.retained(claim(ours, null), "team", UID, u -> false)))
        .isFalse();
  }

  @Test
  void requireThrowsOnlyForForeignObjects() {
    assertThatThrownBy(
            () -> Ownership.require(Ownership.owned(service(Map.of(), null), "team", UID)))
        .isInstanceOf(Ownership.ConflictException.class)
        .hasMessageStartingWith("Service team-web exists");
    assertThat(Ownership.require(Ownership.owned(null, "team", UID)).usable()).isTrue();
  }

  /** The CloudNativePG Cluster a deletion with Retain kept: adopted only by its proof, never without it. */
  @Test
  void anOrphanedObjectIsAdoptedOnlyWithTheRecordedUidOfAResourceThatIsGone() {
    Map<String, String> ours = Labels.of("team", Component.POSTGRES);
    java.util.function.Predicate<String> live = "uid-other"::equals;
    assertThat(Ownership.orphaned(null, "team", UID, live).state())
        .isEqualTo(Ownership.State.ABSENT);
    assertThat(Ownership.orphaned(service(ours, UID), "team", UID, live).state())
        .as("owned")
        .isEqualTo(Ownership.State.OURS);
    assertThat(Ownership.orphaned(claim(ours, "uid-gone"), "team", UID, live).state())
        .as("kept by an earlier resource of this name")
        .isEqualTo(Ownership.State.ADOPT);
    assertThat(Ownership.orphaned(claim(ours, UID), "team", UID, live).state())
        .isEqualTo(Ownership.State.ADOPT);
    assertThat(Ownership.orphaned(claim(ours, null), "team", UID, live).why())
        .as("no recorded UID: never orphaned by the operator (unlike a claim from before UIDs)")
        .contains("no owner reference to this LoomioDeployment and no " + Ownership.OWNER_UID);
    assertThat(Ownership.orphaned(claim(ours, "uid-other"), "team", UID, live).why())
        .contains("another LoomioDeployment that still exists");
    assertThat(
            Ownership.orphaned(claim(Map.of(), "uid-gone"), "team", UID, live).state())
        .isEqualTo(Ownership.State.FOREIGN);
    assertThat(Ownership.orphaned(
                claim(Labels.of("other", Component.POSTGRES), "uid-gone"), "team", UID, live)
            .state())
        .isEqualTo(Ownership.State.FOREIGN);
    HasMetadata ownedElsewhere = service(ours, "uid-gone");
    ownedElsewhere.getMetadata().setAnnotations(Map.of(Ownership.OWNER_UID, "uid-gone"));
    assertThat(Ownership.orphaned(ownedElsewhere, "team", UID, live).state())
        .as("another owner reference: not an orphan")
        .isEqualTo(Ownership.State.FOREIGN);
  }
}
