package org.loomio.operator.render.base;

/**
 * Something the spec asks for that the target cluster cannot hold, so it was left out of the render.
 *
 * @param api the missing API or field, for example {@code policy/v1 PodDisruptionBudget}
 * @param consequence what the stack lacks because of it, for a person to read
 */
public record Omission(String api, String consequence) {

  @Override
  public String toString() {
    return api + " (" + consequence + ")";
  }
}
