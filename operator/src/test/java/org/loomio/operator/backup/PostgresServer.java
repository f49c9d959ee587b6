package org.loomio.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server from the installed binaries, in a temporary directory, on a free port,
 * listening on 127.0.0.1 only with trust authentication. PostgreSQL refuses to run as root, so when the
 * tests run as root (as CI does) the server runs as the {@code postgres} user (or {@code nobody}) through
 * {@code runuser}; the clients (psql, pg_dump, pg_restore) run as the test's own user over TCP.
 */
public final class PostgresServer implements AutoCloseable {

  /** The binaries: $PG_BIN, else PostgreSQL 15's, else the newest installed. */
  public static Optional<Path> binaries() {
    String env = System.getenv("PG_BIN");
    if (env != null && Files.isExecutable(Path.of(env, "initdb"))) {
      return Optional.of(Path.of(env));
    }
    Path v15 = Path.of("/usr/lib/postgresql/15/bin");
    if (Files.isExecutable(v15.resolve("initdb"))) {
      return Optional.of(v15);
    }
    try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
      return versions
          .map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")))
          .max(Comparator.comparingInt(b ->
              Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0"))));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * Every PostgreSQL to test against, one per major version: the directories listed in $LOOMIO_PG_BINS (colon
   * separated, as .ci/run sets it for the PostgreSQL 17 it fetches) and every {@code /usr/lib/postgresql/<major>/bin}.
   * A listed directory that holds no initdb fails the test: a version asked for is never skipped silently.
   */
  public static List<Path> allBinaries() {
    java.util.TreeMap<Integer, Path> byMajor = new java.util.TreeMap<>();
    String listed = System.getenv("LOOMIO_PG_BINS");
    if (listed != null && !listed.isBlank()) {
      for (String dir : listed.split(":")) {
        if (dir.isBlank()) {
          continue;
        }
        Path b = Path.of(dir);
        org.junit.jupiter.api.Assertions.assertTrue(
            Files.isExecutable(b.resolve("initdb")),
            "LOOMIO_PG_BINS names " + dir + ", which holds no initdb");
        byMajor.putIfAbsent(major(b), b);
      }
    }
    try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
      versions
          .map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")))
          .forEach(b -> byMajor.putIfAbsent(major(b), b));
    } catch (IOException | RuntimeException e) {
      // none installed
    }
    binaries().ifPresent(b -> byMajor.putIfAbsent(major(b), b));
    return List.copyOf(byMajor.values());
  }

  /** The major version of the binaries in a directory (postgres --version). */
  public static int major(Path bin) {
    try {
      String out = exec(List.of(bin.resolve("postgres").toString(), "--version"), Map.of(), null);
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\) (\\d+)").matcher(out);
      if (!m.find()) {
        throw new IllegalStateException("no version in " + out);
      }
      return Integer.parseInt(m.group(1));
    } catch (Exception e) {
      throw new IllegalStateException("cannot tell the version of " + bin, e);
    }
  }

  private final Path bin;
  private final Path base;
  private final Path data;
  private final int port;
  private final List<String> asServerUser;
  /** The bootstrap superuser (initdb's --username): postgres, or loomio as the embedded database's image makes it. */
  private final String superuser;
  /** Where the helpers below connect: TCP, or the Unix socket when TCP asks for passwords. */
  private final String adminHost;

  public PostgresServer(Path bin) throws Exception {
    this(bin, false);
  }

  /**
   * @param passwordsOverTcp TCP connections (as pods make them) must give a password (scram-sha-256); the
   *     helpers below then use the Unix socket, which trusts
   */
  public PostgresServer(Path bin, boolean passwordsOverTcp) throws Exception {
    this(bin, passwordsOverTcp, "postgres");
  }

