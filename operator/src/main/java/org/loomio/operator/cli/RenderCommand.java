package org.loomio.operator.cli;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.render.Stack;
import org.loomio.operator.render.StackRenderer;
import org.loomio.operator.render.base.Omission;
import org.loomio.operator.validation.ResourceReader;
import org.loomio.operator.validation.TenantPolicy;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Prints every object the operator would create for the given LoomioDeployments, without a cluster. The
 * same render code runs in the operator; secrets appear only as placeholders.
 */
@Command(
    name = "render",
    mixinStandardHelpOptions = true,
    description = {
      "Print, as multi-document YAML, every object the operator creates for the LoomioDeployment(s) in a file.",
      "No cluster is needed. Generated credentials are shown as placeholders, never real values.",
      "Input is checked as the API server would check it (CRD schema, unknown fields, the operator's own rules);",
      "any error (a namespace that is not a DNS label included, in a document or -n) is reported with its field",
      "path and the exit code is 1, and nothing is printed.",
      "The default-image and tenancy options (and their environment variables) are the run command's: render",
      "then shows what an operator configured the same way creates, and refuses what it refuses."
    })
public final class RenderCommand implements Callable<Integer> {

  @Option(
      names = {"-f", "--file"},
      required = true,
      paramLabel = "FILE",
      description =
          "YAML file with one or more LoomioDeployment documents; '-' reads standard input.")
  String file;

  @Option(
      names = "--kube-version",
      paramLabel = "X.Y",
      defaultValue = ClusterCapabilities.NEWEST,
      description =
          "Kubernetes version to render for (default: ${DEFAULT-VALUE}): the API versions that version"
              + " serves (1.20: batch/v1beta1 CronJob, policy/v1beta1 PodDisruptionBudget). Objects and fields newer"
              + " than that are left out and listed in a comment. "
              + ClusterCapabilities.SUPPORT_STATEMENT
              + " 1.20 to 1.26 render with a warning on standard error listing the gaps; older versions are refused"
              + " (exit code 2).")
  String kubeVersion;

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NAMESPACE",
      description =
          "Namespace for documents that name none, a DNS label (default: leave it to kubectl -n).")
  String namespace;

  @CommandLine.Mixin
  ImageOptions images = new ImageOptions();

  @CommandLine.Mixin
  TenancyOptions tenancy = new TenancyOptions();

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ClusterCapabilities cluster;
    try {
      cluster = ClusterCapabilities.forVersion(kubeVersion);
    } catch (IllegalArgumentException e) {
      err.println("error: --kube-version: " + e.getMessage());
      return 2;
    }
    if (!cluster.runnable()) {
      err.println("error: --kube-version " + kubeVersion + ": " + cluster.support());
      return 2;
    }
    if (namespace != null && ResourceReader.namespaceProblem(namespace).isPresent()) {
      err.println(
          "error: -n/--namespace: " + ResourceReader.namespaceProblem(namespace).get());
      return 1;
    }
    ImageDefaults defaultImages;
    TenantPolicy policy;
    try {
      defaultImages = images.images();
      policy = tenancy.policy(defaultImages);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      return 2;
    }
    List<ResourceReader.Result> results;
    try (Reader in = open()) {
      results = ResourceReader.read(in, "-".equals(file) ? "<stdin>" : file, namespace, policy);
    } catch (NoSuchFileException e) {
      err.println("error: " + file + ": no such file");
      return 2;
    } catch (IOException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
    if (results.isEmpty()) {
      err.println("error: " + file + " holds no LoomioDeployment");
      return 1;
    }
    boolean invalid = false;
    for (ResourceReader.Result r : results) {
      if (!r.valid()) {
        err.println("error: " + r.error().getMessage());
        invalid = true;
      }
    }
    if (invalid) {
      return 1;
    }
    StringBuilder yaml = new StringBuilder();
    for (ResourceReader.Result r : results) {
      Stack stack = StackRenderer.renderForDisplay(r.resource(), defaultImages, cluster);
      yaml.append(header(r, stack, cluster));
      for (HasMetadata object : stack.objects()) {
        String doc = Serialization.asYaml(object);
        yaml.append(doc.startsWith("---") ? doc : "---\n" + doc);
      }
    }
    if (!cluster.supported()) {
      err.println("warning: --kube-version " + kubeVersion + ": Kubernetes " + cluster.version()
          + " runs with these gaps:");
      cluster.gaps().forEach(gap -> err.println("  - " + gap));
      err.println(ClusterCapabilities.SUPPORT_STATEMENT);
      err.flush();
    }
    out.print(yaml);
    out.flush();
    return 0;
  }

  private Reader open() throws IOException {
    if ("-".equals(file)) {
      return new InputStreamReader(System.in, StandardCharsets.UTF_8);
    }
    return Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8);
  }

  private static String header(ResourceReader.Result r, Stack stack, ClusterCapabilities cluster) {
    List<String> lines = new ArrayList<>();
    var meta = r.resource().getMetadata();
    lines.add("# LoomioDeployment " + (meta.getNamespace() == null ? "" : meta.getNamespace() + "/")
        + meta.getName() + ": " + stack.objects().size() + " objects for Kubernetes "
        + cluster.version() + ", image " + stack.image());
    for (Omission o : stack.omissions()) {
      lines.add("# left out (APIAvailable=False): " + o);
    }
    return String.join("\n", lines) + "\n";
  }
}
