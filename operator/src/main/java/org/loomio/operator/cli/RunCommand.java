package org.loomio.operator.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.loomio.operator.reconcile.LoomioOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the operator against the current kubeconfig (or the in-cluster service account). */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {
        "Run the operator: reconcile every LoomioDeployment in the watched namespaces until stopped.",
        "Connects with the current kubeconfig (KUBECONFIG, ~/.kube/config) or, in a pod, its service account."})
public final class RunCommand implements Callable<Integer> {

  @Option(names = "--namespaces", paramLabel = "NS[,NS...]", split = ",",
      defaultValue = "${env:WATCH_NAMESPACES}",
      description = "Namespaces to watch (default: the WATCH_NAMESPACES environment variable; if that is empty,"
          + " all namespaces).")
  String[] namespaces;

  @Override
  public Integer call() throws InterruptedException {
    Set<String> watched = new LinkedHashSet<>();
    if (namespaces != null) {
      Arrays.stream(namespaces).map(String::trim).filter(s -> !s.isEmpty()).forEach(watched::add);
    }
    KubernetesClient client = new KubernetesClientBuilder().build();
    Operator operator = LoomioOperator.create(client, watched, null, null);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      operator.stop();
      client.close();
      stopped.countDown();
    }, "shutdown"));
    operator.start();
    stopped.await();
    return 0;
  }
}
