package org.loomio.operator.validation;

/**
 * One reason a LoomioDeployment is invalid.
 *
 * @param field the field path, for example {@code spec.web.replicas}
 * @param message what is wrong, for a person to read
 */
public record Violation(String field, String message) {

  @Override
  public String toString() {
    return field + ": " + message;
  }
}
