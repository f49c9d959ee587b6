package org.loomio.operator.reconcile.dependent;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.config.informer.InformerConfiguration;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResourceConfig;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A dependent's configuration rebuilt around a changed informer configuration ({@link CacheTrim}'s item store,
 * {@link PreexistingAdds}' add filter), everything else (server-side apply, the create guard, the matcher) kept.
 */
final class InformerConfigs {

  private InformerConfigs() {}

  /**
   * The configuration with {@code change} applied to its informer's builder; empty when there is no informer
   * configuration to change, or when {@code change} declines (returns null).
   */
  static <R extends HasMetadata> Optional<KubernetesDependentResourceConfig<R>> changed(
      Optional<KubernetesDependentResourceConfig<R>> configuration,
      UnaryOperator<InformerConfiguration<R>.Builder> change) {
    if (configuration.isEmpty() || configuration.get().informerConfig() == null) {
      return Optional.empty();
    }
    KubernetesDependentResourceConfig<R> c = configuration.get();
    InformerConfiguration<R>.Builder builder =
        change.apply(InformerConfiguration.builder(c.informerConfig()));
    if (builder == null) {
      return Optional.empty();
    }
    return Optional.of(new KubernetesDependentResourceConfig<>(
        c.useSSA(), c.createResourceOnlyIfNotExistingWithSSA(), builder.build(), c.matcher()));
  }
}
