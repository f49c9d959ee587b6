package org.loomio.operator.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.loomio.operator.api.v1alpha1.DrillStatus;
import org.loomio.operator.backup.DrillAgent;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Labels;
import org.loomio.operator.render.backup.BackupPodTemplate;
import org.loomio.operator.status.Conditions;

/**
 * What the stack's restore drill pods reported (spec.backup.drill). A drill pod has no API token: its result is
 * the termination message of the {@code agent} container (the report) or, when the drill failed before the
 * restore, of the {@code prepare} container; a broken restore step says so through its exit code. The newest
 * finished drill becomes {@code status.backup.lastDrill} and stays after the CronJob's history limit removed its
 * pod; {@code lastPassedTime} keeps the newest pass through later failures.
 */
public final class DrillObserver {

  /** A drill that found no complete backup at all (a new stack): neither a pass nor a failure. */
  public static final String NO_BACKUP = DrillAgent.NO_BACKUP;

  private DrillObserver() {}

  /** Finished drills among the pods, oldest first. */
  public static List<DrillStatus> runs(Collection<Pod> pods, UnaryOperator<String> redact) {
    List<DrillStatus> runs = new ArrayList<>();
    for (Pod pod : pods) {
      if (pod.getMetadata().getLabels() == null
          || !Component.DRILL.label().equals(pod.getMetadata().getLabels().get(Labels.COMPONENT))) {
        continue;
      }
      finished(pod, redact).ifPresent(runs::add);
    }
    runs.sort((a, b) -> Instant.parse(a.getTime()).compareTo(Instant.parse(b.getTime())));
    return runs;
  }

  /** The drill a pod reports, once it has finished. */
  static Optional<DrillStatus> finished(Pod pod, UnaryOperator<String> redact) {
    if (pod.getStatus() == null) {
      return Optional.empty();
    }
    Instant started = pod.getStatus().getStartTime() == null
        ? null
        : Instant.parse(pod.getStatus().getStartTime());
    for (ContainerStatus c : BackupObserver.containerStatuses(pod)) {
      var t = c.getState() == null ? null : c.getState().getTerminated();
      if (t == null) {
        continue;
      }
      Instant at = t.getFinishedAt() == null ? Instant.EPOCH : Instant.parse(t.getFinishedAt());
      boolean failed = t.getExitCode() != null && t.getExitCode() != 0;
      boolean agent = BackupPodTemplate.AGENT_CONTAINER.equals(c.getName());
      boolean prepare = BackupPodTemplate.DRILL_PREPARE_CONTAINER.equals(c.getName());
      if (agent || (prepare && failed)) {
        Optional<JsonNode> summary =
            BackupObserver.summary(t.getMessage()).filter(s -> s.path("drill").asBoolean(false));
        if (summary.isPresent()) {
          return Optional.of(fromSummary(summary.get(), at, started, redact));
        }
        return Optional.of(failure(
            at,
            started,
            null,
            "the drill's " + c.getName() + " step exited with code " + t.getExitCode()
                + (t.getReason() == null ? "" : " (" + t.getReason() + ")")
                + " and left no result"));
      }
      if (failed) {
        return Optional.of(failure(
            at,
            started,
            c.getName(),
            "step " + c.getName() + " failed with exit code " + t.getExitCode()
                + (t.getReason() == null ? "" : " (" + t.getReason() + ")")));
      }
    }
    if ("Failed".equals(pod.getStatus().getPhase())) {
      String reason =
          pod.getStatus().getReason() != null ? pod.getStatus().getReason() : "the pod failed";
      Instant at = started != null ? started : Instant.EPOCH;
      return Optional.of(failure(
          at,
          started,
          null,
          reason
              + (pod.getStatus().getMessage() == null
                  ? ""
                  : ": " + redact.apply(pod.getStatus().getMessage()))));
    }
    return Optional.empty();
  }

  private static DrillStatus fromSummary(
      JsonNode s, Instant at, Instant started, UnaryOperator<String> redact) {
    DrillStatus d = new DrillStatus();
    d.setTime(at.toString());
    d.setBackup(s.path("backup").asText(null));
    if (started != null && !at.isBefore(started)) {
      d.setDurationSeconds(Duration.between(started, at).toSeconds());
    }
    String result = s.path("result").asText("");
    d.setResult(
        DrillStatus.PASSED.equals(result) || NO_BACKUP.equals(result)
            ? result
            : DrillStatus.FAILED);
    if (d.getResult().equals(DrillStatus.FAILED)) {
      d.setFailedCheck(s.path("failedCheck").asText("unknown"));
      String error = s.path("error").asText(null);
      d.setMessage(Conditions.truncate(redact.apply(error != null ? error : "the drill failed")));
    } else if (s.hasNonNull("message")) {
      d.setMessage(Conditions.truncate(redact.apply(s.get("message").asText())));
    }
    List<DrillStatus.DrillCheck> checks = new ArrayList<>();
    for (JsonNode c : s.path("checks")) {
      if (checks.size() >= 16) {
        break;
      }
      checks.add(new DrillStatus.DrillCheck(
          c.path("name").asText(),
          c.path("result").asText(),
          c.hasNonNull("detail")
              ? Conditions.truncate(redact.apply(c.get("detail").asText()))
              : null));
    }
    d.setChecks(checks.isEmpty() ? null : checks);
    return d;
  }

  private static DrillStatus failure(Instant at, Instant started, String check, String message) {
    DrillStatus d = new DrillStatus();
    d.setTime(at.toString());
    if (started != null && !at.isBefore(started)) {
      d.setDurationSeconds(Duration.between(started, at).toSeconds());
    }
    d.setResult(DrillStatus.FAILED);
    d.setFailedCheck(check != null ? check : "drill");
    d.setMessage(Conditions.truncate(message));
    return d;
  }

  /** The newest drill among the previous one and the runs, with the newest pass kept. */
  public static DrillStatus merge(DrillStatus previous, List<DrillStatus> runs) {
    DrillStatus newest = previous;
    String lastPassed = previous == null ? null : previous.getLastPassedTime();
    for (DrillStatus run : runs) {
      if (newest == null || Instant.parse(run.getTime()).isAfter(Instant.parse(newest.getTime()))) {
        newest = run;
      }
      if (run.passed()
          && (lastPassed == null
              || Instant.parse(run.getTime()).isAfter(Instant.parse(lastPassed)))) {
        lastPassed = run.getTime();
      }
    }
    if (newest == null) {
      return null;
    }
    if (newest != previous) {
      newest.setLastPassedTime(lastPassed);
    } else if (lastPassed != null && !lastPassed.equals(newest.getLastPassedTime())) {
      newest = copyWithLastPassed(newest, lastPassed);
    }
    return newest;
  }

  private static DrillStatus copyWithLastPassed(DrillStatus d, String lastPassed) {
    DrillStatus c = new DrillStatus();
    c.setTime(d.getTime());
    c.setBackup(d.getBackup());
    c.setDurationSeconds(d.getDurationSeconds());
    c.setResult(d.getResult());
    c.setFailedCheck(d.getFailedCheck());
    c.setMessage(d.getMessage());
    c.setChecks(d.getChecks());
    c.setLastPassedTime(lastPassed);
    return c;
  }
}
