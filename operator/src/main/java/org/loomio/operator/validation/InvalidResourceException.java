package org.loomio.operator.validation;

import java.util.List;
import java.util.stream.Collectors;

/** A resource document that cannot be rendered, with every reason found. */
public class InvalidResourceException extends Exception {

  private final String resource;
  private final List<Violation> violations;

  public InvalidResourceException(String resource, List<Violation> violations) {
    super(resource + " is invalid:\n"
        + violations.stream().map(v -> "  " + v).collect(Collectors.joining("\n")));
    this.resource = resource;
    this.violations = List.copyOf(violations);
  }

  public String resource() {
    return resource;
  }

  public List<Violation> violations() {
    return violations;
  }
}
