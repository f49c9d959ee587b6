package org.loomio.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * One Loomio installation: the web app, its background worker, the collaborative-editing server,
 * PostgreSQL and Redis (embedded or external), storage for uploads, and every setting that wires
 * them together. The CRD is generated from this class; see {@code crds/}. The printer columns are in the
 * order {@code kubectl get loomio} shows them (the build keeps this order in the CRD).
 */
@JsonClassDescription(LoomioDeployment.DESCRIPTION)
@Group(LoomioDeployment.GROUP)
@Version(LoomioDeployment.VERSION)
@Kind("LoomioDeployment")
@Plural("loomiodeployments")
@Singular("loomiodeployment")
@ShortNames("loomio")
@ValidationRule(
    value = "self.metadata.name.size() <= " + LoomioDeployment.MAX_NAME_LENGTH
        + " && self.metadata.name.matches('" + LoomioDeployment.NAME_PATTERN + "')",
    message = "metadata.name: " + LoomioDeployment.NAME_MESSAGE)
@ValidationRule(
    value = "!has(self.spec) || !has(self.spec.ingress) || !has(self.spec.ingress.tls)"
        + " || !has(self.spec.ingress.tls.secretName)"
        + " || (!has(self.spec.ingress.tls.clusterIssuer) && !has(self.spec.ingress.tls.issuer))"
        + " || self.spec.ingress.tls.secretName == self.metadata.name + '-tls'",
    message = TlsSpec.ISSUER_WRITES_SECRET)
@ValidationRule(
    value = "!has(self.spec) || !has(self.spec.secrets) || !has(self.spec.secrets.existingSecret)"
        + " || !(self.spec.secrets.existingSecret in " + GeneratedSecretNames.CEL_NAMES + ")",
    message = "spec.secrets.existingSecret: " + GeneratedSecretNames.REFUSED)
@ValidationRule(
    value = "!has(self.spec) || !has(self.spec.database) || !has(self.spec.database.external)"
        + " || !has(self.spec.database.external.passwordSecretRef)"
        + " || !(self.spec.database.external.passwordSecretRef.name in "
        + GeneratedSecretNames.CEL_NAMES + ")",
    message = "spec.database.external.passwordSecretRef.name: " + GeneratedSecretNames.REFUSED)
@ValidationRule(
    value = "!has(self.spec) || !has(self.spec.database) || !has(self.spec.database.external)"
        + " || !has(self.spec.database.external.caSecretRef)"
        + " || !(self.spec.database.external.caSecretRef.name in " + GeneratedSecretNames.CEL_NAMES
        + ")",
    message = "spec.database.external.caSecretRef.name: " + GeneratedSecretNames.REFUSED)
@ValidationRule(
    value = "!has(self.spec) || !has(self.spec.redis) || !has(self.spec.redis.external)"
        + " || !has(self.spec.redis.external.urlSecretRef)"
        + " || !(self.spec.redis.external.urlSecretRef.name in " + GeneratedSecretNames.CEL_NAMES
        + ")",
    message = "spec.redis.external.urlSecretRef.name: " + GeneratedSecretNames.REFUSED)
@ValidationRule(
    value = "!has(self.spec) || !has(self.spec.smtp) || !has(self.spec.smtp.passwordSecretRef)"
        + " || !(self.spec.smtp.passwordSecretRef.name in " + GeneratedSecretNames.CEL_NAMES + ")",
    message = "spec.smtp.passwordSecretRef.name: " + GeneratedSecretNames.REFUSED)
@ValidationRule(
    value = "!has(self.spec) || !has(self.spec.storage) || !has(self.spec.storage.s3)"
        + " || !has(self.spec.storage.s3.credentialsSecretRef)"
        + " || !(self.spec.storage.s3.credentialsSecretRef.name in "
        + GeneratedSecretNames.CEL_NAMES + ")",
    message = "spec.storage.s3.credentialsSecretRef.name: " + GeneratedSecretNames.REFUSED)
@ValidationRule(
    value = "!has(self.spec) || !has(self.spec.storage) || !has(self.spec.storage.s3)"
        + " || !has(self.spec.storage.s3.caSecretRef)"
        + " || !(self.spec.storage.s3.caSecretRef.name in " + GeneratedSecretNames.CEL_NAMES + ")",
    message = "spec.storage.s3.caSecretRef.name: " + GeneratedSecretNames.REFUSED)
@ValidationRule(
    value = "!has(self.spec) || !has(self.spec.backup) || !has(self.spec.backup.s3)"
        + " || !has(self.spec.backup.s3.credentialsSecretRef)"
        + " || !(self.spec.backup.s3.credentialsSecretRef.name in " + GeneratedSecretNames.CEL_NAMES
        + ")",
    message = "spec.backup.s3.credentialsSecretRef.name: " + GeneratedSecretNames.REFUSED)
@ValidationRule(
    value = "!has(self.spec) || !has(self.spec.backup) || !has(self.spec.backup.s3)"
        + " || !has(self.spec.backup.s3.caSecretRef)"
        + " || !(self.spec.backup.s3.caSecretRef.name in " + GeneratedSecretNames.CEL_NAMES + ")",
    message = "spec.backup.s3.caSecretRef.name: " + GeneratedSecretNames.REFUSED)
@ValidationRule(
    value = "!has(self.spec) || !has(self.spec.database) || !has(self.spec.database.cloudNativePG)"
        + " || !has(self.spec.database.cloudNativePG.backup)"
        + " || !(self.spec.database.cloudNativePG.backup.s3.credentialsSecretRef.name in "
        + GeneratedSecretNames.CEL_NAMES + ")",
    message = "spec.database.cloudNativePG.backup.s3.credentialsSecretRef.name: "
        + GeneratedSecretNames.REFUSED)
