package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Progress and result of one on-demand backup. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonClassDescription(
    "Progress and result of this backup: its phase, the backup's name and objects, or why it failed. Written by the operator.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LoomioBackupStatus {

  public enum Phase {
    Pending,
    Running,
    Succeeded,
    Failed
  }

  @JsonPropertyDescription("Pending (waiting to start), Running, Succeeded or Failed.")
  private Phase phase;

  @JsonPropertyDescription("The Job that runs the backup.")
  private String job;

  @JsonPropertyDescription("Name of the backup taken (its directory/prefix in every destination).")
  private String backupName;

  @JsonPropertyDescription("Destinations written: volume and/or s3.")
  private List<String> destinations = new ArrayList<>();

  @JsonPropertyDescription("The encrypted objects of the backup, with sizes and SHA-256.")
  private List<BackupObject> objects = new ArrayList<>();

  @JsonPropertyDescription("When the backup started (RFC 3339).")
  private String startTime;

  @JsonPropertyDescription("When it finished, successfully or not (RFC 3339).")
  private String completionTime;

  @JsonPropertyDescription("What is happening or what went wrong (never a secret).")
  private String message;

  @JsonPropertyDescription("The metadata.generation this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription(
      "The LoomioBackup's metadata.generation when its Job started: its spec is fixed from then"
          + " on (a later change fails the backup instead of being used).")
  private Long startedGeneration;

  public Phase getPhase() {
    return phase;
  }

  public void setPhase(Phase phase) {
    this.phase = phase;
  }

  public String getJob() {
    return job;
  }

  public void setJob(String job) {
    this.job = job;
  }

  public String getBackupName() {
    return backupName;
  }

  public void setBackupName(String backupName) {
    this.backupName = backupName;
  }

  public List<String> getDestinations() {
    return destinations;
  }

  public void setDestinations(List<String> destinations) {
    this.destinations = destinations;
  }

  public List<BackupObject> getObjects() {
    return objects;
  }

  public void setObjects(List<BackupObject> objects) {
    this.objects = objects;
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

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public Long getStartedGeneration() {
    return startedGeneration;
  }

  public void setStartedGeneration(Long startedGeneration) {
    this.startedGeneration = startedGeneration;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LoomioBackupStatus s
        && phase == s.phase
        && Objects.equals(job, s.job)
        && Objects.equals(backupName, s.backupName)
        && Objects.equals(destinations, s.destinations)
        && Objects.equals(objects, s.objects)
        && Objects.equals(startTime, s.startTime)
        && Objects.equals(completionTime, s.completionTime)
        && Objects.equals(message, s.message)
        && Objects.equals(observedGeneration, s.observedGeneration)
        && Objects.equals(startedGeneration, s.startedGeneration);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        phase,
        job,
        backupName,
        destinations,
        objects,
        startTime,
        completionTime,
        message,
        observedGeneration,
        startedGeneration);
  }
}
