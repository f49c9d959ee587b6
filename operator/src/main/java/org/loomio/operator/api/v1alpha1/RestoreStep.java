package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** One step of a restore and how it went. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RestoreStep {

  /** The steps of a restore, in order; each constant is serialised as its name. */
  public enum Name {
    ScaleDown,
    Restore,
    Migrate,
    ScaleUp
  }

  /** How a step went; each constant is serialised as its name. */
  public enum State {
    Running,
    Done,
    Failed
  }

  @JsonPropertyDescription("ScaleDown, Restore, Migrate or ScaleUp.")
  private Name name;

  @JsonPropertyDescription("Running, Done or Failed.")
  private State state;

  @JsonPropertyDescription("When the step started (RFC 3339).")
  private String startTime;

  @JsonPropertyDescription("When it ended (RFC 3339).")
  private String completionTime;

  @JsonPropertyDescription("What happened (never a secret).")
  private String message;

  public RestoreStep() {}

  public RestoreStep(Name name, State state, String startTime) {
    this.name = name;
    this.state = state;
    this.startTime = startTime;
  }

  public Name getName() {
    return name;
  }

  public void setName(Name name) {
    this.name = name;
  }

  public State getState() {
    return state;
  }

  public void setState(State state) {
    this.state = state;
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

  @Override
  public boolean equals(Object o) {
    return o instanceof RestoreStep r
        && Objects.equals(name, r.name)
        && Objects.equals(state, r.state)
        && Objects.equals(startTime, r.startTime)
        && Objects.equals(completionTime, r.completionTime)
        && Objects.equals(message, r.message);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, state, startTime, completionTime, message);
  }
}
