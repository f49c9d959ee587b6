package org.loomio.operator.model;

import org.loomio.operator.api.v1alpha1.GeneratedSecretNames;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;

/**
 * Object names: every owned object is {@code <name>-<suffix>}, so two stacks in a namespace never collide. A
 * stack's name has at most {@link org.loomio.operator.api.v1alpha1.LoomioDeployment#MAX_NAME_LENGTH} characters
 * and a suffix at most {@link #MAX_SUFFIX_LENGTH}, so every name fits a label value (63 characters).
 */
public final class Names {

  /** The longest suffix a name derived from a stack's name may have. */
  public static final int MAX_SUFFIX_LENGTH = 23;

  private Names() {}

  public static String of(LoomioDeployment cr, Component component) {
    return of(cr.getMetadata().getName(), component);
  }

  public static String of(String name, Component component) {
    return name + "-" + component.label();
  }

  /**
   * The headless Service that governs the embedded PostgreSQL's StatefulSet ({@code spec.serviceName}); clients
   * use the ClusterIP Service {@code <name>-postgres}.
   */
  public static String postgresHeadless(String name) {
    return name + "-postgres-headless";
  }

  /** The PersistentVolumeClaim of the embedded PostgreSQL. */
  public static String postgresData(String name) {
    return name + "-postgres-data";
  }

  /** The CloudNativePG Cluster of a stack in spec.database.cloudNativePG mode (the same name as the embedded one). */
  public static String cnpgCluster(String name) {
    return name + "-postgres";
  }

  /** CloudNativePG's Service to the Cluster's primary, wherever it is after a failover. */
  public static String cnpgReadWrite(String name) {
    return cnpgCluster(name) + "-rw";
  }

  /** The Secret CloudNativePG generates with the application owner's credentials (username, password, uri, ...). */
  public static String cnpgApp(String name) {
    return cnpgCluster(name) + "-app";
  }

  /** The Secret CloudNativePG generates with the CA (ca.crt) that signed the Cluster's server certificates. */
  public static String cnpgCa(String name) {
    return cnpgCluster(name) + "-ca";
  }

  /** The PersistentVolumeClaim that holds backups. */
  public static String backupsClaim(String name) {
    return name + "-backups";
  }

  /** The Secret with the operator-generated backup key pair (the private key is only for restores). */
  public static String backupKey(String name) {
    return name + "-backup-key";
  }

  /** The stack's backup signing key (generated, retained like the backup key). */
  public static String backupSigningKey(String name) {
    return name + GeneratedSecretNames.SIGNING_KEY_SUFFIX;
  }

  /**
   * The Secret with the embedded PostgreSQL's maintenance superuser password (generated, retained while the data
   * claim is).
   */
  public static String postgresSuperuser(String name) {
    return name + GeneratedSecretNames.POSTGRES_SUPERUSER_SUFFIX;
  }

  /** The role setup Job for one set of inputs: {@code <name>-db-roles-<8 hex>}. */
  public static String roleSetupJob(String name, String hash8) {
    return name + "-db-roles-" + hash8;
  }

  /** The ConfigMap with the armored public keys backups are encrypted to. */
  public static String backupRecipients(String name) {
    return name + "-backup-recipients";
  }

  /** An on-demand backup Job: {@code <name>-backup-<8 hex of the LoomioBackup's uid>}. */
  public static String backupJob(String name, String hash8) {
    return name + "-backup-" + hash8;
  }

  /** A restore Job: {@code <name>-restore-<8 hex of the LoomioRestore's uid>}. */
  public static String restoreJob(String name, String hash8) {
    return name + "-restore-" + hash8;
  }

  /**
   * The migration Job a restore runs after the database is restored: {@code <name>-restore-<8 hex>-mig}, at
   * most 61 characters for the longest stack name (a Job's name must fit the 63-character {@code job-name}
   * label its pods get).
   */
  public static String restoreMigrationJob(String name, String hash8) {
    return restoreJob(name, hash8) + "-mig";
  }

  /** The migration Job for one image and database: {@code <name>-migrate-<8 hex>}. */
  public static String migrationJob(String name, String hash8) {
    return name + "-migrate-" + hash8;
  }
}
