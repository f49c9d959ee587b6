package org.loomio.operator.status;

/** Reasons of NetworkPolicies: whether the NetworkPolicies name every destination. */
public enum NetworkPoliciesReason implements ConditionReason {
  /** The NetworkPolicies name every destination from the spec. */
  AS_SPECIFIED("AsSpecified"),
  /** An external server named by a host outside the cluster is reached at public addresses only. */
  PUBLIC_ADDRESSES_ASSUMED("PublicAddressesAssumed"),
  /** spec.networkPolicy.enabled is false. */
  DISABLED("Disabled");

  private final String value;

  NetworkPoliciesReason(String value) {
    this.value = value;
  }

  @Override
  public String type() {
    return Conditions.NETWORK_POLICIES;
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
