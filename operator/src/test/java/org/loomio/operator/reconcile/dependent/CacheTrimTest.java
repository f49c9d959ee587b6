package org.loomio.operator.reconcile.dependent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.SSABasedGenericKubernetesResourceMatcher;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What the informers keep of an object (docs/performance.md): owned objects keep exactly the part of their
 * managedFields that JOSDK's server-side-apply matcher reads, so it decides as before; read-only caches keep none.
 * The owned objects are real ones, as kube-apiserver 1.20 returned them to the operator (the rig).
 */
class CacheTrimTest {

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private static List<HasMetadata> owned() throws Exception {
    try (InputStream in = CacheTrimTest.class.getResourceAsStream(
        "/cache/owned-objects-from-kube-apiserver-1.20.json")) {
      return SERIALIZATION.unmarshal(in, KubernetesList.class).getItems();
    }
  }

  private static HasMetadata copy(HasMetadata o) {
    return SERIALIZATION.unmarshal(SERIALIZATION.asJson(o), o.getClass());
  }

  private static ManagedFieldsEntry own(HasMetadata o) {
    return o.getMetadata().getManagedFields().stream()
        .filter(
            e -> CacheTrim.FIELD_MANAGER.equals(e.getManager()) && "Apply".equals(e.getOperation()))
        .findFirst()
        .orElseThrow();
  }

