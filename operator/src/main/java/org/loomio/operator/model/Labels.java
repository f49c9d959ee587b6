package org.loomio.operator.model;

import java.util.LinkedHashMap;
import java.util.Map;

/** The labels on every owned object, and the (immutable) selectors of workloads. */
public final class Labels {

  public static final String NAME = "app.kubernetes.io/name";
  public static final String INSTANCE = "app.kubernetes.io/instance";
  public static final String COMPONENT = "app.kubernetes.io/component";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String PART_OF = "app.kubernetes.io/part-of";

  public static final String APP = "loomio";
  public static final String OPERATOR = "loomio-operator";

  /** Selector of everything this operator manages; every informer of the operator uses it. */
  public static final String MANAGED_SELECTOR = MANAGED_BY + "=" + OPERATOR;

  /**
   * Pods that share a ReadWriteOnce uploads volume carry this label (value: the claim name) and require
   * each other's node, so the volume is never needed on two nodes at once.
   */
  public static final String UPLOADS_VOLUME = "loomio.org/uploads-volume";
  /** On the Job and pods of an on-demand backup: the LoomioBackup's name. */
  public static final String BACKUP = "loomio.org/backup";
  /**
   * On every pod that runs to completion (backup, restore, migration, gate and rotation Jobs): the operator
   * watches these pods for their termination messages, and only these.
   */
  public static final String RUN_ONCE = "loomio.org/run-once";
  /** On the Jobs and pods of a restore: the LoomioRestore's name. */
  public static final String RESTORE = "loomio.org/restore";

  private Labels() {}

  public static Map<String, String> of(String instance, Component component) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(NAME, APP);
    labels.put(INSTANCE, instance);
    labels.put(COMPONENT, component.label());
    labels.put(MANAGED_BY, OPERATOR);
    labels.put(PART_OF, APP);
    return labels;
  }

  /** What a workload selects its pods by. Never changes for a given stack and component. */
  public static Map<String, String> selector(String instance, Component component) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(NAME, APP);
    labels.put(INSTANCE, instance);
    labels.put(COMPONENT, component.label());
    return labels;
  }
}
