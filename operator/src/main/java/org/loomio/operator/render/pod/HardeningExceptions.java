package org.loomio.operator.render.pod;

import java.util.List;

/**
 * Every deliberate departure from the hardening checklist (docs/hardening.md lists the same), in one
 * place. {@link HardenedPod} applies the ones that change a pod; the invariant test consults this list,
 * so a new exception cannot slip in without being named here.
 */
public final class HardeningExceptions {

  /**
   * R12: production hocuspocus binds port 80, so its pod sets the one safe, namespaced sysctl
   * {@code net.ipv4.ip_unprivileged_port_start=80} to bind it without root or capabilities.
   */
  public static final String HOCUSPOCUS_PORT_SYSCTL = "net.ipv4.ip_unprivileged_port_start";

  public static final String HOCUSPOCUS_PORT_SYSCTL_VALUE = "80";

  /** The exceptions, as rule id and reason, for documentation and for the invariant test's messages. */
  public static final List<Waiver> ALL = List.of(
      new Waiver(
          "R11",
          "AppArmor profile field left out: it needs Kubernetes 1.30; supported clusters start at 1.27."),
      new Waiver(
          "R12",
          "hocuspocus sets the safe sysctl net.ipv4.ip_unprivileged_port_start=80 (it binds port 80);"
              + " no other sysctl is set."),
      new Waiver(
          "R17/R18",
          "hold when spec.image.digest (or an embedded image digest) is set; a tag alone is"
              + " allowed, pulled IfNotPresent, and the docs recommend a digest."),
      new Waiver(
          "R22 (SHOULD)",
          "secrets reach Loomio as secretKeyRef environment variables (Rails reads its"
              + " configuration from the environment); no secret is ever a literal value or in a ConfigMap."),
      new Waiver(
          "R23",
          "the worker has no probes (Solid Queue has no health endpoint); the migration Job and"
              + " init containers run to completion and have none."),
      new Waiver(
          "R25",
          "replicas default to 1 (a small site); from 2 on, a PodDisruptionBudget, anti-affinity"
              + " and zone spreading apply (R26-R28). web needs shared uploads for 2 or more."),
      new Waiver(
          "R30/R31",
          "the default-deny NetworkPolicy selects the stack's pods by instance, not the whole namespace,"
              + " and allow policies select by instance + component, so other workloads and stacks in a namespace are"
              + " untouched; pods nobody calls (worker, migration Job, none from outside) have allow policies with egress"
              + " rules only."),
      new Waiver(
          "R38",
          "timeZone is set on Kubernetes 1.27 and newer only (older CronJobs have no such field; the"
              + " schedule then runs in the controller manager's zone)."),
      new Waiver(
          "R40",
          "spec.backup.encryption.mode Passphrase (off by default) encrypts with a passphrase the backup"
              + " pod holds: anyone who can read that Secret can decrypt every backup. Public-key mode is the default."),
      new Waiver(
          "R41 (password)",
          "pg_dump and pg_restore read the database password from a secretKeyRef"
              + " environment variable (PGPASSWORD), as the migration Job does, not from a PGPASSFILE."),
      new Waiver(
          "R29",
          "priorityClassName is the user's choice (spec.*.pod.priorityClassName); the instance label"
              + " is the LoomioDeployment's name, not each object's."));

  /** One named exception. */
  public record Waiver(String rule, String reason) {}

  private HardeningExceptions() {}
}
