package org.loomio.operator.backup;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Inputs for the agents: a dump-like file, an uploads tree, a Secret mounted the way the kubelet does it. */
final class AgentFixtures {

  static final Map<String, byte[]> SECRETS = new LinkedHashMap<>();

  static {
    SECRETS.put(
        "SECRET_KEY_BASE", "s3cr3t-key-base-0123456789abcdef".getBytes(StandardCharsets.UTF_8));
    SECRETS.put("DEVISE_SECRET", "devise-Sekret-Ünïcode-✓".getBytes(StandardCharsets.UTF_8));
    SECRETS.put("BINARY_VALUE", new byte[] {0, 1, 2, (byte) 0xff, (byte) 0xfe, 10, 13});
    SECRETS.put(".dotted.key", "dotted-value-42".getBytes(StandardCharsets.UTF_8));
  }

  private AgentFixtures() {}

  /** A file that starts like a pg_dump custom archive, then random bytes. */
  static Path fakeDump(Path file, int size) throws IOException {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    System.arraycopy("PGDMP".getBytes(StandardCharsets.US_ASCII), 0, bytes, 0, 5);
    return Files.write(file, bytes);
  }

  /** Nested files, a long and a non-ASCII name, empty file and directory, and a link (which is skipped). */
  static Path uploads(Path root) throws IOException {
    Files.createDirectories(root);
    Random random = new Random(1);
    write(root.resolve("ab/cd/abcdef123456"), random, 200_000);
    write(root.resolve("ab/cd/abcdef999999"), random, 1);
    write(root.resolve("ef/01/ef01"), random, 3 * 65536 + 17);
    write(root.resolve("variants/ab/cd/Grüße 日本語 🌍.png"), random, 5000);
    write(root.resolve("x".repeat(120) + "/" + "y".repeat(150)), random, 42);
    Files.createDirectories(root.resolve("ab/cd"));
    Files.write(root.resolve("empty"), new byte[0]);
    Files.createDirectories(root.resolve("empty-dir"));
    // a link out of the uploads (to a file beside them): must not be archived, let alone followed
    Path outside =
        Files.writeString(root.resolveSibling(root.getFileName() + "-outside.txt"), "outside");
    Files.createSymbolicLink(root.resolve("link-out"), outside);
    return root;
  }

  private static void write(Path file, Random random, int size) throws IOException {
    Files.createDirectories(file.getParent());
    byte[] bytes = new byte[size];
    random.nextBytes(bytes);
    Files.write(file, bytes);
    Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2024-06-01T10:00:00Z")));
  }

  /** A Secret volume as the kubelet lays it out: a timestamped directory, ..data, and links per key. */
  static Path secretsMount(Path root) throws IOException {
    Path stamped = Files.createDirectories(root.resolve("..2025_01_01_00_00_00.000000001"));
    for (Map.Entry<String, byte[]> e : SECRETS.entrySet()) {
      Files.write(stamped.resolve(e.getKey()), e.getValue());
    }
    Files.createSymbolicLink(root.resolve("..data"), stamped.getFileName());
    for (String key : SECRETS.keySet()) {
      Files.createSymbolicLink(root.resolve(key), Path.of("..data", key));
    }
    return root;
  }

  /** Relative path to "dir" or the file's SHA-256; links are listed as such (and never followed). */
  static Map<String, String> tree(Path root) throws IOException {
    Map<String, String> tree = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.toList()) {
        if (p.equals(root)) {
          continue;
        }
        String rel = root.relativize(p).toString();
        if (Files.isSymbolicLink(p)) {
          tree.put(rel, "link");
        } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          tree.put(rel, "dir");
        } else {
          tree.put(rel, Digests.sha256(p).sha256());
        }
      }
    }
    return tree;
  }

  static Clock at(String instant) {
    return Clock.fixed(Instant.parse(instant), ZoneOffset.UTC);
  }

  /** Captured stdout of an agent run. */
  static final class Out {
    final StringWriter buffer = new StringWriter();
    final PrintWriter writer = new PrintWriter(buffer);

    @Override
    public String toString() {
      return buffer.toString();
    }
  }
}