  /** @param superuser the bootstrap superuser's name (initdb --username) */
  public PostgresServer(Path bin, boolean passwordsOverTcp, String superuser) throws Exception {
    this.bin = bin;
    this.superuser = superuser;
    base = Files.createTempDirectory("loomio-pg-");
    data = base.resolve("data");
    asServerUser = new ArrayList<>();
    if (isRoot()) {
      String user = userExists("postgres") ? "postgres" : "nobody";
      UserPrincipalLookupService users = base.getFileSystem().getUserPrincipalLookupService();
      Files.setOwner(base, users.lookupPrincipalByName(user));
      asServerUser.addAll(List.of("runuser", "-u", user, "--"));
    }
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    adminHost = passwordsOverTcp ? base.toString() : "127.0.0.1";
    server(
        "initdb",
        "--pgdata=" + data,
        "--username=" + superuser,
        "--auth-local=trust",
        "--auth-host=" + (passwordsOverTcp ? "scram-sha-256" : "trust"),
        "--encoding=UTF8",
        "--locale=C",
        "--no-sync");
    server(
        "pg_ctl",
        "--pgdata=" + data,
        "--log=" + base.resolve("server.log"),
        "--wait",
        "--timeout=60",
        "--options=-p " + port + " -k " + base + " -c listen_addresses=127.0.0.1 -c fsync=off",
        "start");
  }

  private static boolean isRoot() {
    try {
      return ((Integer)
              Files.getAttribute(Path.of("/proc/self"), "unix:uid", LinkOption.NOFOLLOW_LINKS))
          == 0;
    } catch (IOException | RuntimeException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  private static boolean userExists(String user) {
    try {
      Process p = new ProcessBuilder("id", "-u", user).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private void server(String tool, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(asServerUser);
    cmd.add(bin.resolve(tool).toString());
    cmd.addAll(List.of(args));
    exec(cmd, Map.of(), null);
  }

  /** Runs a client tool (psql, pg_dump, pg_restore, createdb) against this server and returns its stdout. */
  /**
   * A server for a test class: skipped where PostgreSQL is not installed, but never on CI (.ci/run installs
   * it, so there the tests must run).
   */
  public static PostgresServer startOrSkip(boolean passwordsOverTcp) throws Exception {
    var bin = binaries();
    if (System.getenv("CI") != null) {
      org.junit.jupiter.api.Assertions.assertTrue(
          bin.isPresent(), "CI must install PostgreSQL (.ci/run)");
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(
        bin.isPresent(), "PostgreSQL binaries are not installed");
    return new PostgresServer(bin.get(), passwordsOverTcp);
  }

  public int port() {
    return port;
  }

  public Path bin() {
    return bin;
  }

  public String client(String tool, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(bin.resolve(tool).toString());
    cmd.addAll(List.of(args));
    return exec(
        cmd,
        Map.of("PGHOST", adminHost, "PGPORT", Integer.toString(port), "PGUSER", superuser),
        null);
  }

  /** psql with a script from standard input, stopping at the first error. */
  public String psql(String database, String sql) throws Exception {
    List<String> cmd = List.of(
        bin.resolve("psql").toString(),
        "--no-psqlrc",
        "--quiet",
        "--set=ON_ERROR_STOP=1",
        "--tuples-only",
        "--no-align",
        "--dbname=" + database);
    return exec(
        cmd,
        Map.of("PGHOST", adminHost, "PGPORT", Integer.toString(port), "PGUSER", superuser),
        sql);
  }

  public static String exec(List<String> cmd, Map<String, String> env, String stdin)
      throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
    pb.environment().putAll(env);
    Process p = pb.start();
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
      try {
        return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return e.toString();
      }
    });
    try (var in = p.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("%s finished", cmd).isTrue();
    assertThat(p.exitValue()).as("%s failed: %s", cmd, err.get()).isZero();
    return out;
  }

  @Override
  public void close() throws IOException {
    try {
      server("pg_ctl", "--pgdata=" + data, "--mode=immediate", "--wait", "stop");
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("stopping PostgreSQL", e);
    } finally {
      BackupAgent.deleteTree(base);
    }
  }
}
