package org.loomio.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class BackupNamesTest {

  @Test
  void namesAreStackAndUtcSecond() {
    assertThat(BackupNames.name("team", Instant.parse("2025-01-31T02:03:04.987Z")))
        .isEqualTo("team-20250131T020304Z");
    assertThat(BackupNames.parse("team", "team-20250131T020304Z"))
        .contains(Instant.parse("2025-01-31T02:03:04Z"));
  }

  @Test
  void onlyThisStacksNamesParse() {
    assertThat(BackupNames.parse("team", "team-b-20250131T020304Z")).isEmpty();
    assertThat(BackupNames.parse("team-b", "team-b-20250131T020304Z")).isPresent();
    assertThat(BackupNames.parse("team", "team-20250131T020304Z-x")).isEmpty();
    assertThat(BackupNames.parse("team", "team-20251331T020304Z")).isEmpty(); // month 13
    assertThat(BackupNames.parse("team", "team-20250131t020304z")).isEmpty();
    assertThat(BackupNames.parse("team", "../team-20250131T020304Z")).isEmpty();
    assertThat(BackupNames.parse("Team", "Team-20250131T020304Z")).isEmpty();
    assertThatThrownBy(() -> BackupNames.requireBackupOf("team", "other-20250131T020304Z"))
        .hasMessageContaining("not a backup name of stack 'team'");
    assertThatThrownBy(() -> BackupNames.name("Bad_Name", Instant.EPOCH))
        .hasMessageContaining("invalid stack name");
  }
}
