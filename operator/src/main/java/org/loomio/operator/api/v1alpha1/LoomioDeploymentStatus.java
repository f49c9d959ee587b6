package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** What the operator observed. Written by the operator only, and only when it changed. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonClassDescription(
    "What the operator observed: the conditions (Ready, Progressing, Degraded, and more), the"
        + " image and version the stack runs, its components, migration, upgrade, backup and credential state. Written"
        + " by the operator only, and only when it changed.")
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({
  "observedGeneration",
  "url",
  "image",
  "version",
  "migration",
  "components",
  "migrated",
  "upgrade",
  "backup",
  "restore",
  "isolatedSince",
  "secrets",
  "inventory",
  "conditions"
})
public class LoomioDeploymentStatus {

  @JsonPropertyDescription("The metadata.generation this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription("Where users reach this Loomio.")
  private String url;

  @JsonPropertyDescription("The Loomio image the stack runs (or is rolling out).")
  private String image;

  @JsonPropertyDescription("The Loomio image tag (release series) of status.image.")
  private String version;

  @JsonPropertyDescription("Name of the migration Job for the current image and database.")
  private String migration;

  @JsonPropertyDescription(
      "Ready and desired pods per component (web, worker, hocuspocus, database, redis).")
  private Map<String, ComponentStatus> components = new LinkedHashMap<>();

  @JsonPropertyDescription(
      "The image whose migration last succeeded against the database; upgrades are checked"
          + " against its version.")
  private MigratedStatus migrated;

  @JsonPropertyDescription(
      "The upgrade under way (pre-upgrade backup, version gate, migration), if any.")
  private UpgradeStatus upgrade;

  @JsonPropertyDescription(
      "Since when the stack is isolated (spec.isolation), RFC 3339; absent when it is not.")
  private String isolatedSince;

  @JsonPropertyDescription(
      "When each generated credential got its current value, and the rotation state.")
  private SecretsStatus secrets;

  @JsonPropertyDescription("The newest complete backup and the newest failure, if any.")
  private BackupStatus backup;

  @JsonPropertyDescription(
      "The LoomioRestore in progress for this stack, if any: web, worker and hocuspocus are"
          + " scaled to zero until it is done.")
  private String restore;

  @JsonPropertyDescription(
      "The objects of the stack's last applied render, as apiVersion/kind/name, in apply order. After a"
          + " restart the operator reconciles first the stacks one of whose objects is missing from this"
          + " list's informers (docs/performance.md).")
  private List<String> inventory;

  @JsonPropertyDescription(
      "Ready, Progressing, Degraded, MailDelivery, Edge, BackupsHealthy, Isolated, SecretsFresh,"
          + " APIAvailable (Kubernetes API"
          + " conventions: type, status, reason, message, observedGeneration, lastTransitionTime).")
  private List<Condition> conditions = new ArrayList<>();

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public String getUrl() {
    return url;
  }

  public void setUrl(String url) {
    this.url = url;
  }

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public String getVersion() {
    return version;
  }

  public void setVersion(String version) {
    this.version = version;
  }

  public String getMigration() {
    return migration;
  }

  public void setMigration(String migration) {
    this.migration = migration;
  }

  public Map<String, ComponentStatus> getComponents() {
    return components;
  }

  public void setComponents(Map<String, ComponentStatus> components) {
    this.components = components;
  }

  public MigratedStatus getMigrated() {
    return migrated;
  }

  public void setMigrated(MigratedStatus migrated) {
    this.migrated = migrated;
  }

  public UpgradeStatus getUpgrade() {
    return upgrade;
  }

  public void setUpgrade(UpgradeStatus upgrade) {
    this.upgrade = upgrade;
  }

  public String getIsolatedSince() {
    return isolatedSince;
  }

  public void setIsolatedSince(String isolatedSince) {
    this.isolatedSince = isolatedSince;
  }

  public SecretsStatus getSecrets() {
    return secrets;
  }

  public void setSecrets(SecretsStatus secrets) {
    this.secrets = secrets;
  }

  public BackupStatus getBackup() {
    return backup;
  }

  public void setBackup(BackupStatus backup) {
    this.backup = backup;
  }

  public String getRestore() {
    return restore;
  }

  public void setRestore(String restore) {
    this.restore = restore;
  }

  public List<String> getInventory() {
    return inventory;
  }

  public void setInventory(List<String> inventory) {
    this.inventory = inventory;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LoomioDeploymentStatus s
        && Objects.equals(observedGeneration, s.observedGeneration)
        && Objects.equals(url, s.url)
        && Objects.equals(image, s.image)
        && Objects.equals(version, s.version)
        && Objects.equals(migration, s.migration)
        && Objects.equals(components, s.components)
        && Objects.equals(migrated, s.migrated)
        && Objects.equals(upgrade, s.upgrade)
        && Objects.equals(isolatedSince, s.isolatedSince)
        && Objects.equals(secrets, s.secrets)
        && Objects.equals(backup, s.backup)
        && Objects.equals(restore, s.restore)
        && Objects.equals(inventory, s.inventory)
        && Objects.equals(conditions, s.conditions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        observedGeneration,
        url,
        image,
        version,
        migration,
        components,
        migrated,
        upgrade,
        isolatedSince,
        secrets,
        backup,
        restore,
        inventory,
        conditions);
  }
}
