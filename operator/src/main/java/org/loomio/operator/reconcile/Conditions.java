package org.loomio.operator.reconcile;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Condition types and reasons of a LoomioDeployment (docs/api.md, "Conditions"), and the merge that keeps
 * {@code lastTransitionTime} unless a condition's status changes, as the Kubernetes API conventions ask.
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

  // reasons
  public static final String INVALID_SPEC = "InvalidSpec";
  public static final String SECRET_NOT_FOUND = "SecretNotFound";
  /** A referenced Secret or ConfigMap does not carry its owner's consent for this stack (ReferencedSecrets). */
  public static final String CONSENT_REQUIRED = "ConsentRequired";

  public static final String MISSING_SECRET_KEY = "MissingSecretKey";
  public static final String INCOMPLETE_CREDENTIALS = "IncompleteCredentials";
  /** An object of a name the stack uses exists and is not the stack's own (render.Ownership). */
  public static final String NAME_CONFLICT = "NameConflict";

  public static final String RECONCILE_FAILED = "ReconcileFailed";
  public static final String MIGRATION_FAILED = "MigrationFailed";
  public static final String MIGRATION_PENDING = "MigrationPending";
  /** Degraded: the embedded database's role setup Job failed (the migration waits for it). */
  public static final String ROLE_SETUP_FAILED = "RoleSetupFailed";

  public static final String ROLLING_OUT = "RollingOut";
  public static final String WORKLOADS_NOT_READY = "WorkloadsNotReady";
  public static final String ALL_READY = "AllComponentsReady";
  public static final String STABLE = "Stable";
  public static final String AS_EXPECTED = "AsExpected";
  public static final String SMTP_CONFIGURED = "SMTPConfigured";
  public static final String SMTP_NOT_CONFIGURED = "SMTPNotConfigured";
  public static final String ALL_APIS_SERVED = "AllAPIsServed";
  public static final String API_MISSING = "APIMissing";
  public static final String RESTORING = "Restoring";
  public static final String BACKUP_SUCCEEDED = "BackupSucceeded";
  public static final String BACKUP_FAILED = "BackupFailed";
  public static final String BACKUP_OVERDUE = "BackupOverdue";
  public static final String DRILL_FAILED = "DrillFailed";
  public static final String DRILL_OVERDUE = "DrillOverdue";
  public static final String NO_BACKUP_YET = "NoBackupYet";
  public static final String BACKUPS_DISABLED = "BackupsDisabled";
  /** The NetworkPolicies name every destination from the spec. */
  public static final String AS_SPECIFIED = "AsSpecified";
  /** An external server named by a host outside the cluster is reached at public addresses only. */
  public static final String PUBLIC_ADDRESSES_ASSUMED = "PublicAddressesAssumed";
  /** spec.networkPolicy.enabled is false. */
  public static final String DISABLED = "Disabled";

  /** Longer messages are cut (status stays small; events and logs carry no more either). */
  public static final int MAX_MESSAGE = 1024;

  private Conditions() {}

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
  public static String inWords(java.util.Collection<String> names) {
    List<String> list = List.copyOf(names);
    if (list.size() <= 1) {
      return list.isEmpty() ? "" : list.get(0);
    }
    return String.join(", ", list.subList(0, list.size() - 1)) + " and "
        + list.get(list.size() - 1);
  }

  static String truncate(String message) {
    if (message == null) {
      return null;
    }
    return message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE - 1) + "…";
  }
}
