package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Progress of a restore, step by step. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonClassDescription(
    "Progress of the restore, step by step, and why it failed if it did. Written by the operator.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LoomioRestoreStatus {

  public enum Phase {
    Pending,
    ScalingDown,
    Restoring,
    Migrating,
    ScalingUp,
    Succeeded,
    Failed
  }

  @JsonPropertyDescription(
      "Pending, ScalingDown, Restoring, Migrating, ScalingUp, Succeeded or Failed.")
  private Phase phase;

  @JsonPropertyDescription("The backup being restored (resolved from spec.backupName).")
  private String backupName;

  @JsonPropertyDescription("The Job that restores the data.")
  private String job;

  @JsonPropertyDescription(
      "Whether this restore holds the deployment's web, worker and hocuspocus at zero: from"
          + " ScalingDown until ScalingUp, and after a failure once data was touched (delete this LoomioRestore to"
          + " start the app on whatever data is there, or create a new one).")
  private Boolean holdsDeployment;

  @JsonPropertyDescription("Each step with its state and times.")
  private List<RestoreStep> steps = new ArrayList<>();

  @JsonPropertyDescription("What is happening or what went wrong (never a secret).")
  private String message;

  @JsonPropertyDescription("When the restore started (RFC 3339).")
  private String startTime;

  @JsonPropertyDescription("When it ended, successfully or not (RFC 3339).")
  private String completionTime;

  @JsonPropertyDescription(
      "The LoomioRestore's metadata.generation when it started: its spec is fixed from then on"
          + " (a later change fails the restore instead of being used).")
  private Long startedGeneration;

  @JsonPropertyDescription(
      "The LoomioDeployment this restore holds and restores, recorded when it started.")
  private String deploymentName;

  @JsonPropertyDescription(
      "The fingerprint of the signing key the restored backup's manifest was verified"
          + " against (the stack's, or spec.verificationKeySecretRef's).")
  private String signedBy;

  @JsonPropertyDescription("True when the restored backup had no signature and was restored because"
      + " spec.allowUnsigned said so: nothing proved the stack made it.")
  private Boolean unsigned;

  public Phase getPhase() {
    return phase;
  }

  public void setPhase(Phase phase) {
    this.phase = phase;
  }

  public String getBackupName() {
    return backupName;
  }

  public void setBackupName(String backupName) {
    this.backupName = backupName;
  }

  public String getJob() {
    return job;
  }

  public void setJob(String job) {
    this.job = job;
  }

  public Boolean getHoldsDeployment() {
    return holdsDeployment;
  }

  public void setHoldsDeployment(Boolean holdsDeployment) {
    this.holdsDeployment = holdsDeployment;
  }

  public List<RestoreStep> getSteps() {
    return steps;
  }

  public void setSteps(List<RestoreStep> steps) {
    this.steps = steps;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public String getStartTime() {
    return startTime;
  }

  public void setStartTime(String startTime) {
    this.startTime = startTime;
  }

  public String getCompletionTime() {
    return completionTime;
  }

  public void setCompletionTime(String completionTime) {
    this.completionTime = completionTime;
  }

  public Long getStartedGeneration() {
    return startedGeneration;
  }

  public void setStartedGeneration(Long startedGeneration) {
    this.startedGeneration = startedGeneration;
  }

  public String getDeploymentName() {
    return deploymentName;
  }

  public void setDeploymentName(String deploymentName) {
    this.deploymentName = deploymentName;
  }

  public String getSignedBy() {
    return signedBy;
  }

  public void setSignedBy(String signedBy) {
    this.signedBy = signedBy;
  }

  public Boolean getUnsigned() {
    return unsigned;
  }

  public void setUnsigned(Boolean unsigned) {
    this.unsigned = unsigned;
  }

  /** Whether this restore is still running (not Succeeded or Failed). */
  public static boolean active(Phase phase) {
    return phase != null && phase != Phase.Succeeded && phase != Phase.Failed;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LoomioRestoreStatus s
        && phase == s.phase
        && Objects.equals(backupName, s.backupName)
        && Objects.equals(job, s.job)
        && Objects.equals(holdsDeployment, s.holdsDeployment)
        && Objects.equals(steps, s.steps)
        && Objects.equals(message, s.message)
        && Objects.equals(startTime, s.startTime)
        && Objects.equals(completionTime, s.completionTime)
        && Objects.equals(startedGeneration, s.startedGeneration)
        && Objects.equals(deploymentName, s.deploymentName)
        && Objects.equals(signedBy, s.signedBy)
        && Objects.equals(unsigned, s.unsigned);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        phase,
        backupName,
        job,
        holdsDeployment,
        steps,
        message,
        startTime,
        completionTime,
        startedGeneration,
        deploymentName,
        signedBy,
        unsigned);
  }
}
