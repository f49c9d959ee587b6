package org.loomio.operator.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.loomio.operator.api.v1alpha1.BackupStatus;
import org.loomio.operator.api.v1alpha1.DrillStatus;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.backup.BackupNames;
import org.loomio.operator.backup.Summary;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Labels;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.backup.BackupPodTemplate;
import org.loomio.operator.status.BackupsHealthyReason;
import org.loomio.operator.status.Conditions;

/**
 * What the stack's backup pods reported. Backup pods have no API token: the agent's last words (its
 * termination message, one JSON line) say which backup it wrote or why it failed; a pod whose dump step
 * failed says so through its init container. The status keeps the newest success and the newest failure
 * even after the CronJob's history limit removed their pods. BackupsHealthy is True when the newest run
 * succeeded within twice the schedule's longest interval.
 */
public final class BackupObserver {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One finished backup run. */
  public record Run(Instant finished, boolean complete, String backup, String error) {}

  /** The backup part of the status and its condition. */
  public record BackupState(
      BackupStatus status, String conditionStatus, String reason, String message) {}

  private BackupObserver() {}

  /** Finished runs among the pods, oldest first. */
  public static List<Run> runs(Collection<Pod> pods) {
    List<Run> runs = new ArrayList<>();
    for (Pod pod : pods) {
      if (!Component.BACKUP.label().equals(pod.getMetadata().getLabels().get(Labels.COMPONENT))) {
        continue;
      }
      finished(pod).ifPresent(runs::add);
    }
    runs.sort((a, b) -> a.finished().compareTo(b.finished()));
    return runs;
  }

  /** The run a pod reports, once it has finished (succeeded, or failed in any container). */
  public static Optional<Run> finished(Pod pod) {
    if (pod.getStatus() == null) {
      return Optional.empty();
    }
    for (ContainerStatus c : containerStatuses(pod)) {
      var t = c.getState() == null ? null : c.getState().getTerminated();
      if (t == null) {
        continue;
      }
      Instant at = t.getFinishedAt() == null ? Instant.EPOCH : Instant.parse(t.getFinishedAt());
      boolean failed = t.getExitCode() != null && t.getExitCode() != 0;
      if (BackupPodTemplate.AGENT_CONTAINER.equals(c.getName())) {
        Optional<JsonNode> summary = summary(t.getMessage());
        if (summary.isPresent() && summary.get().path("complete").asBoolean(false) && !failed) {
          return Optional.of(new Run(at, true, summary.get().path("backup").asText(null), null));
        }
        if (failed || summary.isPresent()) {
          String error = summary.map(s -> s.path("error").asText(null)).orElse(null);
          return Optional.of(new Run(
              at,
              false,
              summary.map(s -> s.path("backup").asText(null)).orElse(null),
              error != null
                  ? error
                  : "the backup agent exited with code " + t.getExitCode()
                      + (t.getReason() == null ? "" : " (" + t.getReason() + ")")));
        }
      } else if (failed) {
        return Optional.of(new Run(
            at,
            false,
            null,
            "step " + c.getName() + " failed with exit code " + t.getExitCode()
                + lastLine(t.getMessage())));
      }
    }
    if ("Failed".equals(pod.getStatus().getPhase())) {
      String reason =
          pod.getStatus().getReason() != null ? pod.getStatus().getReason() : "the pod failed";
      return Optional.of(new Run(
          Instant.EPOCH,
          false,
          null,
          reason
              + (pod.getStatus().getMessage() == null
                  ? ""
                  : ": " + pod.getStatus().getMessage())));
    }
    return Optional.empty();
  }

  /** The pod's init and main container statuses, in that order (none before the kubelet reports). */
  static List<ContainerStatus> containerStatuses(Pod pod) {
    List<ContainerStatus> all = new ArrayList<>();
    if (pod.getStatus() == null) {
      return all;
    }
    if (pod.getStatus().getInitContainerStatuses() != null) {
      all.addAll(pod.getStatus().getInitContainerStatuses());
    }
    if (pod.getStatus().getContainerStatuses() != null) {
      all.addAll(pod.getStatus().getContainerStatuses());
    }
    return all;
  }

