package org.loomio.operator.upgrade;

import java.util.List;
import java.util.Optional;

/**
 * Loomio's upgrade rules (loomio-stack.md §4.4, from Loomio's deploy/UPGRADING.md): the stepping-stone
 * releases an old install must pass through in order, the version gates checked before migrating, and what
 * a change of image may not do (migrate the schema backwards). The releases themselves are listed once, in
 * {@link LoomioReleases}. Pure: versions in, a verdict out.
 */
public final class UpgradePath {

  /** Releases an older install must run (and migrate on) before going further, in order ({@link LoomioReleases}). */
  public static final List<LoomioVersion> STEPPING_STONES = LoomioReleases.STEPPING_STONES;

  /** 3.1 replaced Sidekiq with Solid Queue ({@link LoomioReleases#SOLID_QUEUE}). */
  public static final LoomioVersion SOLID_QUEUE = LoomioReleases.SOLID_QUEUE;

  /** 3.3's migration gate ({@link LoomioReleases#ANONYMOUS_POLL_GATE}). */
  public static final LoomioVersion ANONYMOUS_POLL_GATE = LoomioReleases.ANONYMOUS_POLL_GATE;

  /** From 3.5 web push needs a VAPID key pair ({@link LoomioReleases#VAPID_REQUIRED}). */
  public static final LoomioVersion VAPID_REQUIRED = LoomioReleases.VAPID_REQUIRED;

  /** What a change from one image tag to another may do. */
  public sealed interface Verdict {
    /** Allowed; {@code gates} are the gated versions the change crosses (their checks run first). */
    record Allowed(List<LoomioVersion> gates, boolean crossesSolidQueue) implements Verdict {}

    /** Refused: the message says why and what to do. */
    record Refused(String reason, String message) implements Verdict {}

    /** At least one tag carries no version: the path cannot be checked. */
    record Unchecked(String message) implements Verdict {}
  }

  public static final String SKIPS_STEPPING_STONE = "UpgradeSkipsVersion";
  public static final String DOWNGRADE = "DowngradeRefused";

  private UpgradePath() {}

  /**
   * The verdict on moving the database from the release at {@code fromTag} to {@code toTag}.
   *
   * <p>A stepping stone S is skipped when from is before S and to is past it. A series tag stands for its newest
   * patch: from 2.17 has passed 2.17.1; and going to any release of a stone's series (3.3, 3.3.4) reaches the
   * stone without skipping it. A downgrade is a lower release series, or a lower patch when both tags name
   * one; from a series tag to a patch of the same series is allowed (the series' patch is not known).
   */
  public static Verdict check(String fromTag, String toTag) {
    Optional<LoomioVersion> from = LoomioVersion.parse(fromTag);
    Optional<LoomioVersion> to = LoomioVersion.parse(toTag);
    if (from.isEmpty() || to.isEmpty()) {
      return new Verdict.Unchecked(
          "the upgrade path from " + fromTag + " to " + toTag + " cannot be checked: "
              + (from.isEmpty() ? fromTag : toTag)
              + " names no Loomio version (use a version tag such as 3.5, and pin"
              + " a digest)");
    }
    LoomioVersion f = from.get();
    LoomioVersion t = to.get();
    boolean downgrade = f.sameSeries(t)
        ? f.patch() != null && t.patch() != null && t.patch() < f.patch()
        : t.compareTo(f) < 0;
    if (downgrade) {
      return new Verdict.Refused(
          DOWNGRADE,
          "spec.image " + toTag + " is older than " + fromTag + ", the version the"
              + " database is migrated to: Loomio cannot migrate a schema backwards. To go back, restore a backup taken"
              + " before the upgrade (LoomioRestore) after setting spec.image to that version's image, or set spec.image"
              + " back to " + fromTag);
    }
    for (LoomioVersion stone : STEPPING_STONES) {
      if (before(f, stone) && after(t, stone)) {
        return new Verdict.Refused(
            SKIPS_STEPPING_STONE,
            "spec.image " + toTag + " skips " + stone + ": an install"
                + " at " + fromTag + " must first run " + stone + " (set spec.image.tag to " + stone
                + ", wait for Ready,"
                + " then go on). Loomio's stepping stones: " + STEPPING_STONES);
      }
    }
    List<LoomioVersion> gates = before(f, ANONYMOUS_POLL_GATE) && !before(t, ANONYMOUS_POLL_GATE)
        ? List.of(ANONYMOUS_POLL_GATE)
        : List.of();
    boolean solidQueue = before(f, SOLID_QUEUE) && !before(t, SOLID_QUEUE);
    return new Verdict.Allowed(gates, solidQueue);
  }

  /**
   * Whether moving the database from {@code fromTag} to {@code toTag} is a patch release: both tags name a
   * version of the same release series (major.minor). A series tag stands for its newest patch, so 3.5.1 → 3.5,
   * 3.5 → 3.5.2 and 3.5 → 3.5 with another digest (the series tag moved on) are patch releases; 3.4 → 3.5 is a
   * new series, and a tag that names no version is never a patch release (what it holds cannot be told).
   * Loomio's own procedure tells the two apart (deploy/README.md: within a series {@code docker compose pull}
   * and {@code up -d}; deploy/UPGRADING.md: a new series stops the app, migrates, starts the new version).
   */
  public static boolean patchRelease(String fromTag, String toTag) {
    Optional<LoomioVersion> from = LoomioVersion.parse(fromTag);
    Optional<LoomioVersion> to = LoomioVersion.parse(toTag);
    return from.isPresent() && to.isPresent() && from.get().sameSeries(to.get());
  }

  /**
   * Whether a release is older than a stepping stone. A series tag stands for its newest patch: 2.17 has
   * passed 2.17.1, so it is older only when its series is.
   */
  static boolean before(LoomioVersion v, LoomioVersion stone) {
    return v.series()
        ? v.major() < stone.major() || v.major() == stone.major() && v.minor() < stone.minor()
        : v.compareTo(stone) < 0;
  }

  /**
   * Whether a release is past a stepping stone's series. A release of the stone's own series (3.3 or 3.3.4 for
   * the 3.3.0 stone) carries the stone's migrations, so going there does not skip it.
   */
  static boolean after(LoomioVersion v, LoomioVersion stone) {
    return v.major() > stone.major() || v.major() == stone.major() && v.minor() > stone.minor();
  }
}
