package org.loomio.operator.status;

/** Reasons of APIAvailable: whether the cluster serves every API the spec needs. */
public enum APIAvailableReason implements ConditionReason {
  ALL_APIS_SERVED("AllAPIsServed"),
  API_MISSING("APIMissing");

  private final String value;

  APIAvailableReason(String value) {
    this.value = value;
  }

  @Override
  public String type() {
    return Conditions.API_AVAILABLE;
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
