package org.loomio.operator.upgrade;

import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Loomio version read from an image tag: {@code 3.5} (a release series: its newest patch), {@code 3.5.2},
 * {@code v2.17.1}, with an optional suffix ({@code 3.5.2-alpine}). Tags that carry no version ({@code latest},
 * {@code stable}, a commit) give none, and their upgrades cannot be checked.
 *
 * @param patch null for a series tag
 */
public record LoomioVersion(int major, int minor, Integer patch)
    implements Comparable<LoomioVersion> {

  private static final Pattern TAG =
      Pattern.compile("^v?(\\d{1,4})\\.(\\d{1,4})(?:\\.(\\d{1,4}))?(?:[-+_.].*)?$");

  private static final Comparator<LoomioVersion> ORDER = Comparator.comparingInt(
          LoomioVersion::major)
      .thenComparingInt(LoomioVersion::minor)
      .thenComparingInt(v -> v.patch() == null ? 0 : v.patch());

  public static Optional<LoomioVersion> parse(String tag) {
    if (tag == null) {
      return Optional.empty();
    }
    Matcher m = TAG.matcher(tag);
    if (!m.matches()) {
      return Optional.empty();
    }
    return Optional.of(new LoomioVersion(
        Integer.parseInt(m.group(1)),
        Integer.parseInt(m.group(2)),
        m.group(3) == null ? null : Integer.parseInt(m.group(3))));
  }

  public static LoomioVersion of(String text) {
    return parse(text)
        .orElseThrow(() -> new IllegalArgumentException("not a Loomio version: " + text));
  }

  public boolean series() {
    return patch == null;
  }

  /** Same major and minor. */
  public boolean sameSeries(LoomioVersion other) {
    return major == other.major && minor == other.minor;
  }

  /** Compares as releases, a series tag counting as its .0 release. */
  @Override
  public int compareTo(LoomioVersion o) {
    return ORDER.compare(this, o);
  }

  @Override
  public String toString() {
    return major + "." + minor + (patch == null ? "" : "." + patch);
  }
}
