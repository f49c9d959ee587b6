package org.loomio.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.CidrBlock;
import org.loomio.operator.api.v1alpha1.Cidrs;
import org.loomio.operator.render.network.NetworkPolicies;

/**
 * Ranges parsed from text, containment, and the CRD's regular expression for ranges that contain a cloud
 * metadata address: derived here ({@link #celRegex()}) and checked against {@link Cidrs#contains} for every
 * prefix length, so the CEL rule refuses only what the operator refuses.
 */
class CidrsTest {

  @Test
  void parsesIpv4AndIpv6FromTheirTextAlone() {
    assertThat(Cidrs.parse("10.0.0.0/8")).hasValueSatisfying(r -> {
      assertThat(r.bits()).isEqualTo(32);
      assertThat(r.prefix()).isEqualTo(8);
      assertThat(r.address()).isEqualTo(BigInteger.valueOf(10L << 24));
    });
    assertThat(Cidrs.parse("::/0")).hasValueSatisfying(r -> assertThat(r.bits()).isEqualTo(128));
    assertThat(Cidrs.parse("::ffff:0:0/96")).hasValueSatisfying(r -> {
      assertThat(r.bits()).isEqualTo(128); // not turned into IPv4, as java.net would
      assertThat(r.address()).isEqualTo(BigInteger.valueOf(0xffffL).shiftLeft(32));
    });
    assertThat(Cidrs.parse("FD00:EC2::254/128"))
        .isEqualTo(Cidrs.parse("fd00:0ec2:0:0:0:0:0:0254/128"));
    for (String bad : List.of(
        "999.1.1.1/8",
        "10.0.0.256/32",
        "010.0.0.0/8",
        "10.0.0/8",
        "10.0.0.0/33",
        "10.0.0.0",
        "10.0.0.0/08",
        "::/129",
        "1:2:3:4:5:6:7:8:9/64",
        "1::2::3/64",
        "12345::/16",
        ":::/0",
        "fd00:ec2::254/",
        "example.org/32",
        "10.0.0.0/8/8")) {
      assertThat(Cidrs.parse(bad)).as(bad).isEmpty();
    }
  }

  @Test
  void containment() {
    assertThat(Cidrs.contains("0.0.0.0/0", "169.254.169.254")).isTrue();
    assertThat(Cidrs.contains("169.254.0.0/16", "169.254.169.254")).isTrue();
    assertThat(Cidrs.contains("169.254.169.254/32", "169.254.169.254")).isTrue();
    assertThat(Cidrs.contains("169.254.169.255/32", "169.254.169.254")).isFalse();
    assertThat(Cidrs.contains("10.0.0.5/8", "10.200.0.1"))
        .as("host bits are ignored")
        .isTrue();
    assertThat(Cidrs.contains("fc00::/7", "fd00:ec2::254")).isTrue();
    assertThat(Cidrs.contains("::/0", "169.254.169.254")).as("families differ").isFalse();
    var cidr = Cidrs.parse("10.0.0.0/8").orElseThrow();
    assertThat(cidr.strictlyContains(Cidrs.parse("10.1.0.0/16").orElseThrow())).isTrue();
    assertThat(cidr.strictlyContains(Cidrs.parse("10.0.0.0/8").orElseThrow())).isFalse();
    assertThat(cidr.strictlyContains(Cidrs.parse("11.0.0.0/16").orElseThrow())).isFalse();
  }

  @Test
  void aBlockReachesAMetadataAddressUnlessAnExceptLeavesItOut() {
    assertThat(Cidrs.metadataReachable(new CidrBlock("0.0.0.0/0", List.of())))
        .containsExactly("169.254.169.254", "100.100.100.200");
    assertThat(Cidrs.metadataReachable(new CidrBlock("0.0.0.0/0", List.of("169.254.0.0/16"))))
        .containsExactly("100.100.100.200");
    assertThat(Cidrs.metadataReachable(new CidrBlock("::/0", List.of())))
        .containsExactly("fd00:ec2::254");
    assertThat(Cidrs.metadataReachable(new CidrBlock("10.0.0.0/8", List.of()))).isEmpty();
    for (CidrBlock b : NetworkPolicies.DEFAULT_PUBLIC) {
      assertThat(Cidrs.metadataReachable(b)).as(b.getCidr()).isEmpty();
    }
  }

  @Test
  void theCelRuleIsDerivedFromTheMetadataAddresses() {
    assertThat(Cidrs.CEL_CONTAINS_METADATA).isEqualTo(celRegex());
    assertThat(Cidrs.CEL_NO_BARE_METADATA)
        .contains(Cidrs.CEL_CONTAINS_METADATA)
        .doesNotContain("\\")
        .doesNotContain("\"");
    assertThat(Cidrs.CEL_CONTAINS_METADATA).doesNotContain("'");
  }

