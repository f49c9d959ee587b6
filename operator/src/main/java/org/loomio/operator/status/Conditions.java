package org.loomio.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Condition types of a LoomioDeployment (docs/api.md, "Conditions"; their reasons are one enum per type, see
 * {@link ConditionReason}), and the merge that keeps {@code lastTransitionTime} unless a condition's status
 * changes, as the Kubernetes API conventions ask.
 */
public final class Conditions {

  public static final String READY = "Ready";
  public static final String PROGRESSING = "Progressing";
  public static final String DEGRADED = "Degraded";
  public static final String MAIL_DELIVERY = "MailDelivery";
  public static final String API_AVAILABLE = "APIAvailable";
  public static final String EDGE = "Edge";
  public static final String BACKUPS_HEALTHY = "BackupsHealthy";
  public static final String ISOLATED = "Isolated";
  public static final String SECRETS_FRESH = "SecretsFresh";
  public static final String NETWORK_POLICIES = "NetworkPolicies";

  /** The order conditions are written in (stable, so an unchanged status compares equal). */
  public static final List<String> ORDER = List.of(
      READY,
      PROGRESSING,
      DEGRADED,
      MAIL_DELIVERY,
      EDGE,
      BACKUPS_HEALTHY,
      ISOLATED,
      SECRETS_FRESH,
      NETWORK_POLICIES,
      API_AVAILABLE);

  public static final String TRUE = "True";
  public static final String FALSE = "False";
  public static final String UNKNOWN = "Unknown";

  /** Longer messages are cut (status stays small; events and logs carry no more either). */
  public static final int MAX_MESSAGE = 1024;

  private Conditions() {}

  /** A condition of the reason's type. */
  public static Condition of(
      ConditionReason reason, String status, String message, long generation) {
    return of(reason.type(), status, reason.value(), message, generation);
  }

  /** A condition whose reason was observed as a word (a backup's, the edge's, a refusal's). */
  public static Condition of(
      String type, String status, String reason, String message, long generation) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(truncate(message))
        .withObservedGeneration(generation)
        .build();
  }

  /**
   * The new conditions, in {@link #ORDER}, each keeping its previous lastTransitionTime when its status is
   * unchanged; conditions this update does not mention are kept as they were.
   */
  public static List<Condition> merge(
      List<Condition> previous, List<Condition> updates, Instant now) {
    List<Condition> merged = new ArrayList<>();
    for (String type : ORDER) {
      Optional<Condition> update = find(updates, type);
      Optional<Condition> before = find(previous, type);
      if (update.isPresent()) {
        Condition c = new ConditionBuilder(update.get()).build();
        boolean same = before.isPresent()
            && Objects.equals(before.get().getStatus(), c.getStatus())
            && before.get().getLastTransitionTime() != null;
        c.setLastTransitionTime(
            same
                ? before.get().getLastTransitionTime()
                : now.truncatedTo(ChronoUnit.SECONDS).toString());
        merged.add(c);
      } else {
        before.ifPresent(merged::add);
      }
    }
    return merged;
  }

  public static Optional<Condition> find(List<Condition> conditions, String type) {
    if (conditions == null) {
      return Optional.empty();
    }
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  public static boolean isTrue(List<Condition> conditions, String type) {
    return find(conditions, type).map(c -> TRUE.equals(c.getStatus())).orElse(false);
  }

  /** Names in words for a message: {@code a}, {@code a and b}, {@code a, b and c} (never list brackets). */
  public static String inWords(Collection<String> names) {
    List<String> list = List.copyOf(names);
    if (list.size() <= 1) {
      return list.isEmpty() ? "" : list.get(0);
    }
    return String.join(", ", list.subList(0, list.size() - 1)) + " and "
        + list.get(list.size() - 1);
  }

  /** At most {@link #MAX_MESSAGE} characters (status, events and logs carry no more). */
  public static String truncate(String message) {
    if (message == null) {
      return null;
    }
    return message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE - 1) + "…";
  }
}
