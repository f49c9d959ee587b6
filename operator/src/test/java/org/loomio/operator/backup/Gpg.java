package org.loomio.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real gpg binary in a throwaway GNUPGHOME (its agent is stopped by {@link #close()}). */
final class Gpg implements AutoCloseable {

  record Result(int code, String out, String err) {}

  private final Path home;

  Gpg(Path dir) throws IOException {
    home = Files.createDirectories(dir.resolve("gnupg"));
    Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
  }

  static boolean available() {
    try {
      Process p =
          new ProcessBuilder("gpg", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  Result run(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(
        "gpg", "--homedir", home.toString(), "--batch", "--no-tty", "--no-auto-key-locate"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .start();
    // both streams drained concurrently so a chatty gpg never blocks
    var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return e.toString();
      }
    });
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("gpg finished").isTrue();
    return new Result(p.exitValue(), out, err.get());
  }

  Result ok(String... args) throws Exception {
    Result r = run(args);
    assertThat(r.code()).as("gpg %s: %s", String.join(" ", args), r.err()).isZero();
    return r;
  }

  void importKey(String armored) throws Exception {
    Path f = Files.createTempFile(home, "key", ".asc");
    Files.writeString(f, armored, StandardCharsets.US_ASCII);
    ok("--import", f.toString());
  }

  @Override
  public void close() throws IOException {
    try {
      new ProcessBuilder("gpgconf", "--homedir", home.toString(), "--kill", "all")
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start()
          .waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
