package org.loomio.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Retention over a synthetic calendar. */
class RetentionTest {

  private static final String STACK = "team";

  private static Retention.Candidate backup(String time, boolean complete) {
    Instant t = Instant.parse(time);
    return new Retention.Candidate(BackupNames.name(STACK, t), t, complete);
  }

  private static Set<String> survivors(
      List<Retention.Candidate> all, Retention.Policy policy, Instant now, String current) {
    Set<String> left = new HashSet<>(all.stream().map(Retention.Candidate::name).toList());
    List<String> deleted = Retention.toDelete(STACK, all, policy, now, current);
    assertThat(left).containsAll(deleted);
    deleted.forEach(left::remove);
    return left;
  }

  private static String name(String time) {
    return BackupNames.name(STACK, Instant.parse(time));
  }

  @Test
  void fourHundredDaysOfDailyBackupsWithTheDefaultPolicy() {
    // a backup every day at 02:00 UTC from 2024-01-01 to 2025-02-03 (400 days), plus a second one
    // on some days
    List<Retention.Candidate> all = new ArrayList<>();
    LocalDate first = LocalDate.parse("2024-01-01");
    for (int i = 0; i < 400; i++) {
      all.add(backup(first.plusDays(i) + "T02:00:00Z", true));
    }
    LocalDate last = first.plusDays(399);
    assertThat(last).isEqualTo(LocalDate.parse("2025-02-03")); // a Monday
    all.add(backup("2025-02-03T14:00:00Z", true)); // the newest
    all.add(backup("2025-02-01T20:00:00Z", true)); // a Saturday evening: newest of that day
    all.add(backup("2025-01-31T23:59:59Z", true)); // newest of January
    all.add(backup("2024-12-31T12:00:00Z", true)); // newest of December
    Instant now = Instant.parse("2025-02-03T14:00:05Z");

    Set<String> kept = survivors(all, Retention.Policy.DEFAULT, now, name("2025-02-03T14:00:00Z"));

    Set<String> expected = Set.of(
        // keepLast 7: the newest seven
        name("2025-02-03T14:00:00Z"),
        name("2025-02-03T02:00:00Z"),
        name("2025-02-02T02:00:00Z"),
        name("2025-02-01T20:00:00Z"),
        name("2025-02-01T02:00:00Z"),
        name("2025-01-31T23:59:59Z"),
        name("2025-01-31T02:00:00Z"),
        // daily 7: newest of 02-03, 02-02, 02-01, 01-31 (already kept), 01-30, 01-29, 01-28
        name("2025-01-30T02:00:00Z"),
        name("2025-01-29T02:00:00Z"),
        name("2025-01-28T02:00:00Z"),
        // weekly 4 (ISO weeks start on Monday): W06 (02-03), W05 -> 02-02, W04 -> 01-26, W03 ->
        // 01-19
        name("2025-01-26T02:00:00Z"),
        name("2025-01-19T02:00:00Z"),
        // monthly 6: Feb, Jan (01-31 23:59:59), Dec (12-31 12:00), Nov, Oct, Sep
        name("2024-12-31T12:00:00Z"),
        name("2024-11-30T02:00:00Z"),
        name("2024-10-31T02:00:00Z"),
        name("2024-09-30T02:00:00Z"));
    assertThat(kept).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void weeksAreIsoWeeksAcrossTheYearBoundary() {
    // 2024-12-30 (Mon) .. 2025-01-05 (Sun) are all ISO week 2025-W01
    List<Retention.Candidate> all = List.of(
        backup("2024-12-29T02:00:00Z", true), // 2024-W52 (Sunday)
        backup("2024-12-30T02:00:00Z", true), // 2025-W01
        backup("2025-01-05T02:00:00Z", true)); // 2025-W01, newest
    Retention.Policy weeklyOnly = new Retention.Policy(0, 0, 2, 0);
    assertThat(survivors(all, weeklyOnly, Instant.parse("2025-01-06T00:00:00Z"), null))
        .containsExactlyInAnyOrder(name("2024-12-29T02:00:00Z"), name("2025-01-05T02:00:00Z"));
  }

  @Test
  void theNewestCompleteBackupSurvivesAZeroPolicy() {
    List<Retention.Candidate> all = List.of(
        backup("2025-01-01T00:00:00Z", true),
        backup("2025-01-02T00:00:00Z", true),
        backup("2025-01-03T00:00:00Z", false));
    assertThat(survivors(
            all, new Retention.Policy(0, 0, 0, 0), Instant.parse("2025-01-03T01:00:00Z"), null))
        .containsExactlyInAnyOrder(name("2025-01-02T00:00:00Z"), name("2025-01-03T00:00:00Z"));
  }

  @Test
  void incompleteBackupsGoOnlyAfterADayAndNeverTheCurrentOne() {
    Instant now = Instant.parse("2025-03-10T12:00:00Z");
    List<Retention.Candidate> all = List.of(
        backup("2025-03-01T00:00:00Z", false), // stale failure: deleted
        backup("2025-03-09T11:59:59Z", false), // just over 24 h: deleted
        backup("2025-03-09T12:00:01Z", false), // just under 24 h: kept (it may still be running)
        backup(
            "2025-03-08T00:00:00Z", false), // old, but the one being written (a clock jump): kept
        backup("2025-03-10T11:00:00Z", true));
    assertThat(survivors(all, Retention.Policy.DEFAULT, now, name("2025-03-08T00:00:00Z")))
        .containsExactlyInAnyOrder(
            name("2025-03-09T12:00:01Z"),
            name("2025-03-08T00:00:00Z"),
            name("2025-03-10T11:00:00Z"));
    assertThat(Retention.INCOMPLETE_GRACE).isEqualTo(Duration.ofHours(24));
  }

  @Test
  void otherNamesAreNeverConsidered() {
    Instant t = Instant.parse("2020-01-01T00:00:00Z");
    List<Retention.Candidate> all = List.of(
        new Retention.Candidate("team-b-20200101T000000Z", t, true),
        new Retention.Candidate("other-20200101T000000Z", t, false),
        new Retention.Candidate("team-2020", t, false),
        backup("2020-01-01T00:00:00Z", true),
        backup("2020-01-02T00:00:00Z", true));
    assertThat(Retention.toDelete(
            STACK, all, new Retention.Policy(1, 0, 0, 0), t.plus(Duration.ofDays(900)), null))
        .containsExactly(name("2020-01-01T00:00:00Z"));
  }

  @Test
  void deletionsAreOldestFirst() {
    List<Retention.Candidate> all = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      all.add(backup(
          LocalDate.parse("2025-01-01")
              .plusDays(i)
              .atStartOfDay()
              .toInstant(ZoneOffset.UTC)
              .toString(),
          true));
    }
    java.util.Collections.reverse(all);
    assertThat(Retention.toDelete(
            STACK,
            all,
            new Retention.Policy(2, 0, 0, 0),
            Instant.parse("2025-02-01T00:00:00Z"),
            null))
        .containsExactly(
            name("2025-01-01T00:00:00Z"),
            name("2025-01-02T00:00:00Z"),
            name("2025-01-03T00:00:00Z"));
  }
}
