package org.loomio.operator.reconcile;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.Collection;
import java.util.Optional;

/** What the pods of the stack's Jobs (migration, upgrade gate, password rotation) report when they fail. */
final class JobPods {

  private JobPods() {}

  /**
   * The message a failed container of the Job's pods left: its termination message, or (with
   * FallbackToLogsOnError) the tail of its log. Unmasked: callers mask secret values before it goes anywhere.
   */
  static Optional<String> failureMessage(Collection<Pod> pods, String jobName) {
    return pods.stream()
        .filter(p -> jobName.equals(p.getMetadata().getLabels().get("job-name")))
        .flatMap(p -> BackupObserver.containerStatuses(p).stream())
        .map(c -> c.getState() == null ? null : c.getState().getTerminated())
        .filter(t -> t != null
            && t.getExitCode() != null
            && t.getExitCode() != 0
            && t.getMessage() != null
            && !t.getMessage().isBlank())
        .map(t -> t.getMessage().strip())
        .findFirst();
  }
}
