package org.loomio.operator.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The real control plane of {@code ../shared/k8s-rig} (kube-apiserver and kube-controller-manager v1.20,
 * PodSecurityPolicy admission, audit log), as the end-to-end suite uses it. The rig must be running
 * ({@code .ci/run} builds and starts it; locally: {@code ../shared/k8s-rig/build.sh && ../shared/k8s-rig/start.sh}).
 */
public final class Rig {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> WRITE_VERBS =
      Set.of("create", "update", "patch", "delete", "deletecollection");

  public static final String OPERATOR_USER = "loomio-operator";

  private final Path rigDir;
  private final Path runDir;
  private final Path kubectl;
  private final KubernetesClient admin;

  public Rig() {
    rigDir = Path.of(System.getProperty("rig.dir", "../../shared/k8s-rig"))
        .toAbsolutePath()
        .normalize();
    String tmp = System.getenv().getOrDefault("TMPDIR", "/tmp");
    runDir = Path.of(System.getenv().getOrDefault("LOOMIO_K8S_RUN_DIR", tmp + "/loomio-k8s-run"));
    String cache = System.getenv()
        .getOrDefault(
            "K8S_CACHE_DIR",
            System.getenv()
                    .getOrDefault("XDG_CACHE_HOME", System.getProperty("user.home") + "/.cache")
                + "/loomio-k8s-rig");
    kubectl = Path.of(cache, "bin", "kubectl");
    if (!Files.exists(adminKubeconfig())) {
      throw new IllegalStateException("the k8s rig is not running (no " + adminKubeconfig()
          + "): run " + rigDir + "/build.sh and " + rigDir + "/start.sh");
    }
    admin = new KubernetesClientBuilder()
        .withConfig(Config.fromKubeconfig(read(adminKubeconfig())))
        .build();
  }

  public KubernetesClient admin() {
    return admin;
  }

  public Path adminKubeconfig() {
    return runDir.resolve("admin.kubeconfig");
  }

  public Path operatorKubeconfig() {
    return runDir.resolve("operator.kubeconfig");
  }

  public Path runDir() {
    return runDir;
  }

  public Path kubectl() {
    return kubectl;
  }

  /** A namespace whose pods must pass the restricted PodSecurityPolicy (the rig's own script). */
  public void restrictedNamespace(String name) {
    run(List.of(rigDir.resolve("restricted-ns.sh").toString(), name), Duration.ofSeconds(60));
  }

  /**
   * Deletes the namespaces and waits until they are gone. Call it while the operator still runs: the
   * LoomioDeployments in them carry its finalizer.
   */
  public void deleteNamespaces(List<String> names) throws InterruptedException {
    for (String n : names) {
      admin.namespaces().withName(n).delete();
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline
        && names.stream().anyMatch(n -> admin.namespaces().withName(n).get() != null)) {
      Thread.sleep(500);
    }
  }

