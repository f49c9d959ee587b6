package org.loomio.operator.api.v1alpha1;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which host names and addresses a server the stack connects to (the external PostgreSQL) may not have.
 * The pods would otherwise send credentials to their own loopback, or to the node's cloud metadata service
 * (instance credentials live there), chosen by whoever may edit the spec. One rule, written twice from the
 * same regular expressions and name list: as CEL for the CRD ({@link #CEL_NOT_LOCAL}, {@link #CEL_NUMERIC_IS_IPV4})
 * and as Java for the operator ({@link #problem}).
 *
 * <p>Refused: IPv4 {@code 127.0.0.0/8} (loopback), {@code 0.0.0.0/8} (this host), {@code 169.254.0.0/16}
 * (link-local: the metadata service of AWS, GCP, Azure, Oracle, DigitalOcean, ...), {@code 100.100.100.200}
 * (Alibaba Cloud's metadata); IPv6 {@code ::1}, {@code ::}, {@code fe80::/10}, {@code fd00:ec2::254} (AWS' IPv6
 * metadata) and IPv4-mapped forms of the above; the names in {@link #LOCAL_NAMES} and every {@code *.localhost}.
 * A name whose last label is a number (or {@code 0x...}) must be a plain dotted-decimal IPv4 address: libc reads
 * {@code 2852039166}, {@code 0xa9fea9fe} or {@code 169.254.43518} as 169.254.169.254.
 */
public final class ServerHosts {

  /** Names of the loopback and of the cloud metadata services, as a CEL list. */
  static final String CEL_LOCAL_NAMES = "['localhost', 'localhost.localdomain', 'metadata',"
      + " 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal']";
  /** The same names. */
  public static final List<String> LOCAL_NAMES =
      List.of(CEL_LOCAL_NAMES.replaceAll("[\\[\\]' ]", "").split(","));

  /** Dotted-decimal IPv4, each octet 0-255 without leading zeros (libc reads a leading 0 as octal). */
  public static final String IPV4 = "^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
      + "([.](25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$";

  static final String LOCAL_IPV4 = "^(127[.]|0[.]|169[.]254[.]|100[.]100[.]100[.]200$)";
  static final String NUMERIC_LAST_LABEL = "(^|[.])(0x[0-9a-f]*|[0-9]+)$";

  public static final String NOT_LOCAL =
      "the loopback, link-local addresses (169.254.0.0/16, fe80::/10) and cloud"
          + " metadata services (169.254.169.254, 100.100.100.200, fd00:ec2::254, metadata.google.internal, ...) are"
          + " refused: name the server itself";
  public static final String NUMERIC_IS_IPV4 =
      "a host ending in a number must be an IPv4 address in dotted"
          + " decimal (four octets 0-255, no leading zeros)";

  /** CEL over an object with a {@code host} field. */
  public static final String CEL_NOT_LOCAL = "!has(self.host) || ("
      + "!(self.host.matches('" + IPV4 + "') && self.host.matches('" + LOCAL_IPV4 + "'))"
      + " && !(self.host in " + CEL_LOCAL_NAMES + ")"
      + " && !self.host.endsWith('.localhost'))";

  public static final String CEL_NUMERIC_IS_IPV4 = "!has(self.host) || !self.host.matches('"
      + NUMERIC_LAST_LABEL + "') || self.host.matches('" + IPV4 + "')";

  private ServerHosts() {}

  /** What is wrong with {@code host} as a server's address, if anything: one of the two messages above. */
  public static Optional<String> problem(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.contains(":")) {
      return local(ipv6(h)) ? Optional.of(NOT_LOCAL) : Optional.empty();
    }
    if (Pattern.compile(NUMERIC_LAST_LABEL).matcher(h).find()) {
      if (!h.matches(IPV4)) {
        return Optional.of(NUMERIC_IS_IPV4);
      }
      return h.matches(LOCAL_IPV4 + ".*") ? Optional.of(NOT_LOCAL) : Optional.empty();
    }
    return LOCAL_NAMES.contains(h) || h.endsWith(".localhost")
        ? Optional.of(NOT_LOCAL)
        : Optional.empty();
  }

  /** An IPv6 literal (it contains ':', so no name is ever looked up), or null if it is none. */
  private static InetAddress ipv6(String literal) {
    try {
      return InetAddress.getByName(literal.startsWith("[") ? literal : "[" + literal + "]");
    } catch (UnknownHostException | SecurityException e) {
      return null;
    }
  }

  private static boolean local(InetAddress a) {
    if (a == null) {
      return false;
    }
    if (a instanceof Inet4Address) { // an IPv4-mapped IPv6 literal comes back as IPv4
      return problem(a.getHostAddress()).isPresent();
    }
    boolean awsMetadata = a instanceof Inet6Address
        && a.getHostAddress().replaceFirst("%.*", "").equals("fd00:ec2:0:0:0:0:0:254");
    return a.isLoopbackAddress()
        || a.isAnyLocalAddress()
        || a.isLinkLocalAddress()
        || awsMetadata; // fe80::/10
  }
}
