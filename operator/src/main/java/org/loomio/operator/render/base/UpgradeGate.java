package org.loomio.operator.render.base;

import org.loomio.operator.model.LoomioImage;
import org.loomio.operator.model.SecretDigests;

/**
 * A gate due before an upgrade: what {@link org.loomio.operator.render.workload.UpgradeGateJob} renders, carried by the {@link RenderContext}
 * (a type of its own so the context does not depend on the Job, which goes through the pod hardening).
 *
 * @param version the gated version crossed (for example 3.3.0)
 * @param from the image the database is at (the check runs on it)
 * @param to the image the upgrade goes to
 * @param attempt when the upgrade began (status.upgrade.startedAt)
 */
public record UpgradeGate(String version, LoomioImage from, LoomioImage to, String attempt) {

  /**
   * The Job name: one per gate, pair of images and upgrade attempt (its start time), so a verdict holds for
   * this attempt only; deleting a failed Job checks again.
   */
  public String jobName(String instance) {
    return instance + "-upgrade-gate-"
        + SecretDigests.sha256(
                version + "\n" + from.reference() + "\n" + to.reference() + "\n" + attempt)
            .substring(0, 8);
  }
}