  /** Every IPv4 CIDR of every prefix length around the addresses: the expression matches exactly those containing one. */
  @Test
  void theRegexMatchesExactlyTheIpv4CidrsThatContainAMetadataAddress() {
    Random random = new Random(11);
    List<String> probes = new ArrayList<>();
    for (String m : List.of("169.254.169.254", "100.100.100.200")) {
      long a = Cidrs.address(m).orElseThrow().address().longValue();
      for (int bit = 0; bit < 32; bit++) {
        probes.add(ipv4(a ^ (1L << bit)));
      }
      probes.add(m);
    }
    for (int i = 0; i < 300; i++) {
      probes.add(ipv4(random.nextLong() & 0xffffffffL));
    }
    probes.addAll(List.of("0.0.0.0", "255.255.255.255", "169.254.0.0", "100.64.0.0", "128.0.0.0"));
    int matched = 0;
    for (String address : probes) {
      for (int prefix = 0; prefix <= 32; prefix++) {
        String cidr = address + "/" + prefix;
        boolean contains =
            Cidrs.contains(cidr, "169.254.169.254") || Cidrs.contains(cidr, "100.100.100.200");
        assertThat(cidr.matches(Cidrs.CEL_CONTAINS_METADATA)).as(cidr).isEqualTo(contains);
        matched += contains ? 1 : 0;
      }
    }
    assertThat(matched).isGreaterThan(100);
  }

  /** IPv6: whatever the expression matches contains fd00:ec2::254, and it matches /0 and prefixes up to 16. */
  @Test
  void theRegexMatchesIpv6CidrsOnlyWhenTheyContainTheAwsAddress() {
    Random random = new Random(7);
    List<String> probes = new ArrayList<>(List.of(
        "fd00:ec2::254",
        "fd00::",
        "fc00::",
        "fdff::1",
        "FD00::",
        "::",
        "::1",
        "8000::",
        "ffff::",
        "2001:db8::1",
        "0fd0::",
        "fd0::",
        "fe80::1",
        "fd00:ec2::",
        "fd00:ec3::254"));
    for (int i = 0; i < 300; i++) {
      probes.add(Integer.toHexString(random.nextInt(0x10000)) + "::"
          + Integer.toHexString(random.nextInt(0x10000)));
    }
    for (String address : probes) {
      for (int prefix = 0; prefix <= 128; prefix++) {
        String cidr = address + "/" + prefix;
        boolean contains = Cidrs.contains(cidr, "fd00:ec2::254");
        boolean fullFirstGroup = address.matches("^[0-9a-fA-F]{4}:.*");
        if (cidr.matches(Cidrs.CEL_CONTAINS_METADATA)) {
          assertThat(contains).as(cidr).isTrue();
        } else if (prefix == 0 || prefix <= 16 && fullFirstGroup) {
          assertThat(contains)
              .as(cidr + " contains it, so the expression must match")
              .isFalse();
        }
      }
    }
    assertThat("fc00::/7").matches(Cidrs.CEL_CONTAINS_METADATA);
    assertThat("fd00::/8").matches(Cidrs.CEL_CONTAINS_METADATA);
    assertThat("::/0").matches(Cidrs.CEL_CONTAINS_METADATA);
  }

  private static String ipv4(long v) {
    return ((v >> 24) & 255) + "." + ((v >> 16) & 255) + "." + ((v >> 8) & 255) + "." + (v & 255);
  }

  // --- the generator of Cidrs.CEL_CONTAINS_METADATA ---

  /**
   * {@code ^(v4(169.254.169.254)|v4(100.100.100.200)|v6(fd00:ec2::254))$}. For an IPv4 address the text of a
   * CIDR is matched octet by octet: at octet i the prefix either ends on its boundary ({@code [0-9.]+/8i}), or
   * ends within it (the octet in the range that agrees on the prefix's bits, then any octets, {@code /n}), or
   * covers it (the octet itself, then the next octet). The schema's pattern already holds the text to four
   * octets of 0-255, so "any octets" is {@code [0-9.]+}.
   */
  static String celRegex() {
    List<String> parts = new ArrayList<>();
    parts.add(ipv4Alternatives(octets("169.254.169.254"), 0));
    parts.add(ipv4Alternatives(octets("100.100.100.200"), 0));
    parts.add(ipv6Alternatives(0xfd00));
    return "^(" + String.join("|", parts) + ")$";
  }

  private static int[] octets(String address) {
    String[] s = address.split("[.]");
    return new int[] {
      Integer.parseInt(s[0]), Integer.parseInt(s[1]), Integer.parseInt(s[2]), Integer.parseInt(s[3])
    };
  }

