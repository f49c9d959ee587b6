package org.loomio.operator.upgrade;

import java.util.List;

/**
 * The one table of Loomio releases the operator knows about: each release whose arrival changes what the
 * operator must do, and why (the Loomio file that says so). {@link UpgradePath} reads its stepping stones
 * and gates from here; the settings and the image checks read their per-version facts from here.
 */
public final class LoomioReleases {

  /**
   * One release that changed something the operator depends on.
   *
   * @param version the release
   * @param change what changed, in a sentence
   * @param evidence the Loomio files (repository loomio/loomio) that show it
   */
  public record Release(LoomioVersion version, String change, String evidence) {}

  /** 3.1 replaced Sidekiq with Solid Queue: jobs still queued in Redis are not carried over. */
  public static final LoomioVersion SOLID_QUEUE = LoomioVersion.of("3.1.0");

  /** 3.3's migration aborts while anonymous stance polls remain: checked on 3.2 before migrating. */
  public static final LoomioVersion ANONYMOUS_POLL_GATE = LoomioVersion.of("3.3.0");

  /** From 3.5 web push needs a VAPID key pair in the environment, kept stable across deployments. */
  public static final LoomioVersion VAPID_REQUIRED = LoomioVersion.of("3.5.0");

  /** Releases an older install must run (and migrate on) before going further, in order (deploy/UPGRADING.md). */
  public static final List<LoomioVersion> STEPPING_STONES = List.of(
      LoomioVersion.of("2.4.2"), LoomioVersion.of("2.8.8"), LoomioVersion.of("2.11.13"),
      LoomioVersion.of("2.15.4"), LoomioVersion.of("2.17.1"), LoomioVersion.of("3.2.0"), ANONYMOUS_POLL_GATE);

  /** What changed, release by release, oldest first. */
  public static final List<Release> RELEASES = List.of(
      new Release(LoomioVersion.of("2.4.2"), "stepping stone: an older install must migrate on it first",
          "deploy/UPGRADING.md"),
      new Release(LoomioVersion.of("2.8.8"), "stepping stone", "deploy/UPGRADING.md"),
      new Release(LoomioVersion.of("2.11.13"), "stepping stone", "deploy/UPGRADING.md"),
      new Release(LoomioVersion.of("2.15.4"), "stepping stone", "deploy/UPGRADING.md"),
      new Release(LoomioVersion.of("2.17.1"), "stepping stone", "deploy/UPGRADING.md"),
      new Release(SOLID_QUEUE, "Solid Queue replaces Sidekiq (TASK=worker runs bin/jobs start); jobs queued in"
          + " Redis are not carried over", "deploy/UPGRADING.md, docker_start.sh"),
      new Release(LoomioVersion.of("3.2.0"), "stepping stone: converts closed legacy anonymous polls",
          "deploy/UPGRADING.md"),
      new Release(ANONYMOUS_POLL_GATE, "stepping stone and gate: the migration aborts while anonymous stance polls"
          + " remain (counted on 3.2 first)", "deploy/UPGRADING.md"),
      new Release(VAPID_REQUIRED, "web push needs a VAPID key pair, kept stable", "deploy/UPGRADING.md"));

  private LoomioReleases() {}
}
