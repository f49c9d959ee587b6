package org.loomio.operator.model;

/**
 * The parts of a Loomio stack, as they appear in the {@code app.kubernetes.io/component} label and in
 * object names ({@code <name>-<suffix>}).
 */
public enum Component {
  WEB("web"),
  WORKER("worker"),
  HOCUSPOCUS("hocuspocus"),
  POSTGRES("postgres"),
  REDIS("redis"),
  /** The migration Job (and its ServiceAccount). */
  MIGRATE("migrate"),
  /** The non-secret settings ConfigMap. */
  CONFIG("config"),
  /** The generated credentials Secret. */
  SECRETS("secrets"),
  /** The uploads PersistentVolumeClaim. */
  UPLOADS("uploads"),
  /** The stack-wide NetworkPolicy (default deny). */
  NETWORK("network"),
  /** The edge: Ingresses, HTTPRoutes, Traefik Middlewares, the headers ConfigMap. */
  EDGE("edge"),
  /** The Service with no endpoints that the edge sends internal-only paths to. */
  CLOSED("closed"),
  /** Backups: the CronJob and on-demand Jobs, their ServiceAccount and policy, the backups claim, the keys. */
  BACKUP("backup"),
  /** Restore Jobs, their ServiceAccount and policy. */
  RESTORE("restore"),
  /** Restore drills: the CronJob, its ServiceAccount and policy. */
  DRILL("drill"),
  /** The Job that changes the embedded database's password during a rotation, and its policy. */
  ROTATE("rotate"),
  /**
   * The embedded database's role setup Job (the app's non-superuser owner role, ownership, extensions), signed in
   * as the maintenance superuser.
   */
  DB_ROLES("db-roles"),
  /** A version gate Job run on the old image before an upgrade (for example 3.3's anonymous-poll check). */
  UPGRADE_GATE("upgrade-gate");

  private final String label;

  Component(String label) {
    this.label = label;
  }

  /** The value of the {@code app.kubernetes.io/component} label. */
  public String label() {
    return label;
  }
}
