package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/**
 * Automatic restore drills: on a schedule, a Job restores the newest signed backup into a throwaway PostgreSQL
 * inside its own pod and checks it (docs/backup.md, "Restore drills").
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"enabled", "schedule"})
public class BackupDrillSpec {

  /** Weekly, Sunday 04:43 (in spec.backup.timeZone): after that night's backup at the default 03:17. */
  public static final String DEFAULT_SCHEDULE = "43 4 * * 0";

  @Default("true")
  @JsonPropertyDescription(
      "Run restore drills on the schedule. Default true whenever backups are enabled. A drill"
          + " needs a decryption key the cluster holds: the generated backup key or the passphrase; with your own"
          + " recipients (spec.backup.encryption.recipients*) there is none, and no drill runs (docs/backup.md).")
  private Boolean enabled = true;

  @Default(DEFAULT_SCHEDULE)
  @Pattern(BackupSpec.SCHEDULE_PATTERN)
  @Size(max = 100)
  @JsonPropertyDescription(
      "When, in cron syntax like spec.backup.schedule and in its time zone. Default '43 4 * * 0'"
          + " (weekly, Sunday 04:43). A drill counts as overdue after twice the schedule's longest interval."
          + " Checked by the operator too, which refuses a schedule that never fires (0 0 31 2 *).")
  private String schedule = DEFAULT_SCHEDULE;

  public Boolean getEnabled() {
    return enabled;
  }

  public void setEnabled(Boolean enabled) {
    this.enabled = enabled;
  }

  public String getSchedule() {
    return schedule;
  }

  public void setSchedule(String schedule) {
    this.schedule = schedule;
  }
}
