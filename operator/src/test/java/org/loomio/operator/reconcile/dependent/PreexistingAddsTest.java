package org.loomio.operator.reconcile.dependent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.javaoperatorsdk.operator.api.config.informer.InformerConfiguration;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResourceConfig;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnAddFilter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PreexistingAddsTest {

  private static final Instant MADE = Instant.parse("2026-12-07T04:00:00Z");
  /** While the informer's initial list arrives. */
  private static final Clock DURING = Clock.fixed(MADE.plusSeconds(10), ZoneOffset.UTC);

  private static ConfigMap created(String timestamp) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName("s0-config")
        .withCreationTimestamp(timestamp)
        .endMetadata()
        .build();
  }

  @Test
  void onlyObjectsFromWellBeforeTheInformerAreIgnored() {
    OnAddFilter<ConfigMap> filter = PreexistingAdds.since(MADE, DURING);
    assertThat(filter.accept(created("2026-12-06T04:00:00Z")))
        .as("a day before")
        .isFalse();
    assertThat(filter.accept(
            created(MADE.minus(PreexistingAdds.MARGIN).minusSeconds(1).toString())))
        .as("just beyond the margin")
        .isFalse();
    // within the margin (the API server's clock may be behind the operator's), or after: a real
    // add
    assertThat(filter.accept(created(MADE.minus(Duration.ofMinutes(4)).toString())))
        .isTrue();
    assertThat(filter.accept(created(MADE.plusSeconds(1).toString()))).isTrue();
    // no creation time, or one that does not parse: kept
    assertThat(filter.accept(created(null))).isTrue();
    assertThat(filter.accept(created("yesterday"))).isTrue();
  }

  /**
   * After the window every add counts: an old object of the stack whose label was removed and put back must
   * reconcile the stack that stopped on its absence.
   */
  @Test
  void afterTheInitialListEveryAddCounts() {
    Clock later = Clock.fixed(MADE.plus(PreexistingAdds.WINDOW).plusSeconds(1), ZoneOffset.UTC);
    OnAddFilter<ConfigMap> filter = PreexistingAdds.since(MADE, later);
    assertThat(filter.accept(created("2026-12-06T04:00:00Z"))).isTrue();
  }

  @Test
  void anExistingAddFilterStillApplies() {
    InformerConfiguration<ConfigMap> informer = InformerConfiguration.builder(ConfigMap.class)
        .withOnAddFilter(c -> !c.getMetadata().getName().startsWith("skip"))
        .build();
    var config = new KubernetesDependentResourceConfig<>(true, true, informer, null);
    @SuppressWarnings("unchecked")
    OnAddFilter<ConfigMap> filter = (OnAddFilter<ConfigMap>)
        PreexistingAdds.filtered(Optional.of(config), Clock.fixed(MADE, ZoneOffset.UTC))
            .orElseThrow()
            .informerConfig()
            .getOnAddFilter();
    ConfigMap fresh = created(MADE.toString());
    assertThat(filter.accept(fresh)).isTrue();
    fresh.getMetadata().setName("skip-me");
    assertThat(filter.accept(fresh)).isFalse();
    assertThat(filter.accept(created("2026-12-06T04:00:00Z"))).isFalse();
    assertThat(PreexistingAdds.filtered(
            Optional.<KubernetesDependentResourceConfig<ConfigMap>>empty(), Clock.systemUTC()))
        .isEmpty();
  }
}
