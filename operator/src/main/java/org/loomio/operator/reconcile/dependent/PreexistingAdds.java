package org.loomio.operator.reconcile.dependent;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResourceConfig;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnAddFilter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * An informer's add event for an object that existed well before the informer was made does not reconcile the
 * stack: it says nothing that happened while the operator watched.
 *
 * <p>Why: the informers of the dependents that depend on a served API (CronJobs, PodDisruptionBudgets, Ingresses,
 * HTTPRoutes, Middlewares, CloudNativePG Clusters) are registered by JOSDK in the first reconcile that needs them,
 * so their initial list arrives after every stack has been queued for the start's reconcile; each listed object's
 * add event then marked its stack again, and every stack was reconciled twice after a restart (400 reconciles for
 * 200 stacks on the rig, each about 50 ms of CPU). Every stack is reconciled once at a start anyway (its own add
 * event), and reads these objects from the synced cache then.
 *
 * <p>The index from objects to stacks is updated for every add (JOSDK updates it before it consults the filter);
 * updates and deletions are never filtered; an object created by anyone after the informer was made, or within
 * {@link #MARGIN} before (clock skew between the operator and the API server), still reconciles its stack; the
 * operator's own creates are recognised by JOSDK as its own either way. An object without a creation time is kept.
 * Only the adds of the informer's first {@link #WINDOW} are filtered, when its initial list arrives.
 */
public final class PreexistingAdds {

  /** How much older than the informer an object must be for its add event to be dropped. */
  public static final Duration MARGIN = Duration.ofMinutes(5);

  /**
   * How long after the informer was made its adds are filtered at all: its initial list arrives within it. Later,
   * every add counts, such as an object of the stack whose label was removed and put back (an add of an old
   * object, which must reconcile the stack that stopped on the missing object).
   */
  public static final Duration WINDOW = Duration.ofMinutes(2);

  private PreexistingAdds() {}

  /**
   * Accepts the add of an object created after {@code informerMade} minus {@link #MARGIN}, and every add once
   * {@link #WINDOW} has passed.
   */
  public static <R extends HasMetadata> OnAddFilter<R> since(Instant informerMade, Clock clock) {
    Instant cutoff = informerMade.minus(MARGIN);
    Instant windowEnd = informerMade.plus(WINDOW);
    return added -> {
      if (clock.instant().isAfter(windowEnd)) {
        return true;
      }
      String created =
          added.getMetadata() == null ? null : added.getMetadata().getCreationTimestamp();
      if (created == null) {
        return true;
      }
      try {
        return !Instant.parse(created).isBefore(cutoff);
      } catch (DateTimeParseException e) {
        return true;
      }
    };
  }

  /** The dependent's configuration with {@link #since} as (an additional) add filter; empty without an informer configuration. */
  public static <R extends HasMetadata> Optional<KubernetesDependentResourceConfig<R>> filtered(
      Optional<KubernetesDependentResourceConfig<R>> configuration, Clock clock) {
    OnAddFilter<R> preexisting = since(clock.instant(), clock);
    return InformerConfigs.changed(configuration, informer -> {
      @SuppressWarnings("unchecked")
      OnAddFilter<R> existing =
          (OnAddFilter<R>) configuration.get().informerConfig().getOnAddFilter();
      return informer.withOnAddFilter(
          existing == null
              ? preexisting
              : added -> existing.accept(added) && preexisting.accept(added));
    });
  }
}
