package org.loomio.operator.reconcile;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import java.time.Duration;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.loomio.operator.render.ClusterCapabilities;

/**
 * Builds the operator as it runs in production: server-side apply for every owned object and for the
 * status (a stable field manager, {@value LoomioDeploymentReconciler#NAME}), watching all namespaces or
 * the given ones. Tests pass an extra overrider (for example to turn SSA off on the mock API server,
 * which cannot do it); production passes none.
 */
public final class LoomioOperator {

  /** How long discovery results are trusted before the server is asked again. */
  public static final Duration DISCOVERY_MAX_AGE = Duration.ofMinutes(10);

  private LoomioOperator() {}

  /**
   * @param namespaces namespaces to watch; empty for all
   * @param capabilities what the cluster serves (null: discover from the server)
   * @param testOverrides a test-only configuration override, or null
   */
  public static Operator create(KubernetesClient client, Set<String> namespaces,
      Supplier<ClusterCapabilities> capabilities, Consumer<ConfigurationServiceOverrider> testOverrides) {
    Operator operator = new Operator(o -> {
      o.withKubernetesClient(client)
          .withCloseClientOnStop(false)
          // SSA for ConfigMaps too (JOSDK leaves ConfigMap and Secret out by default); the generated
          // Secret is written by read-check-write instead (never-overwrite), see GeneratedCredentials.
          .withDefaultNonSSAResource(Set.of())
          .withSSABasedCreateUpdateMatchForDependentResources(true)
          .withUseSSAToPatchPrimaryResource(true);
      if (testOverrides != null) {
        testOverrides.accept(o);
      }
    });
    Supplier<ClusterCapabilities> discovered = capabilities != null ? capabilities
        : ClusterCapabilitiesProvider.discovering(client, DISCOVERY_MAX_AGE);
    operator.register(new LoomioDeploymentReconciler(discovered), c -> {
      if (namespaces.isEmpty()) {
        c.watchingAllNamespaces();
      } else {
        c.settingNamespaces(namespaces);
      }
    });
    return operator;
  }
}