@ValidationRule(
    value = "!has(self.spec) || !has(self.spec.database) || !has(self.spec.database.cloudNativePG)"
        + " || !has(self.spec.database.cloudNativePG.backup)"
        + " || !has(self.spec.database.cloudNativePG.backup.caSecretRef)"
        + " || !(self.spec.database.cloudNativePG.backup.caSecretRef.name in "
        + GeneratedSecretNames.CEL_NAMES + ")",
    message =
        "spec.database.cloudNativePG.backup.caSecretRef.name: " + GeneratedSecretNames.REFUSED)
@ValidationRule(
    value = "!has(self.spec) || !has(self.spec.backup) || !has(self.spec.backup.encryption)"
        + " || !has(self.spec.backup.encryption.passphraseSecretRef)"
        + " || !(self.spec.backup.encryption.passphraseSecretRef.name in "
        + GeneratedSecretNames.CEL_NAMES + ")",
    message = "spec.backup.encryption.passphraseSecretRef.name: " + GeneratedSecretNames.REFUSED)
@ValidationRule(
    value = "!has(self.spec) || !has(self.spec.backup) || !has(self.spec.backup.encryption)"
        + " || !has(self.spec.backup.encryption.recipientsSecretRef)"
        + " || !(self.spec.backup.encryption.recipientsSecretRef.name in "
        + GeneratedSecretNames.CEL_NAMES + ")",
    message = "spec.backup.encryption.recipientsSecretRef.name: " + GeneratedSecretNames.REFUSED)
@ValidationRule(
    value = "!has(self.spec) || !has(self.spec.ingress) || !has(self.spec.ingress.tls)"
        + " || !has(self.spec.ingress.tls.secretName)"
        + " || !(self.spec.ingress.tls.secretName in " + GeneratedSecretNames.CEL_NAMES + ")",
    message = "spec.ingress.tls.secretName: " + GeneratedSecretNames.REFUSED)
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status",
    getDescription = "Whether every component is available (the Ready condition's status)")
@AdditionalPrinterColumn(
    name = "Host",
    jsonPath = ".spec.host",
    getDescription = "The public host name")
@AdditionalPrinterColumn(
    name = "Version",
    jsonPath = ".status.version",
    getDescription = "The Loomio version the stack runs")
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(
    name = "Reason",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason",
    getDescription =
        "Why the stack is or is not ready (the Ready condition's reason, for example InvalidSpec)")
@AdditionalPrinterColumn(
    name = "Degraded",
    jsonPath = ".status.conditions[?(@.type==\"Degraded\")].reason",
    priority = 1,
    getDescription = "The Degraded condition's reason (AsExpected, or why the spec is not applied)")
@AdditionalPrinterColumn(
    name = "Backups",
    jsonPath = ".status.conditions[?(@.type==\"BackupsHealthy\")].reason",
    priority = 1,
    getDescription = "The BackupsHealthy condition's reason (for example BackupOverdue)")
@AdditionalPrinterColumn(
    name = "Edge",
    jsonPath = ".status.conditions[?(@.type==\"Edge\")].reason",
    priority = 1,
    getDescription = "The Edge condition's reason (for example CertificatePending)")
@AdditionalPrinterColumn(
    name = "Secrets",
    jsonPath = ".status.conditions[?(@.type==\"SecretsFresh\")].reason",
    priority = 1,
    getDescription =
        "The SecretsFresh condition's reason (RotationDue when credentials are older than"
            + " spec.secrets.maxAgeDays)")
@AdditionalPrinterColumn(
    name = "Isolated",
    jsonPath = ".status.conditions[?(@.type==\"Isolated\")].reason",
    priority = 1,
    getDescription = "The Isolated condition's reason (Isolated while spec.isolation is true)")
public class LoomioDeployment extends CustomResource<LoomioDeploymentSpec, LoomioDeploymentStatus>
    implements Namespaced {

  public static final String GROUP = "loomio.org";
  public static final String VERSION = "v1alpha1";
  public static final String API_VERSION = GROUP + "/" + VERSION;
  public static final String KIND = "LoomioDeployment";
  /** What {@code kubectl explain loomiodeployment} prints. */
  public static final String DESCRIPTION =
      "One Loomio installation: the web app, its background worker, the"
          + " collaborative-editing server (hocuspocus), PostgreSQL and Redis (embedded or external), storage for"
          + " uploads, the edge (Ingress or Gateway API), backups, and every setting that wires them together. The"
          + " operator creates and keeps every object of the stack; it writes only this resource's status and"
          + " finalizer. Reference: docs/api.md.";
  /**
   * Owned names append at most 23 characters ({@code -postgres-0} plus a StatefulSet revision hash in a
   * label, {@code -migrate-<8 hex>} in a Job's labels), and label values stop at 63.
   */
  public static final int MAX_NAME_LENGTH = 40;

  public static final String NAME_PATTERN = "^[a-z]([-a-z0-9]*[a-z0-9])?$";
  /** The refusal of a name (CEL and SpecValidator, word for word). */
  public static final String NAME_MESSAGE =
      "must start with a letter, hold only lower-case letters, digits and '-'," + " and be at most "
          + MAX_NAME_LENGTH + " characters (owned objects append up to 23)";

  /**
   * No spec unless one is set. JOSDK adds its finalizer by server-side applying a fresh instance of this
   * class: a default-filled spec there would be applied too, overwriting the user's fields (the operator
   * must never write spec).
   */
  @Override
  protected LoomioDeploymentSpec initSpec() {
    return null;
  }

  @Override
  protected LoomioDeploymentStatus initStatus() {
    return null;
  }
}
