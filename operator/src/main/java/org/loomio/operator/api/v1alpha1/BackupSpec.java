package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/** Scheduled, encrypted backups of the database, the uploads volume and the generated credentials. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "enabled",
  "schedule",
  "timeZone",
  "encryption",
  "volume",
  "s3",
  "retention",
  "scratch",
  "image",
  "resources",
  "activeDeadlineSeconds",
  "drill"
})
@ValidationRule(
    value = "!has(self.enabled) || !self.enabled || !has(self.volume) || !has(self.volume.enabled)"
        + " || self.volume.enabled || has(self.s3)",
    message = "spec.backup: " + BackupSpec.NEEDS_DESTINATION)
public class BackupSpec {

  /** The refusal of the rule above, word for word the operator's own (SpecValidator). */
  public static final String NEEDS_DESTINATION =
      "backups need a destination: keep spec.backup.volume.enabled or set" + " spec.backup.s3";

  /** Five cron fields (minute hour day-of-month month day-of-week) or a macro; no seconds, no TZ prefix. */
  /**
   * Five whitespace-separated cron fields or a macro (no seconds field, no TZ= prefix: that is timeZone).
   * The operator parses it fully (cron-utils, Unix syntax) and reports a bad one as InvalidSpec.
   */
  public static final String SCHEDULE_PATTERN =
      "^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|[^\\s=]+( +[^\\s=]+){4})$";

  @Default("true")
  @JsonPropertyDescription(
      "Back the stack up on the schedule. Default true: every stack is backed up unless"
          + " switched off.")
  private Boolean enabled = true;

  @Default("17 3 * * *")
  @Pattern(SCHEDULE_PATTERN)
  @Size(max = 100)
  @JsonPropertyDescription(
      "When, in cron syntax (five fields, e.g. '17 3 * * *', or @daily). Default 17 3 * * *"
          + " (daily at 03:17, a quiet hour). Checked by the operator too (BackupsHealthy needs its interval), which"
          + " refuses a schedule that never fires (0 0 31 2 *).")
  private String schedule = "17 3 * * *";

  @Default("Etc/UTC")
  @Pattern("^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}$")
  @Size(max = 64)
  @JsonPropertyDescription(
      "IANA time zone of the schedule, e.g. Europe/Berlin. Default Etc/UTC. Needs"
          + " Kubernetes 1.27+ (CronJob timeZone); older clusters use the controller's zone.")
  private String timeZone = "Etc/UTC";

  @JsonPropertyDescription(
      "How backups are encrypted (always: OpenPGP, AES-256, integrity-protected).")
  private BackupEncryptionSpec encryption = new BackupEncryptionSpec();

  @JsonPropertyDescription(
      "Keep backups on a PersistentVolumeClaim <name>-backups (on by default). It is kept"
          + " when the LoomioDeployment is deleted.")
  private BackupVolumeSpec volume = new BackupVolumeSpec();

  @JsonPropertyDescription(
      "Also copy every backup off-site to an S3-compatible bucket (recommended). Objects go"
          + " under <prefix>/<backup name>/.")
  private BackupS3Spec s3;

  @JsonPropertyDescription(
      "Which backups to keep after a new one completes (in every destination). The newest"
          + " complete backup is never deleted, nor anything the operator did not write.")
  private BackupRetentionSpec retention = new BackupRetentionSpec();

  @JsonPropertyDescription(
      "Pod-local scratch space for the dump and the encrypted copies before upload.")
  private BackupScratchSpec scratch = new BackupScratchSpec();

  @JsonPropertyDescription(
      "Not settable: backup and restore pods always run the operator's own image (the"
          + " agent is its 'backup' and 'restore' commands, and it reads the backup key and the stack's credentials)."
          + " Any value is refused (Degraded, InvalidSpec) naming this field; the field stays in the schema so that a"
          + " resource which sets it is reported rather than silently pruned.")
  private ImageOverride image;

  @JsonPropertyDescription(
      "Resources of each backup container. A key you set replaces the default of that key.")
  private ResourceRequirements resources;

  @Default("10800")
  @Min(300)
  @Max(86400)
  @JsonPropertyDescription("Longest a backup may run, in seconds. Default 10800 (3 hours).")
  private Integer activeDeadlineSeconds = 10800;

  @JsonPropertyDescription(
      "Restore drills: on a schedule (weekly by default), a Job restores the newest signed backup"
          + " into a throwaway PostgreSQL in its own pod and checks the migration version, the row counts of Loomio's"
          + " main tables and the uploads archive against the backup's signed manifest (status.backup.lastDrill).")
  private BackupDrillSpec drill = new BackupDrillSpec();

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

  public String getTimeZone() {
    return timeZone;
  }

  public void setTimeZone(String timeZone) {
    this.timeZone = timeZone;
  }

  public BackupEncryptionSpec getEncryption() {
    return encryption;
  }

  public void setEncryption(BackupEncryptionSpec encryption) {
    this.encryption = encryption;
  }

  public BackupVolumeSpec getVolume() {
    return volume;
  }

  public void setVolume(BackupVolumeSpec volume) {
    this.volume = volume;
  }

  public BackupS3Spec getS3() {
    return s3;
  }

  public void setS3(BackupS3Spec s3) {
    this.s3 = s3;
  }

  public BackupRetentionSpec getRetention() {
    return retention;
  }

  public void setRetention(BackupRetentionSpec retention) {
    this.retention = retention;
  }

  public BackupScratchSpec getScratch() {
    return scratch;
  }

  public void setScratch(BackupScratchSpec scratch) {
    this.scratch = scratch;
  }

  public ImageOverride getImage() {
    return image;
  }

  public void setImage(ImageOverride image) {
    this.image = image;
  }

  public ResourceRequirements getResources() {
    return resources;
  }

  public void setResources(ResourceRequirements resources) {
    this.resources = resources;
  }

  public BackupDrillSpec getDrill() {
    return drill;
  }

  public void setDrill(BackupDrillSpec drill) {
    this.drill = drill;
  }

  public Integer getActiveDeadlineSeconds() {
    return activeDeadlineSeconds;
  }

  public void setActiveDeadlineSeconds(Integer activeDeadlineSeconds) {
    this.activeDeadlineSeconds = activeDeadlineSeconds;
  }
}