  private static String ipv4Alternatives(int[] octets, int i) {
    List<String> alternatives = new ArrayList<>();
    String rest = i < 3 ? "[.][0-9.]+" : "";
    alternatives.add("[0-9.]+/" + (8 * i));
    for (int k = 1; k < 8; k++) {
      int size = 1 << (8 - k);
      int low = octets[i] & ~(size - 1);
      alternatives.add(range(low, low + size - 1, 10, 3) + rest + "/" + (8 * i + k));
    }
    alternatives.add(octets[i] + (i < 3 ? "[.]" + ipv4Alternatives(octets, i + 1) : "/32"));
    return "(" + String.join("|", alternatives) + ")";
  }

  /** Any IPv6 /0, and prefixes 1 to 16 by the first group written with four hex digits. */
  private static String ipv6Alternatives(int firstGroup) {
    List<String> alternatives = new ArrayList<>();
    alternatives.add("[0-9a-fA-F:]+/0");
    for (int k = 1; k <= 16; k++) {
      int size = 1 << (16 - k);
      int low = firstGroup & ~(size - 1);
      alternatives.add(range(low, low + size - 1, 16, 4) + ":[0-9a-fA-F:]*/" + k);
    }
    return "(" + String.join("|", alternatives) + ")";
  }

  /**
   * The numbers low..high written in {@code radix}: decimal without leading zeros (up to {@code width} digits),
   * hex with exactly {@code width} digits of either case.
   */
  static String range(int low, int high, int radix, int width) {
    List<String> parts = new ArrayList<>();
    if (radix == 16) {
      parts.addAll(sameLength(pad(low, radix, width), pad(high, radix, width), radix));
    } else {
      int min = 0;
      for (int digits = 1; digits <= width; digits++) {
        int max = (int) Math.pow(radix, digits) - 1;
        int a = Math.max(low, min);
        int b = Math.min(high, max);
        if (a <= b) {
          parts.addAll(sameLength(Integer.toString(a, radix), Integer.toString(b, radix), radix));
        }
        min = max + 1;
      }
    }
    return group(parts);
  }

  private static String pad(int v, int radix, int width) {
    String s = Integer.toString(v, radix);
    return "0".repeat(width - s.length()) + s;
  }

  /** Numbers between two digit strings of equal length (the classic split at the first differing digit). */
  private static List<String> sameLength(String a, String b, int radix) {
    int n = a.length();
    char a0 = a.charAt(0);
    char b0 = b.charAt(0);
    if (n == 1) {
      return List.of(digitClass(a0, b0, radix));
    }
    String ar = a.substring(1);
    String br = b.substring(1);
    if (a0 == b0) {
      return List.of(caseless(a0) + group(sameLength(ar, br, radix)));
    }
    char top = Character.forDigit(radix - 1, radix);
    boolean fromZero = ar.chars().allMatch(c -> c == '0');
    boolean toTop = br.chars().allMatch(c -> c == top);
    List<String> out = new ArrayList<>();
    char midLow = fromZero ? a0 : next(a0, radix);
    char midHigh = toTop ? b0 : previous(b0, radix);
    if (!fromZero) {
      out.add(caseless(a0) + group(sameLength(ar, String.valueOf(top).repeat(n - 1), radix)));
    }
    if (Character.digit(midLow, radix) <= Character.digit(midHigh, radix)) {
      out.add(digitClass(midLow, midHigh, radix) + digitClass('0', top, radix).repeat(n - 1));
    }
    if (!toTop) {
      out.add(caseless(b0) + group(sameLength("0".repeat(n - 1), br, radix)));
    }
    return out;
  }

  private static char next(char c, int radix) {
    return Character.forDigit(Character.digit(c, radix) + 1, radix);
  }

  private static char previous(char c, int radix) {
    return Character.forDigit(Character.digit(c, radix) - 1, radix);
  }

  /** One digit in low..high; hex letters in both cases. */
  private static String digitClass(char low, char high, int radix) {
    if (low == high) {
      return caseless(low);
    }
    int lo = Character.digit(low, radix);
    int hi = Character.digit(high, radix);
    StringBuilder cls = new StringBuilder("[");
    if (lo <= 9) {
      int end = Math.min(hi, 9);
      cls.append(lo).append(end > lo ? "-" + end : "");
    }
    if (hi >= 10) {
      char from = Character.forDigit(Math.max(lo, 10), radix);
      char to = high;
      String lower = from == to ? String.valueOf(from) : from + "-" + to;
      cls.append(lower).append(lower.toUpperCase(java.util.Locale.ROOT));
    }
    return cls.append("]").toString();
  }

  private static String caseless(char c) {
    return Character.isLetter(c) ? "[" + c + Character.toUpperCase(c) + "]" : String.valueOf(c);
  }

  private static String group(List<String> parts) {
    return parts.size() == 1 ? parts.get(0) : "(" + String.join("|", parts) + ")";
  }
}
