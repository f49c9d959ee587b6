package org.loomio.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.loomio.operator.upgrade.UpgradePath;

/** The status vocabulary: one enum of reasons per condition type, each reason its condition's. */
class ConditionReasonsTest {

  private static final List<ConditionReason[]> ALL = List.of(
      ReadyReason.values(),
      ProgressingReason.values(),
      DegradedReason.values(),
      MailDeliveryReason.values(),
      APIAvailableReason.values(),
      EdgeReason.values(),
      BackupsHealthyReason.values(),
      IsolatedReason.values(),
      SecretsFreshReason.values(),
      NetworkPoliciesReason.values());

  @Test
  void everyConditionTypeHasOneEnumOfReasons() {
    List<String> types = ALL.stream().map(r -> r[0].type()).toList();
    assertThat(types).containsExactlyInAnyOrderElementsOf(Conditions.ORDER);
    for (ConditionReason[] reasons : ALL) {
      assertThat(Stream.of(reasons).map(ConditionReason::type).distinct()).hasSize(1);
      assertThat(Stream.of(reasons).map(ConditionReason::value).distinct()).hasSize(reasons.length);
    }
  }

  @Test
  void aReasonIsOneCamelCaseWordThatItsConditionCarries() {
    for (ConditionReason[] reasons : ALL) {
      for (ConditionReason reason : reasons) {
        assertThat(reason.value()).matches("[A-Z][A-Za-z]*");
        assertThat(reason.toString()).isEqualTo(reason.value());
        assertThat(Conditions.of(reason, Conditions.TRUE, "m", 1L).getType())
            .isEqualTo(reason.type());
        assertThat(Conditions.of(reason, Conditions.TRUE, "m", 1L).getReason())
            .isEqualTo(reason.value());
      }
    }
  }

  /** A spec that cannot be applied sets Degraded, Ready and Progressing with one reason. */
  @Test
  void whatBlocksAStackIsAReasonOfDegradedReadyAndProgressing() {
    Map<String, String> ready =
        Stream.of(ReadyReason.values()).collect(Collectors.toMap(Enum::name, ReadyReason::value));
    Map<String, String> progressing = Stream.of(ProgressingReason.values())
        .collect(Collectors.toMap(Enum::name, ProgressingReason::value));
    for (DegradedReason blocked : List.of(
        DegradedReason.INVALID_SPEC,
        DegradedReason.SECRET_NOT_FOUND,
        DegradedReason.CONSENT_REQUIRED,
        DegradedReason.MISSING_SECRET_KEY,
        DegradedReason.INCOMPLETE_CREDENTIALS,
        DegradedReason.NAME_CONFLICT,
        DegradedReason.DOWNGRADE_REFUSED,
        DegradedReason.UPGRADE_SKIPS_VERSION,
        DegradedReason.RECONCILE_FAILED)) {
      assertThat(ready).containsEntry(blocked.name(), blocked.value());
      assertThat(progressing).containsEntry(blocked.name(), blocked.value());
    }
  }

  /** The upgrade paths are decided below the status layer, in words: the same words. */
  @Test
  void theUpgradePathsRefusalsAreDegradedReasons() {
    assertThat(DegradedReason.DOWNGRADE_REFUSED.value()).isEqualTo(UpgradePath.DOWNGRADE);
    assertThat(DegradedReason.UPGRADE_SKIPS_VERSION.value())
        .isEqualTo(UpgradePath.SKIPS_STEPPING_STONE);
  }
}
