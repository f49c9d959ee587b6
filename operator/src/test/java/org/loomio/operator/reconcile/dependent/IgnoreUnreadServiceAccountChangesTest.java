package org.loomio.operator.reconcile.dependent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Which ServiceAccount updates reconcile the stack: every change of something the operator reads or owns, and
 * not the token controller's {@code secrets} (Kubernetes up to 1.23), a new resourceVersion or another field
 * manager's entry. Both sides are compared as the informer hands them over: trimmed by {@link CacheTrim#owned}.
 */
class IgnoreUnreadServiceAccountChangesTest {

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private final IgnoreUnreadServiceAccountChanges filter = new IgnoreUnreadServiceAccountChanges();

  private static ManagedFieldsEntry entry(
      String manager, String operation, String time, String field) {
    return new ManagedFieldsEntryBuilder()
        .withManager(manager)
        .withOperation(operation)
        .withApiVersion("v1")
        .withFieldsType("FieldsV1")
        .withTime(time)
        .withNewFieldsV1()
        .addToAdditionalProperties("f:metadata", Map.of("f:labels", Map.of(field, Map.of())))
        .endFieldsV1()
        .build();
  }

  /** An owned ServiceAccount as kube-apiserver 1.20 returns it, token Secret included. */
  private static ServiceAccount account() {
    return new ServiceAccountBuilder()
        .withNewMetadata()
        .withName("team-web")
        .withNamespace("team")
        .withUid("8f1c")
        .withResourceVersion("100")
        .addToLabels("app.kubernetes.io/managed-by", "loomio-operator")
        .addToLabels("app.kubernetes.io/instance", "team")
        .addToAnnotations("loomio.org/note", "x")
        .addToAnnotations(CacheTrim.LAST_APPLIED, "{}")
        .addToOwnerReferences(new OwnerReferenceBuilder()
            .withApiVersion("loomio.org/v1alpha1")
            .withKind("LoomioDeployment")
            .withName("team")
            .withUid("1234")
            .withController(true)
            .build())
        .addToManagedFields(entry("loomio-operator", "Apply", "2026-12-07T01:00:00Z", "f:app"))
        .addToManagedFields(
            entry("kube-controller-manager", "Update", "2026-12-07T01:00:01Z", "f:x"))
        .endMetadata()
        .withAutomountServiceAccountToken(false)
        .addToSecrets(
            new ObjectReferenceBuilder().withName("team-web-token-abcde").build())
        .build();
  }

  /** The old object as the cache holds it, the new one changed as given and trimmed the same way. */
  private boolean accepted(Consumer<ServiceAccount> change) {
    ServiceAccount old = CacheTrim.owned(account());
    ServiceAccount changed = account();
    change.accept(changed);
    return filter.accept(CacheTrim.owned(changed), old);
  }

  @Test
  void theTokenControllersSecretsAloneAreDropped() {
    assertThat(accepted(sa -> {
          sa.getSecrets()
              .add(new ObjectReferenceBuilder().withName("team-web-token-fghij").build());
          sa.getMetadata().setResourceVersion("101");
          sa.getMetadata()
              .getManagedFields()
              .set(1, entry("kube-controller-manager", "Update", "2026-12-07T02:00:00Z", "f:y"));
        }))
        .isFalse();
    assertThat(accepted(sa -> sa.setSecrets(null))).isFalse();
    assertThat(accepted(sa -> sa.getMetadata().setResourceVersion("102"))).isFalse();
  }

  @Test
  void anotherManagersEntryAloneIsDropped() {
    assertThat(accepted(sa -> sa.getMetadata()
            .getManagedFields()
            .add(entry("kubectl-edit", "Update", "2026-12-07T02:00:00Z", "f:z"))))
        .isFalse();
  }

  @Test
  void theSameObjectUntrimmedIsDroppedToo() {
    // like with like: the filter reads both sides through one view, trimmed or not
    assertThat(filter.accept(account(), CacheTrim.owned(account()))).isFalse();
  }

  static Stream<Arguments> relevantChanges() {
    return Stream.of(
        Arguments.of("label removed", (Consumer<ServiceAccount>)
            sa -> sa.getMetadata().getLabels().remove("app.kubernetes.io/instance")),
        Arguments.of("label added", (Consumer<ServiceAccount>)
            sa -> sa.getMetadata().getLabels().put("extra", "1")),
        Arguments.of("annotation", (Consumer<ServiceAccount>)
            sa -> sa.getMetadata().getAnnotations().put("loomio.org/note", "y")),
        Arguments.of("ownerReferences", (Consumer<ServiceAccount>)
            sa -> sa.getMetadata().getOwnerReferences().clear()),
        Arguments.of("finalizers", (Consumer<ServiceAccount>)
            sa -> sa.getMetadata().getFinalizers().add("example.org/hold")),
        Arguments.of("deletionTimestamp", (Consumer<ServiceAccount>)
            sa -> sa.getMetadata().setDeletionTimestamp("2026-12-07T03:00:00Z")),
        Arguments.of("automountServiceAccountToken", (Consumer<ServiceAccount>)
            sa -> sa.setAutomountServiceAccountToken(true)),
        Arguments.of("automountServiceAccountToken unset", (Consumer<ServiceAccount>)
            sa -> sa.setAutomountServiceAccountToken(null)),
        Arguments.of("imagePullSecrets", (Consumer<ServiceAccount>) sa -> sa.getImagePullSecrets()
            .add(new io.fabric8.kubernetes.api.model.LocalObjectReferenceBuilder()
                .withName("registry")
                .build())),
        Arguments.of("the operator's managedFields entry (another manager took a field)", (Consumer<
                ServiceAccount>)
            sa -> sa.getMetadata()
                .getManagedFields()
                .set(0, entry("loomio-operator", "Apply", "2026-12-07T02:00:00Z", "f:other"))),
        Arguments.of("the operator's managedFields entry gone", (Consumer<ServiceAccount>)
            sa -> sa.getMetadata().getManagedFields().remove(0)),
        Arguments.of("an unforeseen field", (Consumer<ServiceAccount>)
            sa -> sa.setAdditionalProperty("future", "1")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("relevantChanges")
  void aChangeTheOperatorReadsIsKept(String field, Consumer<ServiceAccount> change) {
    assertThat(accepted(change)).as(field).isTrue();
    // with the token controller's write in the same update, too
    assertThat(accepted(change.andThen(
            sa -> sa.getSecrets().add(new ObjectReferenceBuilder().withName("t").build()))))
        .as(field + " and secrets")
        .isTrue();
  }

  @Test
  void neitherSideIsChanged() {
    ServiceAccount old = account();
    ServiceAccount changed = account();
    changed.getSecrets().clear();
    String oldJson = SERIALIZATION.asJson(old);
    String newJson = SERIALIZATION.asJson(changed);
    filter.accept(changed, old);
    assertThat(SERIALIZATION.asJson(old)).isEqualTo(oldJson);
    assertThat(SERIALIZATION.asJson(changed)).isEqualTo(newJson);
  }
}