  /**
   * The agent's one-line JSON summary, if the message is one. Parsed only up to Kubernetes' own limit of a
   * termination message ({@link org.loomio.operator.backup.Summary#LIMIT} bytes, so 4096 characters at most): a
   * longer message did not come through the kubelet and is not parsed at all, and Jackson's own limits (nesting
   * depth) refuse a malformed one; either way the run has no summary, which fails that one backup or restore
   * clearly instead of costing the operator its memory.
   */
  public static Optional<JsonNode> summary(String message) {
    if (message == null || message.isBlank() || message.length() > Summary.LIMIT) {
      return Optional.empty();
    }
    String line = message.strip();
    int nl = line.lastIndexOf('\n');
    line = nl < 0 ? line : line.substring(nl + 1);
    try {
      JsonNode node = JSON.readTree(line);
      return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * The backup status (merged with the previous one) and BackupsHealthy.
   *
   * @param redact masks secret values in what a failed run reports, before it reaches the status
   */
  public static BackupState observe(
      LoomioDeployment resource,
      ResolvedSpec spec,
      ClusterCapabilities cluster,
      Collection<Pod> pods,
      Instant now,
      UnaryOperator<String> redact) {
    BackupState backups = observeBackups(resource, spec, cluster, pods, now, redact);
    return withDrills(backups, resource, spec, now);
  }

  /**
   * BackupsHealthy with the restore drills (spec.backup.drill) folded in: a healthy backup state turns False when
   * the newest drill failed (DrillFailed, naming the check) or no drill has passed within twice the drill
   * schedule's longest interval (DrillOverdue; counted from the stack's creation until the first pass). A drill
   * that found no backup at all (a new stack) is neither. Backup failures keep their own reasons.
   */
  static BackupState withDrills(
      BackupState backups, LoomioDeployment resource, ResolvedSpec spec, Instant now) {
    ResolvedSpec.Drill drill = spec.drill();
    DrillStatus last = backups.status() == null ? null : backups.status().getLastDrill();
    if (!drill.runs() || !Conditions.TRUE.equals(backups.conditionStatus())) {
      return backups;
    }
    if (last != null && DrillStatus.FAILED.equals(last.getResult())) {
      return new BackupState(
          backups.status(),
          Conditions.FALSE,
          BackupsHealthyReason.DRILL_FAILED.value(),
          "the newest restore drill ("
              + last.getTime() + (last.getBackup() == null ? "" : ", backup " + last.getBackup())
              + ") failed at check "
              + last.getFailedCheck() + ": " + last.getMessage()
              + "; docs/backup.md#restore-drills says what to do");
    }
    Optional<String> withheld = withheld(spec.name(), backups.status(), last);
    if (withheld.isPresent()) {
      return new BackupState(
          backups.status(),
          Conditions.FALSE,
          BackupsHealthyReason.DRILL_FAILED.value(),
          withheld.get());
    }
    Duration allowed = spec.drillSchedule().longestInterval().multipliedBy(2);
    String passed = last == null ? null : last.getLastPassedTime();
    Instant since = passed != null
        ? Instant.parse(passed)
        : resource.getMetadata().getCreationTimestamp() == null
            ? now
            : Instant.parse(resource.getMetadata().getCreationTimestamp());
    if (Duration.between(since, now).compareTo(allowed) > 0) {
      return new BackupState(
          backups.status(),
          Conditions.FALSE,
          BackupsHealthyReason.DRILL_OVERDUE.value(),
          passed == null
              ? "no restore drill has passed since the stack was created (" + allowed
                  + " allowed by schedule '" + drill.schedule() + "')"
              : "no restore drill has passed since " + passed
                  + " (more than twice the drill schedule's interval, " + allowed + ")");
    }
    return passed == null
        ? backups
        : new BackupState(
            backups.status(),
            backups.conditionStatus(),
            backups.reason(),
            backups.message() + "; the newest restore drill passed at " + passed);
  }

  /**
   * Whether the newest drill passed on a backup older than the newest one this stack completed before the drill
   * started: that one was missing from the backup store or refused there (deleted, or tampered with), and the
   * drill proved an older one. Only backups completed before the drill pod started count (one finishing while it
   * ran is the next drill's).
   */
  static Optional<String> withheld(String stack, BackupStatus status, DrillStatus last) {
    if (status == null
        || last == null
        || !last.passed()
        || last.getBackup() == null
        || status.getLastSuccessfulBackup() == null
        || status.getLastSuccessfulTime() == null) {
      return Optional.empty();
    }
    Optional<Instant> drilled = BackupNames.parse(stack, last.getBackup());
    Optional<Instant> newest = BackupNames.parse(stack, status.getLastSuccessfulBackup());
    Instant started = Instant.parse(last.getTime())
        .minusSeconds(last.getDurationSeconds() == null ? 0 : last.getDurationSeconds());
    if (drilled.isEmpty()
        || newest.isEmpty()
        || !drilled.get().isBefore(newest.get())
        || !Instant.parse(status.getLastSuccessfulTime()).isBefore(started)) {
      return Optional.empty();
    }
    return Optional.of(
        "the newest restore drill (" + last.getTime() + ") restored backup " + last.getBackup()
            + ", older than backup " + status.getLastSuccessfulBackup()
            + " which completed before it started: that one"
            + " was missing from the backup store or refused there (deleted, or tampered with); check the store and"
            + " status.backup.lastDrill's backup check");
  }

  private static BackupState observeBackups(
      LoomioDeployment resource,
      ResolvedSpec spec,
      ClusterCapabilities cluster,
      Collection<Pod> pods,
      Instant now,
      UnaryOperator<String> redact) {
    BackupStatus previous =
        resource.getStatus() == null ? null : resource.getStatus().getBackup();
    BackupStatus status = merged(previous, pods, redact);
    boolean failureIsNewest = status.getLastFailureTime() != null
        && newer(Instant.parse(status.getLastFailureTime()), status.getLastSuccessfulTime());
    if (!failureIsNewest) {
      status.setLastFailureTime(null);
      status.setLastFailureMessage(null);
    }
    BackupStatus shown = empty(status) ? null : status;

    ResolvedSpec.Backup b = spec.backup();
    if (!b.enabled()) {
      return new BackupState(
          shown,
          Conditions.FALSE,
          BackupsHealthyReason.BACKUPS_DISABLED.value(),
          "spec.backup.enabled is false: nothing is backed up on a schedule");
    }
    if (cluster.cronJobApi().isEmpty()) {
      return new BackupState(
          shown,
          Conditions.FALSE,
          BackupsHealthyReason.API_MISSING.value(),
          "the cluster serves neither batch/v1 nor batch/v1beta1 CronJob: no scheduled backups (on-demand"
              + " LoomioBackups work)");
    }
    if (failureIsNewest) {
      return new BackupState(
          shown,
          Conditions.FALSE,
          BackupsHealthyReason.BACKUP_FAILED.value(),
          "the newest backup run failed at " + status.getLastFailureTime() + ": "
              + status.getLastFailureMessage());
    }
    return bySchedule(resource, spec, now, status, shown);
  }

  /** The previous backup status with the pods' drills and backup runs merged in (newest wins). */
  private static BackupStatus merged(
      BackupStatus previous, Collection<Pod> pods, UnaryOperator<String> redact) {
    BackupStatus status = copy(previous);
    status.setLastDrill(
        DrillObserver.merge(status.getLastDrill(), DrillObserver.runs(pods, redact)));
    for (Run run : runs(pods)) {
      if (run.complete()) {
        if (newer(run.finished(), status.getLastSuccessfulTime())) {
          status.setLastSuccessfulTime(run.finished().toString());
          status.setLastSuccessfulBackup(run.backup());
        }
      } else if (newer(run.finished(), status.getLastFailureTime())) {
        status.setLastFailureTime(run.finished().toString());
        status.setLastFailureMessage(Conditions.truncate(redact.apply(run.error())));
      }
    }
    return status;
  }

  /** Scheduled backups that did not fail last: succeeded in time, overdue, or none yet. */
  private static BackupState bySchedule(
      LoomioDeployment resource,
      ResolvedSpec spec,
      Instant now,
      BackupStatus status,
      BackupStatus shown) {
    ResolvedSpec.Backup b = spec.backup();
    // the schedule's longest gap (a fixed year, computed once per schedule; DST shifts are within
    // the margin)
    Duration allowed = spec.backupSchedule().longestInterval().multipliedBy(2);
    if (status.getLastSuccessfulTime() != null) {
      Instant last = Instant.parse(status.getLastSuccessfulTime());
      if (Duration.between(last, now).compareTo(allowed) <= 0) {
        return new BackupState(
            shown,
            Conditions.TRUE,
            BackupsHealthyReason.BACKUP_SUCCEEDED.value(),
            "backup " + status.getLastSuccessfulBackup() + " completed at "
                + status.getLastSuccessfulTime());
      }
      return new BackupState(
          shown,
          Conditions.FALSE,
          BackupsHealthyReason.BACKUP_OVERDUE.value(),
          "no backup completed since " + status.getLastSuccessfulTime()
              + " (more than twice the schedule's interval, " + allowed + ")");
    }
    Instant created = resource.getMetadata().getCreationTimestamp() == null
        ? now
        : Instant.parse(resource.getMetadata().getCreationTimestamp());
    if (Duration.between(created, now).compareTo(allowed) > 0) {
      return new BackupState(
          shown,
          Conditions.FALSE,
          BackupsHealthyReason.BACKUP_OVERDUE.value(),
          "no backup has completed since the stack was created (" + allowed + " allowed)");
    }
    return new BackupState(
        shown,
        Conditions.UNKNOWN,
        BackupsHealthyReason.NO_BACKUP_YET.value(),
        "no backup has run yet; the first is due by schedule '" + b.schedule() + "' ("
            + b.timeZone() + ")");
  }

  private static boolean newer(Instant candidate, String than) {
    return than == null || candidate.isAfter(Instant.parse(than));
  }

  private static boolean empty(BackupStatus s) {
    return s.getLastSuccessfulBackup() == null
        && s.getLastSuccessfulTime() == null
        && s.getLastFailureTime() == null
        && s.getLastDrill() == null;
  }

  private static BackupStatus copy(BackupStatus s) {
    BackupStatus c = new BackupStatus();
    if (s != null) {
      c.setLastSuccessfulBackup(s.getLastSuccessfulBackup());
      c.setLastSuccessfulTime(s.getLastSuccessfulTime());
      c.setLastFailureTime(s.getLastFailureTime());
      c.setLastFailureMessage(s.getLastFailureMessage());
      c.setLastDrill(s.getLastDrill());
    }
    return c;
  }

  private static String lastLine(String message) {
    if (message == null || message.isBlank()) {
      return "";
    }
    String m = message.strip();
    int nl = m.lastIndexOf('\n');
    return ": " + Conditions.truncate(nl < 0 ? m : m.substring(nl + 1));
  }
}
