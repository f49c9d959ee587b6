package org.loomio.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backup agent, in its own JVM as in the pod, stopped by SIGTERM (what the kubelet sends at the Job's
 * deadline or when the pod is deleted) in the middle of an upload: the plaintext dump and the staged files
 * are gone when it has exited, though {@code finally} blocks do not run on a signal.
 */
class PlaintextOnSignalTest {

  @TempDir
  Path tmp;

  @Test
  void sigtermDuringAnUploadLeavesNoPlaintextDumpAndNoStagedFile() throws Exception {
    CountDownLatch uploading = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    HttpServer s3 = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    // an S3 endpoint that lists an empty prefix and then never answers the first upload
    s3.createContext("/", exchange -> {
      if ("GET".equals(exchange.getRequestMethod())) {
        byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult"
                + " xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>bk</Name><KeyCount>0</KeyCount>"
                + "<MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>")
            .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/xml");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
        return;
      }
      uploading.countDown();
      try {
        release.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.close();
    });
    s3.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    s3.start();
    Process agent = null;
    try {
      Path dump = AgentFixtures.fakeDump(tmp.resolve("database.dump"), 300_000);
      Path scratch = Files.createDirectories(tmp.resolve("scratch"));
      Path recipients =
          Files.writeString(tmp.resolve("recipients.asc"), TestKeys.alice().publicKeyRing());
      Path signingKey =
          Files.writeString(tmp.resolve("signing.asc"), TestKeys.signing().secretKeyRing());
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      List<String> argv = new ArrayList<>(List.of(
          java,
          "-Xmx128m",
          "-cp",
          System.getProperty("java.class.path"),
          "org.loomio.operator.cli.Main",
          "backup",
          "--stack",
          "team",
          "--dump",
          dump.toString(),
          "--scratch",
          scratch.toString(),
          "--recipients",
          recipients.toString(),
          "--signing-key",
          signingKey.toString(),
          "--termination-log",
          tmp.resolve("termination-log").toString(),
          "--to-s3",
          "--s3-endpoint",
          "http://127.0.0.1:" + s3.getAddress().getPort(),
          "--s3-bucket",
          "bk",
          "--s3-prefix",
          "loomio/team",
          "--s3-path-style"));
      ProcessBuilder pb = new ProcessBuilder(argv)
          .redirectErrorStream(true)
          .redirectOutput(tmp.resolve("agent.log").toFile());
      pb.environment().put("AWS_ACCESS_KEY_ID", "test");
      pb.environment().put("AWS_SECRET_ACCESS_KEY", "test-secret");
      agent = pb.start();
      assertThat(uploading.await(60, TimeUnit.SECONDS))
          .as("the agent uploads:\n" + log())
          .isTrue();
      assertThat(dump).exists();
      try (Stream<Path> staged = Files.walk(scratch)) {
        assertThat(staged.filter(Files::isRegularFile).toList())
            .as("staged ciphertext")
            .isNotEmpty();
      }

      agent.destroy(); // SIGTERM
      assertThat(agent.waitFor(30, TimeUnit.SECONDS))
          .as("the agent exits on SIGTERM")
          .isTrue();
      assertThat(agent.exitValue()).isEqualTo(143);
      assertThat(dump).as(log()).doesNotExist();
      try (Stream<Path> left = Files.list(scratch)) {
        assertThat(left.toList()).as(log()).isEmpty();
      }
      assertThat(log()).contains("shutting down: deleted " + dump.toAbsolutePath());
    } finally {
      release.countDown();
      if (agent != null && agent.isAlive()) {
        agent.destroyForcibly();
      }
      s3.stop(0);
    }
  }

  private String log() throws java.io.IOException {
    Path log = tmp.resolve("agent.log");
    return Files.exists(log) ? Files.readString(log) : "";
  }
}
