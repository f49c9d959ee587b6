package org.loomio.operator.backup;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Which backups to delete after a new one completes. A pure function of the backups found (name, time,
 * complete), the policy and the current time, so it can be tested over any calendar.
 *
 * <p>Complete backups kept: the newest {@code keepLast}; the newest of each of the newest {@code daily}
 * UTC days that have a backup; likewise for {@code weekly} ISO weeks and {@code monthly} months; and always
 * the newest complete backup, whatever the policy. Every other complete backup is deleted. Incomplete
 * backups (no manifest: a failed or running backup) are deleted only once older than 24 hours, and never
 * the one being written. Names that are not this stack's backups are never considered.
 */
public final class Retention {

  /** An incomplete backup younger than this may still be running (or be looked at): left alone. */
  public static final Duration INCOMPLETE_GRACE = Duration.ofHours(24);

  /** keepLast N + daily D + weekly W + monthly M; defaults 7, 7, 4, 6. */
  public record Policy(int keepLast, int daily, int weekly, int monthly) {
    public static final Policy DEFAULT = new Policy(7, 7, 4, 6);

    public Policy {
      if (keepLast < 0 || daily < 0 || weekly < 0 || monthly < 0) {
        throw new IllegalArgumentException("retention counts must not be negative");
      }
    }
  }

  /** A backup as found at a destination. */
  public record Candidate(String name, Instant createdAt, boolean complete) {}

  private Retention() {}

  /**
   * The names to delete, oldest first.
   *
   * @param current the backup being written now (never deleted), or null
   */
  public static List<String> toDelete(
      String stack, Collection<Candidate> found, Policy policy, Instant now, String current) {
    List<Candidate> ours =
        found.stream().filter(c -> BackupNames.isBackupOf(stack, c.name())).toList();
    List<Candidate> complete = ours.stream()
        .filter(Candidate::complete)
        .sorted(Comparator.comparing(Candidate::createdAt)
            .thenComparing(Candidate::name)
            .reversed())
        .toList();
    Set<String> keep = new HashSet<>();
    if (!complete.isEmpty()) {
      keep.add(complete.get(0).name());
    }
    complete.stream().limit(policy.keepLast()).forEach(c -> keep.add(c.name()));
    keep.addAll(newestPerBucket(complete, policy.daily(), c -> day(c.createdAt())));
    keep.addAll(newestPerBucket(complete, policy.weekly(), c -> week(c.createdAt())));
    keep.addAll(newestPerBucket(
        complete, policy.monthly(), c -> YearMonth.from(c.createdAt().atOffset(ZoneOffset.UTC))));
    Instant staleBefore = now.minus(INCOMPLETE_GRACE);

    List<Candidate> delete = new ArrayList<>();
    for (Candidate c : ours) {
      if (c.name().equals(current) || keep.contains(c.name())) {
        continue;
      }
      if (c.complete() || c.createdAt().isBefore(staleBefore)) {
        delete.add(c);
      }
    }
    return delete.stream()
        .sorted(Comparator.comparing(Candidate::createdAt).thenComparing(Candidate::name))
        .map(Candidate::name)
        .distinct()
        .toList();
  }

  /**
   * The newest backup of each of the {@code count} newest buckets (calendar units) that have backups.
   * {@code newestFirst} is sorted newest first, so the first of each bucket is its newest.
   */
  private static Set<String> newestPerBucket(
      List<Candidate> newestFirst, int count, Function<Candidate, Object> bucket) {
    Map<Object, String> firstOfBucket = new LinkedHashMap<>();
    for (Candidate c : newestFirst) {
      if (firstOfBucket.size() >= count && !firstOfBucket.containsKey(bucket.apply(c))) {
        break;
      }
      firstOfBucket.putIfAbsent(bucket.apply(c), c.name());
    }
    return new HashSet<>(firstOfBucket.values());
  }

  private static LocalDate day(Instant t) {
    return t.atOffset(ZoneOffset.UTC).toLocalDate();
  }

  /** ISO week-based year and week, e.g. 2025-W01 (which may start in December 2024). */
  private static String week(Instant t) {
    LocalDate d = day(t);
    return d.get(IsoFields.WEEK_BASED_YEAR) + "-W" + d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
  }
}