  /**
   * Installs the CRDs as docs/operations.md tells users of Kubernetes 1.20 to 1.24 (the rig is v1.20): the
   * documented command, read from the document and run verbatim from the repository root with the rig's kubectl
   * (a server-side apply of the full CRDs, with their CEL rules, fails on v1.20). Returns the command run.
   */
  public String installCrdsAsDocumented() {
    Path root = Path.of(System.getProperty("examples.dir", "../examples"))
        .toAbsolutePath()
        .normalize()
        .getParent();
    String command;
    try {
      command = Files.readAllLines(root.resolve("docs/operations.md")).stream()
          .map(String::trim)
          .filter(l -> l.startsWith("kubectl apply ") && l.contains("crds/legacy/"))
          .findFirst()
          .orElseThrow(() -> new IllegalStateException(
              "docs/operations.md names no kubectl apply of crds/legacy/"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> argv = new ArrayList<>(List.of(command.split(" +")));
    argv.set(0, kubectl.toString());
    String out = run(argv, root, Duration.ofSeconds(120), false);
    System.out.printf(
        "e2e: CRDs installed as documented (%s): %s%n", command, out.trim().replace('\n', ' '));
    return command;
  }

  /**
   * The audit log now, as a mark to count writes after: its length in bytes, counted over the rotated files
   * too. kube-apiserver moves {@code audit.log} to {@code audit-<time>.log} at 100 MB (its default even with
   * {@code --audit-log-maxsize=0}) and starts a new one; a mark of {@code audit.log} alone would then point past
   * the new file's end, and every count after it would be 0 (a quiet window would pass whatever happened).
   */
  public long auditMark() {
    return auditFiles().stream().mapToLong(Rig::size).sum();
  }

  /**
   * The API server's requests so far that it answered in JSON, from its {@code apiserver_request_total}, by
   * "VERB resource[/subresource]": the operator's, {@code kubectl}'s and the tests' own (kube-controller-manager
   * asks in protobuf, so its requests are not among them). The audit log holds writes only; this counts reads and
   * watches too. Subtract two of these to count what happened between them.
   */
  public java.util.Map<String, Double> jsonRequests() {
    java.util.Map<String, Double> counts = new java.util.TreeMap<>();
    java.util.regex.Pattern line =
        java.util.regex.Pattern.compile("^apiserver_request_total\\{(.*)\\} (\\S+)$");
    for (String text : admin.raw("/metrics").split("\n")) {
      java.util.regex.Matcher m = line.matcher(text);
      if (!m.matches() || !m.group(1).contains("contentType=\"application/json\"")) {
        continue;
      }
      java.util.Map<String, String> labels = new java.util.HashMap<>();
      java.util.regex.Matcher l =
          java.util.regex.Pattern.compile("(\\w+)=\"([^\"]*)\"").matcher(m.group(1));
      while (l.find()) {
        labels.put(l.group(1), l.group(2));
      }
      String resource = labels.getOrDefault("resource", "")
          + (labels.getOrDefault("subresource", "").isEmpty()
              ? ""
              : "/" + labels.get("subresource"));
      counts.merge(
          labels.get("verb") + " " + resource, Double.parseDouble(m.group(2)), Double::sum);
    }
    return counts;
  }

  /** The processes of the rig's control plane, by their executable's name. */
  public static final List<String> CONTROL_PLANE =
      List.of("kube-apiserver", "etcd", "kube-controller-manager");

  /**
   * The CPU time each process of the rig's control plane ({@link #CONTROL_PLANE}) has used so far, in seconds:
   * what the API server's side of a converge costs, subtracted between two readings.
   */
  public java.util.Map<String, Double> controlPlaneCpuSeconds() {
    java.util.Map<String, Double> seconds = new java.util.LinkedHashMap<>();
    for (String name : CONTROL_PLANE) {
      seconds.put(
          name,
          ProcessHandle.allProcesses()
              .filter(p -> p.info().command().map(c -> c.endsWith("/" + name)).orElse(false))
              .mapToDouble(p ->
                  p.info().totalCpuDuration().map(d -> d.toMillis() / 1000.0).orElse(0.0))
              .sum());
    }
    return seconds;
  }

  /** The requests between two {@link #jsonRequests} readings, by key, the ones that did not change left out. */
  public static java.util.Map<String, Double> requestsBetween(
      java.util.Map<String, Double> before, java.util.Map<String, Double> after) {
    java.util.Map<String, Double> between = new java.util.TreeMap<>();
    after.forEach((key, count) -> {
      double d = count - before.getOrDefault(key, 0.0);
      if (d > 0) {
        between.put(key, d);
      }
    });
    return between;
  }

  /** The audit log's files, oldest first: the rotated ones by their time stamp, then {@code audit.log}. */
  private List<Path> auditFiles() {
    List<Path> files = new ArrayList<>();
    try (var list = Files.list(runDir)) {
      list.filter(p -> p.getFileName().toString().matches("audit-.*\\.log"))
          .sorted()
          .forEach(files::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    files.add(runDir.resolve("audit.log"));
    return files;
  }

  private static long size(Path file) {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The audit log's lines after {@code mark} (an {@link #auditMark()}), oldest first. */
  private List<String> auditLinesSince(long mark) {
    List<String> lines = new ArrayList<>();
    long before = 0;
    for (Path file : auditFiles()) {
      long size = size(file);
      if (before + size > mark) {
        long skip = Math.max(0, mark - before);
        try (var in = Files.newInputStream(file)) {
          // from the byte before the mark: a mark taken while a line was being written falls inside
          // it, and that line (begun before the mark) is not one of the writes after it
          in.skipNBytes(Math.max(0, skip - 1));
          String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
          if (skip > 0) {
            int newline = text.indexOf('\n');
            text = newline < 0 ? "" : text.substring(newline + 1);
          }
          text.lines().filter(l -> !l.isBlank()).forEach(lines::add);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      before += size;
    }
    return lines;
  }

  /** One write request from the audit log; {@code at}: when the API server received it. */
  public record Write(
      String user,
      String verb,
      String resource,
      String namespace,
      String name,
      int code,
      java.time.Instant at) {
    @Override
    public String toString() {
      return user + " " + verb + " " + resource + " " + namespace + "/" + name + " -> " + code;
    }
  }

  /** Write requests after {@code mark} by {@code user} in namespaces accepted by {@code namespaces}. */
  public List<Write> writesSince(long mark, String user, Predicate<String> namespaces) {
    return writes(mark, user::equals, namespaces);
  }

  /** Write requests after {@code mark} by any user in namespaces accepted by {@code namespaces}. */
  public List<Write> writesByAnyoneSince(long mark, Predicate<String> namespaces) {
    return writes(mark, u -> true, namespaces);
  }

  private List<Write> writes(long mark, Predicate<String> users, Predicate<String> namespaces) {
    List<Write> writes = new ArrayList<>();
    auditLinesSince(mark).forEach(line -> {
      try {
        JsonNode e = JSON.readTree(line);
        if (!"ResponseComplete".equals(e.path("stage").asText())
            || !WRITE_VERBS.contains(e.path("verb").asText())
            || !users.test(e.at("/user/username").asText())
            || e.path("requestURI").asText().contains("dryRun=")) {
          return;
        }
        String ns = e.at("/objectRef/namespace").asText("");
        if (!namespaces.test(ns)) {
          return;
        }
        String resource = e.at("/objectRef/resource").asText()
            + (e.at("/objectRef/subresource").isMissingNode()
                ? ""
                : "/" + e.at("/objectRef/subresource").asText());
        writes.add(new Write(
            e.at("/user/username").asText(),
            e.path("verb").asText(),
            resource,
            ns,
            e.at("/objectRef/name").asText(),
            e.at("/responseStatus/code").asInt(),
            java.time.Instant.parse(
                e.path("requestReceivedTimestamp").asText("1970-01-01T00:00:00Z"))));
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
    });
    return writes;
  }

  /** Runs a command with the admin kubeconfig; returns its output, or fails with it. */
  public String run(List<String> command, Duration timeout) {
    return run(command, timeout, false);
  }

  /** Runs a command with the admin kubeconfig; returns its output (and, if allowed, whatever its exit code). */
  public String run(List<String> command, Duration timeout, boolean allowFailure) {
    return run(command, null, timeout, allowFailure);
  }

  /** As {@link #run(List, Duration, boolean)}, in a working directory (null: this process's). */
  public String run(List<String> command, Path directory, Duration timeout, boolean allowFailure) {
    try {
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
      if (directory != null) {
        pb.directory(directory.toFile());
      }
      pb.environment().put("KUBECONFIG", adminKubeconfig().toString());
      Process p = pb.start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(command + " timed out");
      }
      String text = new String(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0 && !allowFailure) {
        throw new IllegalStateException(command + " failed (" + p.exitValue() + "):\n" + text);
      }
      return text;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
