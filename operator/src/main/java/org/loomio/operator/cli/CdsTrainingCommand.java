package org.loomio.operator.cli;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import java.util.concurrent.Callable;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.reconcile.LoomioOperator;
import org.loomio.operator.reconcile.OperatorMetrics;
import org.loomio.operator.reconcile.OperatorSettings;
import org.loomio.operator.render.StackRenderer;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The image build's training run for its class-data sharing archive (operator/Dockerfile, docs/performance.md,
 * "AppCDS"): loads what a start of {@code run} loads, without a cluster and without a network, and exits 0. It
 * parses the run command's options, builds a client (for an address nobody listens on) and the operator with its
 * controllers (not started), renders a stack and reads every object back as an informer does, and sends one request
 * that is refused. Hidden: it is no user's command.
 */
@Command(
    name = "cds-training",
    hidden = true,
    description = "Load the classes of a start, for the image's class-data sharing archive.")
public final class CdsTrainingCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /** An address on the loopback interface that nobody listens on: the request is refused at once. */
  static final String NOWHERE = "https://127.0.0.1:1";

  private static final String TRAINING_STACK = "apiVersion: loomio.org/v1alpha1\n"
      + "kind: LoomioDeployment\n"
      + "metadata: {name: training, namespace: training, generation: 1}\n"
      + "spec: {host: loomio.example.org}\n";

  @Override
  public Integer call() {
    RunCommand run = new RunCommand();
    new CommandLine(run).parseArgs();
    OperatorSettings settings = run.settings();
    OperatorMetrics metrics = OperatorMetrics.prometheus();
    Config config = new ConfigBuilder(Config.empty())
        .withMasterUrl(NOWHERE)
        .withRequestRetryBackoffLimit(0)
        .withConnectionTimeout(2000)
        .withRequestTimeout(2000)
        .build();
    try (KubernetesClient client = new KubernetesClientBuilder()
        .withConfig(config)
        .withHttpClientBuilderConsumer(
            b -> b.addOrReplaceInterceptor("api-errors", metrics.apiErrorCounter()))
        .build()) {
      ClusterCapabilities cluster = ClusterCapabilities.forVersion(ClusterCapabilities.NEWEST);
      Operator operator =
          LoomioOperator.create(client, settings, () -> cluster, metrics, () -> {}, null);
      LoomioDeployment stack = Serialization.unmarshal(TRAINING_STACK, LoomioDeployment.class);
      int objects = 0;
      for (HasMetadata o : StackRenderer.renderForDisplay(stack, cluster).objects()) {
        Serialization.unmarshal(Serialization.asJson(o), o.getClass());
        objects++;
      }
      try {
        client.namespaces().list();
      } catch (KubernetesClientException refused) {
        // expected: nobody listens there
      }
      operator.stop();
      spec.commandLine()
          .getOut()
          .println("cds-training: loaded a start's classes, rendered " + objects + " objects");
      spec.commandLine().getOut().flush();
    }
    return 0;
  }
}
