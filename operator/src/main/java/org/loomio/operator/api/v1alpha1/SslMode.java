package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** libpq's sslmode values that make sense for a production server. */
public enum SslMode {
  @JsonProperty("disable")
  DISABLE("disable"),
  @JsonProperty("require")
  REQUIRE("require"),
  @JsonProperty("verify-ca")
  VERIFY_CA("verify-ca"),
  @JsonProperty("verify-full")
  VERIFY_FULL("verify-full");

  private final String value;

  SslMode(String value) {
    this.value = value;
  }

  /** The libpq spelling. */
  public String value() {
    return value;
  }

  public boolean verifies() {
    return this == VERIFY_CA || this == VERIFY_FULL;
  }
}
