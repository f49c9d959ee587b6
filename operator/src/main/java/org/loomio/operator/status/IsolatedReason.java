package org.loomio.operator.status;

/** Reasons of Isolated: spec.isolation, the incident lever. */
public enum IsolatedReason implements ConditionReason {
  ISOLATED("Isolated"),
  ISOLATION_LIFTED("IsolationLifted");

  private final String value;

  IsolatedReason(String value) {
    this.value = value;
  }

  @Override
  public String type() {
    return Conditions.ISOLATED;
  }

  @Override
  public String value() {
    return value;
  }

  @Override
  public String toString() {
    return value;
  }
}
