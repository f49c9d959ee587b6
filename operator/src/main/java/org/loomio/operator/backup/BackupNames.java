package org.loomio.operator.backup;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Backup names: {@code <stack>-<yyyyMMdd'T'HHmmss'Z'>} in UTC, e.g. {@code team-20250131T020000Z}. The
 * name is the first path segment of every object of a backup, and the only thing that marks an object as
 * ours: anything under a destination whose first segment is not such a name of this stack is never touched.
 */
public final class BackupNames {

  /** A Kubernetes object name as a DNS label: what a LoomioDeployment's name is. */
  private static final Pattern STACK = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  private static final Pattern STAMP = Pattern.compile("\\d{8}T\\d{6}Z");
  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  /** Length of the timestamp suffix. */
  private static final int STAMP_LENGTH = 16;

  private BackupNames() {}

  public static boolean isValidStack(String stack) {
    return stack != null && STACK.matcher(stack).matches();
  }

  public static String requireValidStack(String stack) {
    if (!isValidStack(stack)) {
      throw new IllegalArgumentException(
          "invalid stack name '" + stack
              + "': lower-case letters, digits and '-', at most 63 characters, starting and ending alphanumeric");
    }
    return stack;
  }

  /** The name of a backup of {@code stack} taken at {@code time} (to the second, UTC). */
  public static String name(String stack, Instant time) {
    requireValidStack(stack);
    return stack + "-" + FORMAT.format(time.truncatedTo(ChronoUnit.SECONDS));
  }

  /**
   * The time of a backup of {@code stack} named {@code name}, or empty if the name is not one of this
   * stack's backups (another stack's, say {@code team-b-...} for stack {@code team}, does not match: the
   * rest after {@code team-} must be exactly a timestamp).
   */
  public static Optional<Instant> parse(String stack, String name) {
    if (name == null
        || !isValidStack(stack)
        || name.length() != stack.length() + 1 + STAMP_LENGTH
        || !name.startsWith(stack + "-")) {
      return Optional.empty();
    }
    String stamp = name.substring(stack.length() + 1);
    if (!STAMP.matcher(stamp).matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(LocalDateTime.parse(stamp, FORMAT).toInstant(ZoneOffset.UTC));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  public static boolean isBackupOf(String stack, String name) {
    return parse(stack, name).isPresent();
  }

  /** Throws unless {@code name} is a backup name of {@code stack}: the guard before deleting or reading. */
  public static String requireBackupOf(String stack, String name) {
    if (!isBackupOf(stack, name)) {
      throw new IllegalArgumentException("'" + name + "' is not a backup name of stack '" + stack
          + "' (expected " + stack + "-YYYYMMDDTHHMMSSZ)");
    }
    return name;
  }
}
