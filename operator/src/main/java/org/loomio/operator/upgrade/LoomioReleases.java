package org.loomio.operator.upgrade;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

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
      LoomioVersion.of("2.4.2"),
      LoomioVersion.of("2.8.8"),
      LoomioVersion.of("2.11.13"),
      LoomioVersion.of("2.15.4"),
      LoomioVersion.of("2.17.1"),
      LoomioVersion.of("3.2.0"),
      ANONYMOUS_POLL_GATE);

  /** What changed, release by release, oldest first. */
  public static final List<Release> RELEASES = List.of(
      new Release(
          LoomioVersion.of("2.4.2"),
          "stepping stone: an older install must migrate on it first",
          "deploy/UPGRADING.md"),
      new Release(LoomioVersion.of("2.8.8"), "stepping stone", "deploy/UPGRADING.md"),
      new Release(LoomioVersion.of("2.11.13"), "stepping stone", "deploy/UPGRADING.md"),
      new Release(LoomioVersion.of("2.15.4"), "stepping stone", "deploy/UPGRADING.md"),
      new Release(LoomioVersion.of("2.17.1"), "stepping stone", "deploy/UPGRADING.md"),
      new Release(
          SOLID_QUEUE,
          "Solid Queue replaces Sidekiq (TASK=worker runs bin/jobs start); jobs queued in"
              + " Redis are not carried over",
          "deploy/UPGRADING.md, docker_start.sh"),
      new Release(
          LoomioVersion.of("3.2.0"),
          "stepping stone: converts closed legacy anonymous polls",
          "deploy/UPGRADING.md"),
      new Release(
          ANONYMOUS_POLL_GATE,
          "stepping stone and gate: the migration aborts while anonymous stance polls"
              + " remain (counted on 3.2 first)",
          "deploy/UPGRADING.md"),
      new Release(
          VAPID_REQUIRED, "web push needs a VAPID key pair, kept stable", "deploy/UPGRADING.md"));

  /**
   * The oldest release whose image the operator's pods can run. Its {@code docker_start.sh} runs
   * {@code script/sync_client_assets} for every task (the web pod's command runs it too), starts Solid Queue for
   * {@code TASK=worker} and the collaborative-editing server for {@code TASK=hocuspocus}, and runs puma behind
   * Thruster. Older images start Sidekiq (which needs Redis as its queue), copy the client bundle inline or
   * not at all, and the oldest run {@code bundle install} at start, which a read-only root refuses.
   */
  public static final LoomioVersion OLDEST_SERVED = SOLID_QUEUE;

  /**
   * A tag that names a release older than {@link #OLDEST_SERVED}, read the way {@link LoomioVersion#parse} reads
   * it (an optional {@code v}, 1 to 4 digits per part, an optional suffix). RE2 and Java read it alike: the CRD's
   * CEL rule and {@link #check} use this very text.
   */
  public static final String UNSERVED_TAG_REGEX =
      "^v?(0{0,3}[0-2][.][0-9]{1,4}|0{0,3}3[.]0{1,4})([.][0-9]{1,4})?([-+_.].*)?$";

  /** A stepping stone older than {@link #OLDEST_SERVED}, exactly (any suffix): run as a migrate-only step. */
  public static final String MIGRATE_ONLY_TAG_REGEX =
      "^v?(2[.]4[.]2|2[.]8[.]8|2[.]11[.]13|2[.]15[.]4|2[.]17[.]1)([-+_.].*)?$";

  /** CEL over {@code spec.image}: a tag older than the oldest served release must be a migrate-only stone. */
  public static final String CEL_SERVED_OR_MIGRATE_ONLY = "!has(self.tag) || !self.tag.matches('"
      + UNSERVED_TAG_REGEX + "') || self.tag.matches('" + MIGRATE_ONLY_TAG_REGEX + "')";

  /** The refusal, without the tag (the CRD's message cannot quote it). A constant: it names 3.1.0 as text. */
  public static final String UNSERVED_MESSAGE = "releases before 3.1.0 cannot run under this"
      + " operator (their image starts Sidekiq, has no script/sync_client_assets, or installs gems at start, which"
      + " a read-only root refuses). Use 3.1.0 or later. An older database goes through Loomio's"
      + " stepping stones 2.4.2, 2.8.8, 2.11.13, 2.15.4 and 2.17.1 as migrate-only steps (set the exact stone, one"
      + " after the other: only its migration Job runs, web, worker and hocuspocus stay at zero), then 3.2.0 and on";

  /**
   * FORCE_SSL's redirect exclusions in {@code config/application.rb} of the served releases:
   * {@code request.path =~ /(received_emails|email_processor|up|hocuspocus)/} (older releases excluded only the
   * first two).
   */
  public static final String SSL_REDIRECT_EXCLUSIONS =
      "(received_emails|email_processor|up|hocuspocus)";

  /**
   * What the stack itself calls over plain HTTP inside the cluster: the probes ({@code /up}, on Thruster and on
   * puma) and hocuspocus' authentication callback ({@code /api/hocuspocus}, hocuspocus/config.mjs).
   */
  public static final List<String> INTERNAL_HTTP_PATHS = List.of("/up", "/api/hocuspocus");

  /**
   * Where a mail relay posts (Action Mailbox). No release excludes it from FORCE_SSL's redirect; it is not
   * redirected because ASSUME_SSL's middleware (config/initializers/assume_ssl.rb) is inserted first in the
   * stack and marks every request as HTTPS before the redirect looks at it.
   */
  public static final String MAIL_RELAY_PATH = "/rails/action_mailbox/relay/inbound_emails";

  private static final Pattern UNSERVED = Pattern.compile(UNSERVED_TAG_REGEX);
  private static final Pattern MIGRATE_ONLY = Pattern.compile(MIGRATE_ONLY_TAG_REGEX);
  private static final Pattern EXCLUDED = Pattern.compile(SSL_REDIRECT_EXCLUSIONS);

  private LoomioReleases() {}

  /** How the operator runs the release a tag names. */
  public enum Support {
    /** web, worker and hocuspocus run it (also a tag naming no version: its release cannot be told). */
    SERVED,
    /** a stepping stone older than {@link #OLDEST_SERVED}: its migration runs, the app stays at zero */
    MIGRATE_ONLY,
    /** older than {@link #OLDEST_SERVED} and no stepping stone: refused */
    REFUSED
  }

  public static Support support(String tag) {
    if (tag == null || !UNSERVED.matcher(tag).matches()) {
      return Support.SERVED;
    }
    return MIGRATE_ONLY.matcher(tag).matches() ? Support.MIGRATE_ONLY : Support.REFUSED;
  }

  /** The refusal of a tag, if it is refused: the whole sentence, naming the tag. */
  public static Optional<String> check(String tag) {
    return support(tag) == Support.REFUSED
        ? Optional.of("Loomio " + tag + ": " + UNSERVED_MESSAGE)
        : Optional.empty();
  }

  /** The stepping stone that follows a migrate-only one (the next step to set), if any. */
  public static Optional<LoomioVersion> nextStone(String tag) {
    Optional<LoomioVersion> v = LoomioVersion.parse(tag);
    if (v.isEmpty()) {
      return Optional.empty();
    }
    return STEPPING_STONES.stream().filter(s -> s.compareTo(v.get()) > 0).findFirst();
  }

  /**
   * Whether the stack sets FORCE_SSL=1 for this release: a served release whose redirect exclusions cover every
   * plain-HTTP call the stack makes inside the cluster ({@link #INTERNAL_HTTP_PATHS}).
   */
  public static boolean forceSsl(String tag) {
    return support(tag) == Support.SERVED
        && INTERNAL_HTTP_PATHS.stream().allMatch(p -> excludedFromRedirect(p));
  }

  /** Whether FORCE_SSL's redirect leaves this path alone in the served releases (the regex is unanchored). */
  public static boolean excludedFromRedirect(String path) {
    return EXCLUDED.matcher(path).find();
  }
}
