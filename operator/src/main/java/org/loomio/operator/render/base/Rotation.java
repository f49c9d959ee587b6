package org.loomio.operator.render.base;

import org.loomio.operator.model.SecretDigests;

/**
 * A rotation of the database password under way: what {@link org.loomio.operator.render.workload.RotationJob} renders, carried by the
 * {@link RenderContext} (a type of its own so the context does not depend on the Job).
 *
 * @param token the spec.secrets.rotate token
 * @param attempt what makes this rotation's Job its own: the pending Secret's uid (a token used again, or a
 *     rotation started again after its pending Secret was deleted, never finds an earlier Job's success)
 */
public record Rotation(String token, String attempt) {

  public String jobName(String instance) {
    return instance + "-rotate-" + SecretDigests.sha256(token + "\n" + attempt).substring(0, 8);
  }
}
