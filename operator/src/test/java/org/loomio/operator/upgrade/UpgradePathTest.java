package org.loomio.operator.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UpgradePathTest {

  @ParameterizedTest(name = "{0} -> {1} must first run {2}")
  @CsvSource({
    "2.3.0, 2.8.8, 2.4.2",
    "2.4.2, 2.11.13, 2.8.8",
    "2.17.1, 3.3.0, 3.2.0",
    "2.20.1, 3.5, 3.2.0",
    "3.1.5, 3.3, 3.2.0",
    "3.2, 3.4, 3.3.0",
    "v3.2.1, 3.5.0-alpine, 3.3.0"
  })
  void aSkippedSteppingStoneIsRefusedNamingIt(String from, String to, String first) {
    var verdict = UpgradePath.check(from, to);
    assertThat(verdict).isInstanceOf(UpgradePath.Verdict.Refused.class);
    var refused = (UpgradePath.Verdict.Refused) verdict;
    assertThat(refused.reason()).isEqualTo(UpgradePath.SKIPS_STEPPING_STONE);
    assertThat(refused.message())
        .contains("skips " + first)
        .contains("set spec.image.tag to " + first);
  }

  @ParameterizedTest(name = "{0} -> {1} is a downgrade")
  @CsvSource({"3.5, 3.4", "3.5.2, 3.5.1", "3.0.1, 2.25.0", "3.3, 3.2.9"})
  void aDowngradeIsRefused(String from, String to) {
    var verdict = UpgradePath.check(from, to);
    assertThat(verdict).isInstanceOfSatisfying(UpgradePath.Verdict.Refused.class, r -> {
      assertThat(r.reason()).isEqualTo(UpgradePath.DOWNGRADE);
      assertThat(r.message()).contains("cannot migrate a schema backwards").contains(from);
    });
  }

  @ParameterizedTest(name = "{0} -> {1} is allowed")
  @CsvSource({
    "2.17, 3.2",
    "2.4, 2.8",
    "3.2, 3.3.4",
    "3.4, 3.5",
    "3.5.1, 3.5.2",
    "3.5.2, 3.5",
    "3.5, 3.5.1",
    "2.4.2, 2.8.8",
    "3.3.0, 3.5",
    "3.2.0, 3.3",
    "3.5, 3.5",
    "2.17.1, 3.2.0",
    "3.0.12, 3.2"
  })
  void stepsAlongThePathAreAllowed(String from, String to) {
    assertThat(UpgradePath.check(from, to)).isInstanceOf(UpgradePath.Verdict.Allowed.class);
  }

  @Test
  void crossingThreeThreeRunsTheAnonymousPollGateAndOnlyThen() {
    assertThat(((UpgradePath.Verdict.Allowed) UpgradePath.check("3.2", "3.3")).gates())
        .containsExactly(UpgradePath.ANONYMOUS_POLL_GATE);
    assertThat(((UpgradePath.Verdict.Allowed) UpgradePath.check("3.3", "3.5")).gates())
        .isEmpty();
    assertThat(((UpgradePath.Verdict.Allowed) UpgradePath.check("3.1.2", "3.2.0")).gates())
        .isEmpty();
  }

  @Test
  void crossingThreeOneIsTheSolidQueueSwitch() {
    assertThat(
            ((UpgradePath.Verdict.Allowed) UpgradePath.check("3.0.12", "3.2")).crossesSolidQueue())
        .isTrue();
    assertThat(((UpgradePath.Verdict.Allowed) UpgradePath.check("3.2", "3.3")).crossesSolidQueue())
        .isFalse();
  }

  @Test
  void tagsWithoutAVersionCannotBeChecked() {
    assertThat(UpgradePath.check("3.4", "latest"))
        .isInstanceOfSatisfying(
            UpgradePath.Verdict.Unchecked.class,
            u -> assertThat(u.message()).contains("latest names no Loomio version"));
    assertThat(UpgradePath.check("stable", "3.5"))
        .isInstanceOf(UpgradePath.Verdict.Unchecked.class);
  }

  @Test
  void versionsParseFromTags() {
    assertThat(LoomioVersion.parse("3.5")).contains(new LoomioVersion(3, 5, null));
    assertThat(LoomioVersion.parse("v2.11.13")).contains(new LoomioVersion(2, 11, 13));
    assertThat(LoomioVersion.parse("3.5.2-alpine")).contains(new LoomioVersion(3, 5, 2));
    assertThat(LoomioVersion.parse("latest")).isEmpty();
    assertThat(LoomioVersion.parse("sha-0d3c1f")).isEmpty();
    assertThat(
            List.of(LoomioVersion.of("3.5.1"), LoomioVersion.of("3.5"), LoomioVersion.of("2.25.0"))
                .stream()
                .sorted()
                .map(LoomioVersion::toString))
        .containsExactly("2.25.0", "3.5", "3.5.1");
  }

  @ParameterizedTest(name = "{0} -> {1}: patch release {2}")
  @CsvSource({
    "3.5.1, 3.5.2, true",
    "3.5.1, 3.5, true",
    "3.5, 3.5.3, true",
    "3.5, 3.5, true",
    "v3.5.0, 3.5.1-alpine, true",
    "3.4, 3.5, false",
    "3.4.9, 3.5.0, false",
    "3.5, 4.5, false",
    "latest, latest, false",
    "3.5, latest, false"
  })
  void aPatchReleaseStaysWithinOneSeries(String from, String to, boolean patch) {
    assertThat(UpgradePath.patchRelease(from, to)).isEqualTo(patch);
  }
}
