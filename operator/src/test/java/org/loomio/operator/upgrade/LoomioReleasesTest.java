package org.loomio.operator.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.loomio.operator.upgrade.LoomioReleases.Support;

class LoomioReleasesTest {

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({
    "3.1.0, SERVED",
    "3.1, SERVED",
    "v3.1.4, SERVED",
    "3.5, SERVED",
    "3.5.2-alpine, SERVED",
    "4.0, SERVED",
    "3.10, SERVED",
    "latest, SERVED",
    "stable, SERVED",
    "main-1a2b3c, SERVED",
    "3.0.12, REFUSED",
    "3.0, REFUSED",
    "v3.0.1, REFUSED",
    "2.25.0, REFUSED",
    "2.17, REFUSED",
    "2.4, REFUSED",
    "1.9.0, REFUSED",
    "2.17.2, REFUSED",
    "2.4.2, MIGRATE_ONLY",
    "v2.8.8, MIGRATE_ONLY",
    "2.11.13, MIGRATE_ONLY",
    "2.15.4, MIGRATE_ONLY",
    "2.17.1, MIGRATE_ONLY",
    "2.17.1-alpine, MIGRATE_ONLY"
  })
  void aTagIsServedMigrateOnlyOrRefused(String tag, Support expected) {
    assertThat(LoomioReleases.support(tag)).isEqualTo(expected);
  }

  @Test
  void theTagRegexesAgreeWithTheVersionTable() {
    // every stepping stone below the oldest served release is migrate-only, every one from it on is
    // served
    for (LoomioVersion stone : LoomioReleases.STEPPING_STONES) {
      Support s = LoomioReleases.support(stone.toString());
      assertThat(s)
          .as(stone.toString())
          .isEqualTo(
              stone.compareTo(LoomioReleases.OLDEST_SERVED) < 0
                  ? Support.MIGRATE_ONLY
                  : Support.SERVED);
    }
    // and the regex's boundary is the table's: the last refused and the first served release
    assertThat(LoomioReleases.support("3.0.99")).isEqualTo(Support.REFUSED);
    assertThat(LoomioReleases.support(LoomioReleases.OLDEST_SERVED.toString()))
        .isEqualTo(Support.SERVED);
    assertThat(LoomioReleases.UNSERVED_MESSAGE)
        .contains("before " + LoomioReleases.OLDEST_SERVED)
        .contains("Use " + LoomioReleases.OLDEST_SERVED);
    assertThat(LoomioReleases.RELEASES)
        .extracting(LoomioReleases.Release::version)
        .containsAll(LoomioReleases.STEPPING_STONES)
        .contains(LoomioReleases.OLDEST_SERVED)
        .isSortedAccordingTo(LoomioVersion::compareTo);
  }

  @Test
  void theRefusalNamesTheTagAndWhatToDo() {
    assertThat(LoomioReleases.check("3.0.12"))
        .hasValueSatisfying(m -> assertThat(m)
            .startsWith("Loomio 3.0.12:")
            .contains("3.1.0 or later")
            .contains("migrate-only")
            .contains("2.17.1"));
    assertThat(LoomioReleases.check("2.8.8")).isEmpty();
    assertThat(LoomioReleases.check("3.5")).isEmpty();
  }

  @Test
  void eachMigrateOnlyStoneNamesTheNextStep() {
    assertThat(LoomioReleases.nextStone("2.4.2")).contains(LoomioVersion.of("2.8.8"));
    assertThat(LoomioReleases.nextStone("2.17.1")).contains(LoomioVersion.of("3.2.0"));
  }

  @Test
  void forceSslOnlyWhereTheRedirectSparesEveryInternalCall() {
    // the probes and hocuspocus' callback are excluded from the redirect in every served release
    assertThat(LoomioReleases.INTERNAL_HTTP_PATHS).allMatch(LoomioReleases::excludedFromRedirect);
    // the mail relay's path is not (ASSUME_SSL's middleware is what spares it)
    assertThat(LoomioReleases.excludedFromRedirect(LoomioReleases.MAIL_RELAY_PATH))
        .isFalse();
    assertThat(LoomioReleases.excludedFromRedirect("/api/v1/discussions")).isFalse();
    for (String tag : List.of("3.1", "3.5", "latest")) {
      assertThat(LoomioReleases.forceSsl(tag)).as(tag).isTrue();
    }
    assertThat(LoomioReleases.forceSsl("2.17.1"))
        .as("migrate-only: its pods never serve")
        .isFalse();
  }
}
