package org.loomio.operator.status;

/** Reasons of SecretsFresh: the generated credentials' age against spec.secrets.maxAgeDays. */
public enum SecretsFreshReason implements ConditionReason {
  WITHIN_MAX_AGE("WithinMaxAge"),
  ROTATION_DUE("RotationDue");

  private final String value;

  SecretsFreshReason(String value) {
    this.value = value;
  }

  @Override
  public String type() {
    return Conditions.SECRETS_FRESH;
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
