package org.loomio.operator.model;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.loomio.operator.api.v1alpha1.BackupDrillSpec;
import org.loomio.operator.api.v1alpha1.BackupSpec;

/**
 * spec.backup.schedule, parsed as the CronJob controller reads it (Unix cron, five fields, with the
 * @daily-style macros), and the interval it implies. The interval decides when backups count as overdue
 * (BackupsHealthy: no complete backup within twice the interval) and bounds startingDeadlineSeconds.
 */
public final class BackupSchedule {

  private static final CronParser PARSER =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
  private static final Map<String, String> MACROS = Map.of(
      "@yearly",
      "0 0 1 1 *",
      "@annually",
      "0 0 1 1 *",
      "@monthly",
      "0 0 1 * *",
      "@weekly",
      "0 0 * * 0",
      "@daily",
      "0 0 * * *",
      "@midnight",
      "0 0 * * *",
      "@hourly",
      "0 * * * *");

  /** Parsed schedules with their intervals: walking a year of runs costs tens of milliseconds, a reconcile none. */
  private static final Map<String, BackupSchedule> CACHE =
      Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, BackupSchedule> eldest) {
          return size() > 256;
        }
      });

  /** A schedule must fire within this many years of the reference date (29 February fires every 4 or 8 years). */
  static final int NEVER_FIRES_HORIZON_YEARS = 9;

  private static final ZonedDateTime REFERENCE =
      ZonedDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneId.of("UTC"));

  private final ExecutionTime execution;
  private volatile Duration longest;
  private volatile Duration shortest;

  private BackupSchedule(Cron cron) {
    this.execution = ExecutionTime.forCron(cron);
  }

  /** The parsed schedule, or the reason it is not one. */
  public static BackupSchedule parse(String schedule) {
    String key = schedule.trim();
    BackupSchedule cached = CACHE.get(key);
    if (cached != null) {
      return cached;
    }
    String expression = MACROS.getOrDefault(key, key);
    BackupSchedule parsed;
    try {
      parsed = new BackupSchedule(PARSER.parse(expression).validate());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a cron schedule (" + e.getMessage() + ")");
    }
    if (!parsed.firesWithin(NEVER_FIRES_HORIZON_YEARS)) {
      // the CronJob controller accepts it and never runs it: no backup ever, and only
      // BackupsHealthy to say so
      throw new IllegalArgumentException("a schedule that never fires (no date matches it within "
          + NEVER_FIRES_HORIZON_YEARS + " years, like February 31)");
    }
    CACHE.put(key, parsed);
    return parsed;
  }

  /** The first run strictly after {@code from}, in {@code from}'s time zone (none for a schedule that never runs again). */
  public Optional<ZonedDateTime> next(ZonedDateTime from) {
    return execution.nextExecution(from);
  }

  private boolean firesWithin(int years) {
    try {
      Optional<ZonedDateTime> next = execution.nextExecution(REFERENCE);
      return next.isPresent() && next.get().isBefore(REFERENCE.plusYears(years));
    } catch (RuntimeException e) {
      return false; // cron-utils gives up on dates that do not exist
    }
  }

  /** The longest gap between two runs within the next year (daily: 1 day; "0 3 * * 1,5": 4 days). */
  public Duration longestInterval(ZonedDateTime from) {
    Duration longest = Duration.ZERO;
    Optional<ZonedDateTime> previous = execution.nextExecution(from);
    ZonedDateTime end = from.plusYears(1);
    int runs = 0;
    while (previous.isPresent() && previous.get().isBefore(end) && runs < 2000) {
      Optional<ZonedDateTime> next = execution.nextExecution(previous.get());
      if (next.isEmpty()) {
        break;
      }
      Duration gap = Duration.between(previous.get(), next.get());
      if (gap.compareTo(longest) > 0) {
        longest = gap;
      }
      previous = next;
      runs++;
    }
    return longest.isZero() ? Duration.ofDays(366) : longest;
  }

  /**
   * The longest interval over a year from a fixed reference (renders stay pure: no clock); computed once, by one
   * thread (a restart reconciles every stack at once, all with the same schedule).
   */
  public synchronized Duration longestInterval() {
    if (longest == null) {
      longest = longestInterval(ZonedDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneId.of("UTC")));
    }
    return longest;
  }

  /**
   * Parses the default backup and drill schedules and computes their intervals, which every stack that keeps the
   * defaults reads while it renders. The operator calls this on a thread of its own while its informers sync, so
   * that the first reconciles after a start do not wait for it: on a cold JVM the two take one to two seconds,
   * and every reconcile thread would wait on the one computing them.
   */
  public static void precomputeDefaults() {
    for (String schedule :
        List.of(new BackupSpec().getSchedule(), BackupDrillSpec.DEFAULT_SCHEDULE)) {
      BackupSchedule parsed = parse(schedule);
      parsed.shortestInterval();
      parsed.longestInterval();
    }
  }

  /** The shortest gap between two runs, which bounds how late a missed run may still start; computed once. */
  public synchronized Duration shortestInterval() {
    if (shortest == null) {
      shortest = computeShortestInterval();
    }
    return shortest;
  }

  /**
   * Over 500 runs from the reference (a sparse schedule's shortest gap may come years later: 28 to 29 February). A
   * weekly schedule takes cron-utils about a second on a cold JVM, which is why the defaults are computed at start
   * ({@link #precomputeDefaults}).
   */
  private Duration computeShortestInterval() {
    ZonedDateTime from = ZonedDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneId.of("UTC"));
    Duration shortest = null;
    Optional<ZonedDateTime> previous = execution.nextExecution(from);
    for (int i = 0; i < 500 && previous.isPresent(); i++) {
      Optional<ZonedDateTime> next = execution.nextExecution(previous.get());
      if (next.isEmpty()) {
        break;
      }
      Duration gap = Duration.between(previous.get(), next.get());
      shortest = shortest == null || gap.compareTo(shortest) < 0 ? gap : shortest;
      previous = next;
    }
    return shortest == null ? Duration.ofDays(1) : shortest;
  }
}
