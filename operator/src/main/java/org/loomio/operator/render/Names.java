package org.loomio.operator.render;

import org.loomio.operator.api.v1alpha1.LoomioDeployment;

/** Object names: every owned object is {@code <name>-<suffix>}, so two stacks in a namespace never collide. */
public final class Names {

  private Names() {}

  public static String of(LoomioDeployment cr, Component component) {
    return of(cr.getMetadata().getName(), component);
  }

  public static String of(String name, Component component) {
    return name + "-" + component.label();
  }

  /** The PersistentVolumeClaim of the embedded PostgreSQL. */
  public static String postgresData(String name) {
    return name + "-postgres-data";
  }

  /** The migration Job for one image and database: {@code <name>-migrate-<8 hex>}. */
  public static String migrationJob(String name, String hash8) {
    return name + "-migrate-" + hash8;
  }
}
