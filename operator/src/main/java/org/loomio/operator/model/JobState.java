package org.loomio.operator.model;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.util.List;

/**
 * Where a Job's run stands, read from its status alone: the one reading of a Job's outcome, for the migration,
 * role setup and rotation Jobs alike (here, below the status aggregation and the credential rotation, so both
 * read it without depending on each other).
 */
public enum JobState {
  SUCCEEDED,
  FAILED,
  RUNNING,
  PENDING;

  /** The state of {@code job}; an absent Job, or one without status yet, is pending. */
  public static JobState of(Job job) {
    if (job == null || job.getStatus() == null) {
      return PENDING;
    }
    var st = job.getStatus();
    if (orZero(st.getSucceeded()) > 0 || hasCondition(job, "Complete")) {
      return SUCCEEDED;
    }
    if (hasCondition(job, "Failed")) {
      return FAILED;
    }
    return orZero(st.getActive()) > 0 || orZero(st.getFailed()) > 0 ? RUNNING : PENDING;
  }

  private static boolean hasCondition(Job job, String type) {
    List<JobCondition> conditions = job.getStatus().getConditions();
    return conditions != null
        && conditions.stream()
            .anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static int orZero(Integer i) {
    return i == null ? 0 : i;
  }
}
