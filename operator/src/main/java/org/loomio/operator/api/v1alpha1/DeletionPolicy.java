package org.loomio.operator.api.v1alpha1;

/** What happens to the data PersistentVolumeClaims and generated credentials when the resource is deleted. */
public enum DeletionPolicy {
  /** Keep them; a new LoomioDeployment of the same name in the same namespace re-attaches them. */
  Retain,
  /** Delete them with the resource. */
  Delete
}
