package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Objects;

/** The newest finished restore drill (from the drill pod's termination message). */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "time",
  "backup",
  "durationSeconds",
  "result",
  "failedCheck",
  "message",
  "checks",
  "lastPassedTime"
})
public class DrillStatus {

  public static final String PASSED = "Passed";
  public static final String FAILED = "Failed";

  @JsonPropertyDescription("When the drill ended (RFC 3339).")
  private String time;

  @JsonPropertyDescription(
      "The backup it restored (the newest one signed by the stack's key), if it got that far.")
  private String backup;

  @JsonPropertyDescription("How long the drill pod ran, in seconds.")
  private Long durationSeconds;

  @JsonPropertyDescription(
      "Passed, Failed, or NoBackup (no complete backup existed yet: neither a pass nor a failure).")
  private String result;

  @JsonPropertyDescription("The first check that failed (e.g. rowCounts), when the drill failed.")
  private String failedCheck;

  @JsonPropertyDescription("What failed, or which checks could not be made (never a secret).")
  private String message;

  @JsonPropertyDescription(
      "Each check: name, result (Passed, Failed or Skipped) and a short detail.")
  private List<DrillCheck> checks;

  @JsonPropertyDescription("When a drill last passed (RFC 3339), kept when a later one fails.")
  private String lastPassedTime;

  /** One check of a drill. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"name", "result", "detail"})
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static class DrillCheck {
    @JsonPropertyDescription(
        "The check: backup, download, decrypt, uploads, postgresVersion, restore,"
            + " migrationVersion, rowCounts.")
    private String name;

    @JsonPropertyDescription(
        "Passed, Failed or Skipped (could not be made, e.g. a manifest from before drills).")
    private String result;

    @JsonPropertyDescription("A short detail (never a secret).")
    private String detail;

    public DrillCheck() {}

    public DrillCheck(String name, String result, String detail) {
      this.name = name;
      this.result = result;
      this.detail = detail;
    }

    public String getName() {
      return name;
    }

    public void setName(String name) {
      this.name = name;
    }

    public String getResult() {
      return result;
    }

    public void setResult(String result) {
      this.result = result;
    }

    public String getDetail() {
      return detail;
    }

    public void setDetail(String detail) {
      this.detail = detail;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof DrillCheck c
          && Objects.equals(name, c.name)
          && Objects.equals(result, c.result)
          && Objects.equals(detail, c.detail);
    }

    @Override
    public int hashCode() {
      return Objects.hash(name, result, detail);
    }
  }

  public String getTime() {
    return time;
  }

  public void setTime(String time) {
    this.time = time;
  }

  public String getBackup() {
    return backup;
  }

  public void setBackup(String backup) {
    this.backup = backup;
  }

  public Long getDurationSeconds() {
    return durationSeconds;
  }

  public void setDurationSeconds(Long durationSeconds) {
    this.durationSeconds = durationSeconds;
  }

  public String getResult() {
    return result;
  }

  public void setResult(String result) {
    this.result = result;
  }

  public String getFailedCheck() {
    return failedCheck;
  }

  public void setFailedCheck(String failedCheck) {
    this.failedCheck = failedCheck;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public List<DrillCheck> getChecks() {
    return checks;
  }

  public void setChecks(List<DrillCheck> checks) {
    this.checks = checks;
  }

  public String getLastPassedTime() {
    return lastPassedTime;
  }

  public void setLastPassedTime(String lastPassedTime) {
    this.lastPassedTime = lastPassedTime;
  }

  public boolean passed() {
    return PASSED.equals(result);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DrillStatus d
        && Objects.equals(time, d.time)
        && Objects.equals(backup, d.backup)
        && Objects.equals(durationSeconds, d.durationSeconds)
        && Objects.equals(result, d.result)
        && Objects.equals(failedCheck, d.failedCheck)
        && Objects.equals(message, d.message)
        && Objects.equals(checks, d.checks)
        && Objects.equals(lastPassedTime, d.lastPassedTime);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        time, backup, durationSeconds, result, failedCheck, message, checks, lastPassedTime);
  }
}
