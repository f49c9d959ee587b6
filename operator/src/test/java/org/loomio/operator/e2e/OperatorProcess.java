package org.loomio.operator.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The operator exactly as users run it: {@code java -jar loomio-operator.jar run} with its own
 * kubeconfig (identity {@code loomio-operator}), server-side apply on, no test overrides. Its PID goes to
 * the rig's state directory, so the rig's stop.sh also stops an operator left behind by an interrupted run.
 */
public final class OperatorProcess implements AutoCloseable {

  private final Rig rig;
  private final Path log;
  private final Path kubeconfig;
  private final java.util.Map<String, String> extraEnv = new java.util.LinkedHashMap<>();
  private Process process;
  private long startOffset;

  /** With the rig's operator identity (cluster-admin: for measuring, not for checking rights). */
  public OperatorProcess(Rig rig, Path log) {
    this(rig, log, rig.operatorKubeconfig());
  }

  /** With the given kubeconfig (for example the Helm chart's ServiceAccount, see ChartIdentity). */
  public OperatorProcess(Rig rig, Path log, Path kubeconfig) {
    this.rig = rig;
    this.log = log;
    this.kubeconfig = kubeconfig;
  }

  /** An environment variable for every later start (for example RECONCILE_THREADS). */
  public OperatorProcess withEnv(String name, String value) {
    extraEnv.put(name, value);
    return this;
  }

  public static Path jar() {
    return Path.of(System.getProperty("operator.jar", "target/loomio-operator.jar"))
        .toAbsolutePath();
  }

  public void start() throws IOException, InterruptedException {
    Files.createDirectories(log.getParent());
    long offset = Files.exists(log) ? Files.size(log) : 0;
    startOffset = offset;
    ProcessBuilder pb = new ProcessBuilder(List.of(javaBinary(), "-jar", jar().toString(), "run"))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().put("KUBECONFIG", kubeconfig.toString());
    pb.environment().remove("WATCH_NAMESPACES");
    // the rig runs on the host: no fixed ports that could be taken
    pb.environment().put("HEALTH_PORT", "0");
    pb.environment().put("METRICS_PORT", "0");
    pb.environment().putAll(extraEnv);
    process = pb.start();
    Files.writeString(rig.runDir().resolve("operator.pid"), Long.toString(process.pid()));
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "the operator exited with " + process.exitValue() + ":\n" + tail(4000));
      }
      if (readFrom(offset).contains("controller started")) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the operator did not start within 90 s:\n" + tail(4000));
  }

  /** The port of /metrics this start bound (the operator logs it; the rig's runs ask for any free port). */
  public int metricsPort() {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("metrics on :(\\d+)").matcher(logSinceStart());
    if (!m.find()) {
      throw new IllegalStateException("the operator has not logged its metrics port");
    }
    return Integer.parseInt(m.group(1));
  }

  /**
   * The sum of every series of one Prometheus metric (for example {@code
   * operator_sdk_reconciliations_started_total}) on this start's /metrics.
   */
  public double metric(String name) throws IOException, InterruptedException {
    var client = java.net.http.HttpClient.newHttpClient();
    String text = client
        .send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + metricsPort() + "/metrics"))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString())
        .body();
    double sum = 0;
    for (String line : text.split("\n")) {
      if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  /** The running process's id (for jcmd). */
  public long pid() {
    return process.pid();
  }

  /** The CPU time the running process has used so far, in seconds. */
  public double cpuSeconds() {
    return process
        .toHandle()
        .info()
        .totalCpuDuration()
        .map(d -> d.toMillis() / 1000.0)
        .orElse(0.0);
  }

  /** Stops it as Kubernetes would (SIGTERM, then a grace period). */
  public void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    process = null;
    try {
      Files.deleteIfExists(rig.runDir().resolve("operator.pid"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What this process logged since its start. */
  public String logSinceStart() {
    try {
      return readFrom(startOffset);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String tail(int chars) {
    try {
      return readFrom(Files.exists(log) ? Math.max(0, Files.size(log) - chars) : 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The log from a byte offset on. Only that part is read: the benchmark's log grows by hundreds of MiB per run,
   * and reading all of it every 200 ms while waiting for a start took seconds per read and gigabytes of garbage.
   */
  private String readFrom(long offset) throws IOException {
    if (!Files.exists(log)) {
      return "";
    }
    try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(log)) {
      long size = channel.size();
      if (size <= offset) {
        return "";
      }
      java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(Math.toIntExact(size - offset));
      while (buffer.hasRemaining() && channel.read(buffer, offset + buffer.position()) >= 0) {
        // read until full or at the end
      }
      return new String(
          buffer.array(), 0, buffer.position(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