  /** JOSDK's own pruning step (package-private): the actual object reduced to the fields this entry manages. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> managedPart(HasMetadata actual, ManagedFieldsEntry entry)
      throws Exception {
    Method keep = SSABasedGenericKubernetesResourceMatcher.class.getDeclaredMethod(
        "keepOnlyManagedFields", Map.class, Map.class, Map.class, KubernetesSerialization.class);
    keep.setAccessible(true);
    Map<String, Object> result = new HashMap<>();
    keep.invoke(
        null,
        result,
        SERIALIZATION.convertValue(actual, Map.class),
        entry.getFieldsV1().getAdditionalProperties(),
        SERIALIZATION);
    return result;
  }

  @Test
  void ownedObjectsKeepOnlyTheOperatorsEntryAndTheMatcherSeesTheSameFields() throws Exception {
    List<HasMetadata> objects = owned();
    assertThat(objects)
        .extracting(HasMetadata::getKind)
        .containsExactly("Deployment", "Service", "NetworkPolicy", "StatefulSet");
    for (HasMetadata original : objects) {
      HasMetadata trimmed = CacheTrim.owned(copy(original));
      assertThat(trimmed.getMetadata().getManagedFields())
          .as(original.getKind())
          .extracting(ManagedFieldsEntry::getManager)
          .containsExactly(CacheTrim.FIELD_MANAGER);
      Map<String, Object> before = managedPart(original, own(original));
      Map<String, Object> after = managedPart(trimmed, own(trimmed));
      assertThat(before)
          .as(original.getKind() + ": the fields the operator applied")
          .isNotEmpty()
          .containsKey("spec");
      assertThat(after).as(original.getKind()).isEqualTo(before);
      // everything but managedFields is untouched
      trimmed.getMetadata().setManagedFields(original.getMetadata().getManagedFields());
      assertThat(SERIALIZATION.asJson(trimmed)).isEqualTo(SERIALIZATION.asJson(original));
    }
    // the controller-manager's status entry of the Deployment is what goes
    assertThat(objects.get(0).getMetadata().getManagedFields())
        .extracting(ManagedFieldsEntry::getManager)
        .contains("kube-controller-manager");
  }

  @Test
  void fieldSetsAreCompactWithOneSharedLeaf() throws Exception {
    HasMetadata deployment = CacheTrim.owned(copy(owned().get(0)));
    Map<String, Object> fields = own(deployment).getFieldsV1().getAdditionalProperties();
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) fields.get("f:spec");
    assertThat(spec.get("f:replicas")).isSameAs(Map.of());
    assertThat(spec.getClass().getName()).startsWith("java.util.ImmutableCollections$");
    // the same key in two objects is one String
    HasMetadata other = CacheTrim.owned(copy(owned().get(0)));
    String key = fields.keySet().stream().filter("f:spec"::equals).findFirst().orElseThrow();
    String otherKey = own(other).getFieldsV1().getAdditionalProperties().keySet().stream()
        .filter("f:spec"::equals)
        .findFirst()
        .orElseThrow();
    assertThat(otherKey).isSameAs(key);
  }

  @Test
  void ownedObjectsLoseAClientSideApplysLastAppliedConfiguration() throws Exception {
    HasMetadata deployment = copy(owned().get(0));
    deployment
        .getMetadata()
        .getAnnotations()
        .put(CacheTrim.LAST_APPLIED, "{\"kind\":\"Deployment\"}");
    assertThat(CacheTrim.owned(deployment).getMetadata().getAnnotations())
        .doesNotContainKey(CacheTrim.LAST_APPLIED)
        .isNotEmpty();
  }

  @Test
  void ownedObjectWithoutTheOperatorsEntryKeepsNone() {
    var secret = new SecretBuilder()
        .withNewMetadata()
        .withName("x")
        .withManagedFields(new ManagedFieldsEntryBuilder()
            .withManager("kubectl")
            .withOperation("Update")
            .build())
        .endMetadata()
        .build();
    assertThat(CacheTrim.owned(secret).getMetadata().getManagedFields()).isNull();
  }

  @Test
  void readOnlyCachesKeepNoManagedFieldsButEveryAnnotation() {
    var secret = new SecretBuilder()
        .withNewMetadata()
        .withName("team-secrets")
        .withManagedFields(new ManagedFieldsEntryBuilder()
            .withManager("loomio-operator")
            .withOperation("Update")
            .build())
        .addToAnnotations(CacheTrim.LAST_APPLIED, "{...}")
        .addToAnnotations("kept", "yes")
        .endMetadata()
        .addToData("k", "dg==")
        .build();
    var trimmed = CacheTrim.readOnly(secret);
    assertThat(trimmed.getMetadata().getManagedFields()).isNull();
    // an update of the cached Secret sends its annotations: they must all be there
    assertThat(trimmed.getMetadata().getAnnotations())
        .containsOnlyKeys(CacheTrim.LAST_APPLIED, "kept");
    assertThat(trimmed.getData()).containsEntry("k", "dg==");
  }

  @Test
  void jobPodsKeepLabelsAndStatusButNoSpec() {
    Pod pod = new PodBuilder()
        .withNewMetadata()
        .withName("team-migrate-x")
        .addToLabels("job-name", "team-migrate")
        .withManagedFields(new ManagedFieldsEntryBuilder()
            .withManager("kube-controller-manager")
            .build())
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("migrate")
        .withImage("loomio")
        .endContainer()
        .endSpec()
        .withNewStatus()
        .withPhase("Failed")
        .withReason("DeadlineExceeded")
        .addNewCondition()
        .withType("Ready")
        .endCondition()
        .addNewContainerStatus()
        .withName("migrate")
        .withNewState()
        .withNewTerminated()
        .withExitCode(1)
        .withMessage("boom")
        .endTerminated()
        .endState()
        .endContainerStatus()
        .endStatus()
        .build();
    Pod trimmed = CacheTrim.pod(pod);
    assertThat(trimmed.getSpec()).isNull();
    assertThat(trimmed.getMetadata().getManagedFields()).isNull();
    assertThat(trimmed.getMetadata().getLabels()).containsEntry("job-name", "team-migrate");
    assertThat(trimmed.getStatus().getPhase()).isEqualTo("Failed");
    assertThat(trimmed.getStatus().getReason()).isEqualTo("DeadlineExceeded");
    assertThat(trimmed.getStatus().getConditions()).isNull();
    assertThat(trimmed
            .getStatus()
            .getContainerStatuses()
            .get(0)
            .getState()
            .getTerminated()
            .getMessage())
        .isEqualTo("boom");
  }

  @Test
  void aStoreOnlyWhereOneInformerFillsIt() {
    assertThat(CacheTrim.singleInformer(Set.of(Constants.WATCH_ALL_NAMESPACES))).isTrue();
    assertThat(CacheTrim.singleInformer(Set.of("team"))).isTrue();
    // JOSDK gives one store to one informer per namespace: a re-list of one would empty the others'
    assertThat(CacheTrim.singleInformer(Set.of("team", "other"))).isFalse();
  }
}
