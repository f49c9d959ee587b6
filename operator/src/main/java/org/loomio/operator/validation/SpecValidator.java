package org.loomio.operator.validation;

import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.loomio.operator.api.v1alpha1.BackupEncryptionSpec;
import org.loomio.operator.api.v1alpha1.BackupS3Spec;
import org.loomio.operator.api.v1alpha1.BackupSpec;
import org.loomio.operator.api.v1alpha1.CidrBlock;
import org.loomio.operator.api.v1alpha1.Cidrs;
import org.loomio.operator.api.v1alpha1.DatabaseSpec;
import org.loomio.operator.api.v1alpha1.EdgeAnnotations;
import org.loomio.operator.api.v1alpha1.EgressSpec;
import org.loomio.operator.api.v1alpha1.EmbeddedDatabaseSpec;
import org.loomio.operator.api.v1alpha1.EmbeddedRedisSpec;
import org.loomio.operator.api.v1alpha1.EnvNames;
import org.loomio.operator.api.v1alpha1.EnvVarSpec;
import org.loomio.operator.api.v1alpha1.GeneratedSecretNames;
import org.loomio.operator.api.v1alpha1.HocuspocusSpec;
import org.loomio.operator.api.v1alpha1.IngressSpec;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.api.v1alpha1.LoomioDeploymentSpec;
import org.loomio.operator.api.v1alpha1.LoomioRestoreSpec;
import org.loomio.operator.api.v1alpha1.NetworkPolicySpec;
import org.loomio.operator.api.v1alpha1.PodMetadataKeys;
import org.loomio.operator.api.v1alpha1.PodOptions;
import org.loomio.operator.api.v1alpha1.RedisSpec;
import org.loomio.operator.api.v1alpha1.RotationSpec;
import org.loomio.operator.api.v1alpha1.SecretEnvVarSpec;
import org.loomio.operator.api.v1alpha1.SecretKeyRef;
import org.loomio.operator.api.v1alpha1.SecretsSpec;
import org.loomio.operator.api.v1alpha1.ServerHosts;
import org.loomio.operator.api.v1alpha1.SmtpSpec;
import org.loomio.operator.api.v1alpha1.StorageSpec;
import org.loomio.operator.api.v1alpha1.TlsSpec;
import org.loomio.operator.api.v1alpha1.UploadsVolumeSpec;
import org.loomio.operator.api.v1alpha1.VolumeClaimSpec;
import org.loomio.operator.api.v1alpha1.WebSpec;
import org.loomio.operator.api.v1alpha1.WorkerSpec;
import org.loomio.operator.model.BackupSchedule;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.model.Quantities;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.upgrade.LoomioReleases;

/**
 * The operator's own check of a LoomioDeployment. It repeats the CRD's cross-field rules (CEL, which
 * clusters older than 1.25 ignore) and adds what no schema can say (requests above limits, Redis'
 * maxmemory above its memory limit, ...). A violation becomes {@code Degraded=True, reason InvalidSpec}
 * and leaves every existing object untouched; the render CLI prints it and exits non-zero.
 */
public final class SpecValidator {

  private SpecValidator() {}

  /**
   * Checks with {@code TenantPolicy.defaults(ImageDefaults.BUILT_IN)}: the policy of an operator with the
   * built-in images and no tenancy settings. For tests and tools only; the operator, its backup and restore
   * controllers and the render CLI pass the policy they were configured with.
   */
  public static List<Violation> validate(LoomioDeployment resource) {
    return validate(resource, TenantPolicy.defaults(ImageDefaults.BUILT_IN));
  }

  /**
   * The spec's own rules, then what the operator's tenant policy refuses (images, pod options). Resolves the
   * spec with the policy's images, when it has a name; callers that have resolved it pass it instead.
   */
  public static List<Violation> validate(LoomioDeployment resource, TenantPolicy policy) {
    java.util.Objects.requireNonNull(policy, "policy");
    boolean named = resource.getMetadata() != null && resource.getMetadata().getName() != null;
    return validate(resource, named ? ResolvedSpec.of(resource, policy.images()) : null, policy);
  }

  /** {@link #validate(LoomioDeployment, TenantPolicy)} of a resolved spec (the reconciler's one resolution). */
  public static List<Violation> validate(ResolvedSpec spec, TenantPolicy policy) {
    java.util.Objects.requireNonNull(policy, "policy");
    return validate(spec.resource(), spec, policy);
  }

  private static List<Violation> validate(
      LoomioDeployment resource, ResolvedSpec spec, TenantPolicy policy) {
    List<Violation> v = inputRules(resource, spec);
    if (resource.getSpec() != null) {
      TenantRules.check(resource.getSpec(), policy, v);
    }
    return v;
  }

  /** @param spec the resolved spec; null when the resource has no name (a violation of its own) */
  private static List<Violation> inputRules(LoomioDeployment resource, ResolvedSpec spec) {
    List<Violation> v = new ArrayList<>();
    String name = resource.getMetadata() == null ? null : resource.getMetadata().getName();
    if (name == null || name.isEmpty()) {
      v.add(new Violation("metadata.name", "is required"));
    } else if (name.length() > LoomioDeployment.MAX_NAME_LENGTH
        || !name.matches(LoomioDeployment.NAME_PATTERN)) {
      v.add(new Violation("metadata.name", LoomioDeployment.NAME_MESSAGE));
    }
    LoomioDeploymentSpec s = resource.getSpec();
    if (s == null) {
      v.add(new Violation("spec", "is required"));
      return v;
    }
    hosts(s, v);

    DatabaseSpec db = s.getDatabase();
    if (db != null
        && (db.getEmbedded() != null ? 1 : 0)
                + (db.getExternal() != null ? 1 : 0)
                + (db.getCloudNativePG() != null ? 1 : 0)
            > 1) {
      v.add(new Violation("spec.database", DatabaseSpec.EXACTLY_ONE));
    }
    var cnpgBackup = db == null || db.getCloudNativePG() == null
        ? null
        : db.getCloudNativePG().getBackup();
    String cnpgEndpoint = cnpgBackup == null || cnpgBackup.getS3() == null
        ? null
        : cnpgBackup.getS3().getEndpoint();
    if (cnpgEndpoint != null && !cnpgEndpoint.startsWith("https://")) {
      v.add(new Violation(
          "spec.database.cloudNativePG.backup.s3.endpoint",
          BackupS3Spec.HTTPS_REQUIRED + "; got '" + cnpgEndpoint + "'"));
    }
    if (db != null && db.getExternal() != null && db.getExternal().getHost() != null) {
      ServerHosts.problem(db.getExternal().getHost())
          .ifPresent(m -> v.add(new Violation("spec.database.external.host", m)));
    }
    StorageSpec storage = s.getStorage();
    if (storage != null && storage.getVolume() != null && storage.getS3() != null) {
      v.add(new Violation("spec.storage", "set exactly one of volume or s3"));
    }
    WebSpec web = s.getWeb();
    if (web != null
        && web.getReplicas() != null
        && web.getReplicas() > 1
        && !sharedUploads(storage)) {
      v.add(new Violation(
          "spec.web.replicas", LoomioDeploymentSpec.WEB_REPLICAS_NEED_SHARED_UPLOADS));
    }
    WorkerSpec worker = s.getWorker();
    if (worker != null && worker.getReplicas() != null && worker.getReplicas() > 1) {
      v.add(new Violation(
          "spec.worker.replicas",
          "must be 0 or 1: Loomio's queue runs one group-destruction"
              + " worker per container; raise spec.worker.concurrency instead"));
    }
    RedisSpec redis = s.getRedis();
    if (redis != null
        && redis.getMode() == RedisSpec.Mode.EXTERNAL
        && (redis.getExternal() == null || redis.getExternal().getUrlSecretRef() == null)) {
      v.add(new Violation("spec.redis.external.urlSecretRef", RedisSpec.EXTERNAL_NEEDS_URL));
    }
    if (redis != null && redis.getExternal() != null && redis.getExternal().getHost() != null) {
      ServerHosts.problem(redis.getExternal().getHost())
          .ifPresent(m -> v.add(new Violation("spec.redis.external.host", m)));
    }
    SmtpSpec smtp = s.getSmtp();
    if (smtp != null && smtp.getPasswordSecretRef() != null && smtp.getUsername() == null) {
      v.add(new Violation("spec.smtp.username", "is required with spec.smtp.passwordSecretRef"));
    }
    edge(s, v);
    image(s, v);
    tlsSecret(name, s, v);
    generatedSecrets(name, s, v);
    storageSizes(s, v);
    backup(
        s,
        spec,
        resource.getMetadata() == null ? null : resource.getMetadata().getNamespace(),
        name,
        v);
    env(s, v);
    resources(spec, s, v);
    podLabels(s, v);
    rotation(spec, s, v);
    return v;
  }

  /** spec.image.tag: a release the operator's pods run, or a migrate-only stepping stone (LoomioReleases). */
  private static void image(LoomioDeploymentSpec s, List<Violation> v) {
    if (s.getImage() != null && s.getImage().getTag() != null) {
      LoomioReleases.check(s.getImage().getTag())
          .ifPresent(m -> v.add(new Violation("spec.image.tag", m)));
    }
  }

  /** With cert-manager issuing, the TLS Secret is the stack's own: cert-manager overwrites whatever the Ingress names. */
  private static void tlsSecret(String name, LoomioDeploymentSpec s, List<Violation> v) {
    var tls = s.getIngress() == null ? null : s.getIngress().getTls();
    if (tls != null
        && tls.getSecretName() != null
        && (tls.getClusterIssuer() != null || tls.getIssuer() != null)
        && !tls.getSecretName().equals(name + "-tls")) {
      v.add(new Violation(
          "spec.ingress.tls.secretName",
          TlsSpec.ISSUER_WRITES_SECRET.substring("spec.ingress.tls.secretName: ".length())));
    }
  }

  /**
   * No field names a Secret the operator generates for this stack (GeneratedSecretNames): the operator wires its
   * own Secrets itself, and a field would hand them to whatever the field feeds (an SMTP or database server, an S3
   * endpoint, an environment variable). The single fields are CEL rules too; the lists only here.
   */
  private static void generatedSecrets(String name, LoomioDeploymentSpec s, List<Violation> v) {
    if (name == null) {
      return;
    }
    for (var ref : secretNames(s)) {
      if (GeneratedSecretNames.isGenerated(name, ref.getValue())) {
        v.add(new Violation(
            ref.getKey(), GeneratedSecretNames.REFUSED + " (" + ref.getValue() + ")"));
      }
    }
  }

  /** Every Secret name a LoomioDeployment's fields hold, by field (name included), in the order of the spec. */
  public static List<Map.Entry<String, String>> secretNames(LoomioDeploymentSpec s) {
    List<Map.Entry<String, String>> names = new ArrayList<>();
    BiConsumer<String, String> add = (field, secret) -> {
      if (secret != null) {
        names.add(Map.entry(field, secret));
      }
    };
    if (s.getSecrets() != null) {
      add.accept("spec.secrets.existingSecret", s.getSecrets().getExistingSecret());
    }
    var external = s.getDatabase() == null ? null : s.getDatabase().getExternal();
    if (external != null) {
      add.accept(
          "spec.database.external.passwordSecretRef.name", nameOf(external.getPasswordSecretRef()));
      add.accept("spec.database.external.caSecretRef.name", nameOf(external.getCaSecretRef()));
    }
    var cnpg = s.getDatabase() == null ? null : s.getDatabase().getCloudNativePG();
    if (cnpg != null && cnpg.getBackup() != null) {
      if (cnpg.getBackup().getS3() != null
          && cnpg.getBackup().getS3().getCredentialsSecretRef() != null) {
        add.accept(
            "spec.database.cloudNativePG.backup.s3.credentialsSecretRef.name",
            cnpg.getBackup().getS3().getCredentialsSecretRef().getName());
      }
      add.accept(
          "spec.database.cloudNativePG.backup.caSecretRef.name",
          nameOf(cnpg.getBackup().getCaSecretRef()));
    }
    if (s.getRedis() != null && s.getRedis().getExternal() != null) {
      add.accept(
          "spec.redis.external.urlSecretRef.name",
          nameOf(s.getRedis().getExternal().getUrlSecretRef()));
    }
    if (s.getSmtp() != null) {
      add.accept("spec.smtp.passwordSecretRef.name", nameOf(s.getSmtp().getPasswordSecretRef()));
    }
    var s3 = s.getStorage() == null ? null : s.getStorage().getS3();
    if (s3 != null) {
      add.accept(
          "spec.storage.s3.credentialsSecretRef.name",
          s3.getCredentialsSecretRef() == null
              ? null
              : s3.getCredentialsSecretRef().getName());
      add.accept("spec.storage.s3.caSecretRef.name", nameOf(s3.getCaSecretRef()));
    }
    var b = s.getBackup();
    if (b != null && b.getS3() != null) {
      add.accept(
          "spec.backup.s3.credentialsSecretRef.name",
          b.getS3().getCredentialsSecretRef() == null
              ? null
              : b.getS3().getCredentialsSecretRef().getName());
      add.accept("spec.backup.s3.caSecretRef.name", nameOf(b.getS3().getCaSecretRef()));
    }
    if (b != null && b.getEncryption() != null) {
      add.accept(
          "spec.backup.encryption.passphraseSecretRef.name",
          nameOf(b.getEncryption().getPassphraseSecretRef()));
      add.accept(
          "spec.backup.encryption.recipientsSecretRef.name",
          nameOf(b.getEncryption().getRecipientsSecretRef()));
    }
    List<SecretEnvVarSpec> secretEnv = s.getSecretEnv() == null ? List.of() : s.getSecretEnv();
    for (int i = 0; i < secretEnv.size(); i++) {
      add.accept(
          "spec.secretEnv[" + i + "].secretKeyRef.name",
          nameOf(secretEnv.get(i).getSecretKeyRef()));
    }
    var pull =
        s.getImagePullSecrets() == null ? List.<LocalObjectReference>of() : s.getImagePullSecrets();
    for (int i = 0; i < pull.size(); i++) {
      add.accept(
          "spec.imagePullSecrets[" + i + "].name",
          pull.get(i) == null ? null : pull.get(i).getName());
    }
    if (s.getIngress() != null && s.getIngress().getTls() != null) {
      add.accept("spec.ingress.tls.secretName", s.getIngress().getTls().getSecretName());
    }
    return names;
  }

  private static String nameOf(SecretKeyRef ref) {
    return ref == null ? null : ref.getName();
  }

  /**
   * A LoomioRestore's own rules (its CEL, repeated): the key to decrypt with may be a stack's backup key, never
   * the deployment's credentials or signing key; the verification key is never a generated Secret; unsigned
   * backups only by name.
   */
  public static List<Violation> validateRestore(LoomioRestoreSpec rs) {
    List<Violation> v = new ArrayList<>();
    if (rs != null && rs.getPrivateKeySecretRef() != null && rs.getDeploymentName() != null) {
      String key = rs.getPrivateKeySecretRef().getName();
      if (GeneratedSecretNames.isGenerated(rs.getDeploymentName(), key)
          && !GeneratedSecretNames.isBackupKey(rs.getDeploymentName(), key)) {
        v.add(new Violation(
            "spec.privateKeySecretRef.name",
            GeneratedSecretNames.RESTORE_KEY_REFUSED.substring(
                    "spec.privateKeySecretRef: ".length())
                + " (" + key + ")"));
      }
    }
    if (rs != null && rs.getVerificationKeySecretRef() != null && rs.getDeploymentName() != null) {
      String key = rs.getVerificationKeySecretRef().getName();
      if (GeneratedSecretNames.isGenerated(rs.getDeploymentName(), key)) {
        v.add(new Violation(
            "spec.verificationKeySecretRef.name",
            GeneratedSecretNames.VERIFICATION_KEY_REFUSED.substring(
                    "spec.verificationKeySecretRef: ".length())
                + " (" + key + ")"));
      }
    }
    if (rs != null
        && Boolean.TRUE.equals(rs.getAllowUnsigned())
        && (rs.getBackupName() == null || rs.getBackupName().equals("latest"))) {
      v.add(new Violation(
          "spec.allowUnsigned",
          LoomioRestoreSpec.ALLOW_UNSIGNED_REFUSED.substring("spec.allowUnsigned: ".length())));
    }
    return v;
  }

  /** spec.host and spec.hocuspocusHost: DNS names an Ingress, an HTTPRoute and a certificate accept. */
  private static void hosts(LoomioDeploymentSpec s, List<Violation> v) {
    if (s.getHost() == null || s.getHost().isEmpty()) {
      v.add(new Violation(
          "spec.host", "is required (the public host name, for example loomio.example.org)"));
      return;
    }
    boolean host = dnsName("spec.host", s.getHost(), v);
    boolean hocuspocus =
        s.getHocuspocusHost() == null || dnsName("spec.hocuspocusHost", s.getHocuspocusHost(), v);
    if (s.getReplyHostname() != null) {
      dnsName("spec.replyHostname", s.getReplyHostname(), v);
    }
    if (host
        && s.getHocuspocusHost() == null
        && s.getHost().length() > LoomioDeploymentSpec.MAX_HOST_LENGTH_WITH_DERIVED_HOCUSPOCUS) {
      v.add(new Violation("spec.host", LoomioDeploymentSpec.HOST_TOO_LONG_FOR_HOCUSPOCUS));
    }
    if (host && hocuspocus && s.getHost().equals(s.getHocuspocusHost())) {
      v.add(new Violation(
          "spec.hocuspocusHost",
          "must differ from spec.host (the edge routes each host to one" + " component)"));
    }
  }

  /** A lower-case RFC 1123 DNS name: labels of 1 to 63 characters, 253 in all. */
  static boolean dnsName(String field, String name, List<Violation> v) {
    if (name.length() > LoomioDeploymentSpec.MAX_HOST_LENGTH) {
      v.add(new Violation(
          field,
          "has " + name.length() + " characters; a DNS name has at most "
              + LoomioDeploymentSpec.MAX_HOST_LENGTH));
      return false;
    }
    for (String label : name.split("\\.", -1)) {
      if (label.length() > 63) {
        v.add(new Violation(
            field,
            "label '" + label + "' has " + label.length() + " characters; a DNS label has"
                + " at most 63"));
        return false;
      }
    }
    if (!name.matches(LoomioDeploymentSpec.DNS_NAME)) {
      v.add(new Violation(field, "must be a lower-case DNS name (RFC 1123); got '" + name + "'"));
      return false;
    }
    return true;
  }

  /** spec.secrets.rotate: generated credentials only, only those the stack has, the VAPID pair only forced. */
  private static void rotation(ResolvedSpec spec, LoomioDeploymentSpec s, List<Violation> v) {
    var secrets = s.getSecrets();
    if (secrets == null || secrets.getRotate() == null) {
      return;
    }
    var rotate = secrets.getRotate();
    if (secrets.getExistingSecret() != null) {
      v.add(new Violation("spec.secrets.rotate", SecretsSpec.ROTATE_GENERATED_ONLY));
      return;
    }
    if (rotate.getToken() == null
        || !rotate.getToken().matches("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
        || rotate.getToken().length() > 63) {
      v.add(new Violation(
          "spec.secrets.rotate.token",
          "is required: up to 63 letters, digits, '-', '_' or '.'," + " for example a date"));
    }
    if (rotate.getKeys() == null || rotate.getKeys().isEmpty()) {
      v.add(new Violation("spec.secrets.rotate.keys", "name at least one credential, or all"));
      return;
    }
    boolean vapid = rotate.getKeys().stream().anyMatch(k -> k.name().startsWith("VAPID_"));
    if (vapid && !Boolean.TRUE.equals(rotate.getForce())) {
      v.add(new Violation("spec.secrets.rotate.keys", RotationSpec.VAPID_NEEDS_FORCE));
    }
    List<String> stackKeys = org.loomio.operator.model.Credentials.requiredKeys(
        java.util.Objects.requireNonNull(spec, "metadata.name"));
    for (var key : rotate.getKeys()) {
      if (key != RotationSpec.Key.all && !stackKeys.contains(key.name())) {
        v.add(new Violation(
            "spec.secrets.rotate.keys",
            key.name() + " is not a credential this stack generates"
                + " (the database or Redis is external): rotate it where it is managed"));
      }
    }
  }

  /** Every storage size the operator turns into a claim or an emptyDir limit: a quantity greater than zero. */
  private static void storageSizes(LoomioDeploymentSpec s, List<Violation> v) {
    if (s.getStorage() != null && s.getStorage().getVolume() != null) {
      positiveSize("spec.storage.volume.size", s.getStorage().getVolume().getSize(), v);
    }
    if (s.getDatabase() != null
        && s.getDatabase().getEmbedded() != null
        && s.getDatabase().getEmbedded().getStorage() != null) {
      positiveSize(
          "spec.database.embedded.storage.size",
          s.getDatabase().getEmbedded().getStorage().getSize(),
          v);
    }
    if (s.getDatabase() != null
        && s.getDatabase().getCloudNativePG() != null
        && s.getDatabase().getCloudNativePG().getStorage() != null) {
      positiveSize(
          "spec.database.cloudNativePG.storage.size",
          s.getDatabase().getCloudNativePG().getStorage().getSize(),
          v);
    }
    if (s.getBackup() != null && s.getBackup().getVolume() != null) {
      positiveSize("spec.backup.volume.size", s.getBackup().getVolume().getSize(), v);
    }
    if (s.getBackup() != null && s.getBackup().getScratch() != null) {
      positiveSize("spec.backup.scratch.size", s.getBackup().getScratch().getSize(), v);
    }
  }

  private static void positiveSize(String field, String size, List<Violation> v) {
    if (size == null) {
      return;
    }
    boolean positive;
    try {
      positive = size.matches(VolumeClaimSpec.QUANTITY_PATTERN)
          && new Quantity(size).getNumericalAmount().signum() > 0;
    } catch (ArithmeticException | IllegalArgumentException e) {
      positive = false;
    }
    if (!positive) {
      v.add(new Violation(
          field, "must be a size greater than zero, for example 10Gi; got '" + size + "'"));
    }
  }

  /** The same rules as the CRD's for spec.backup, plus the cron syntax the CRD pattern only approximates. */
  private static void backup(
      LoomioDeploymentSpec s, ResolvedSpec spec, String namespace, String name, List<Violation> v) {
    org.loomio.operator.api.v1alpha1.BackupSpec b = s.getBackup();
    if (b == null) {
      return;
    }
    if (b.getSchedule() != null) {
      try {
        parsed(spec, b.getSchedule(), ResolvedSpec::backupSchedule);
      } catch (IllegalArgumentException e) {
        v.add(
            new Violation(
                "spec.backup.schedule",
                "'" + b.getSchedule() + "' is " + e.getMessage()
                    + "; write five fields (minute hour day-of-month month day-of-week), e.g. '17 3 * * *', or @daily"));
      }
    }
    String drillSchedule = b.getDrill() == null ? null : b.getDrill().getSchedule();
    if (drillSchedule != null) {
      try {
        parsed(spec, drillSchedule, ResolvedSpec::drillSchedule);
      } catch (IllegalArgumentException e) {
        v.add(
            new Violation(
                "spec.backup.drill.schedule",
                "'" + drillSchedule + "' is " + e.getMessage()
                    + "; write five fields (minute hour day-of-month month day-of-week), e.g. '43 4 * * 0', or @weekly"));
      }
    }
    var e = b.getEncryption();
    if (e != null) {
      boolean passphrase = e.getMode() == BackupEncryptionSpec.Mode.Passphrase;
      if (passphrase && e.getPassphraseSecretRef() == null) {
        v.add(new Violation(
            "spec.backup.encryption.passphraseSecretRef",
            BackupEncryptionSpec.PASSPHRASE_REQUIRED));
      }
      if (!passphrase && e.getPassphraseSecretRef() != null) {
        v.add(new Violation(
            "spec.backup.encryption.passphraseSecretRef", BackupEncryptionSpec.PASSPHRASE_ONLY));
      }
      if (e.getRecipientsSecretRef() != null && e.getRecipientsConfigMapRef() != null) {
        v.add(new Violation("spec.backup.encryption", BackupEncryptionSpec.ONE_RECIPIENTS_SOURCE));
      }
    }
    boolean enabled = b.getEnabled() == null || b.getEnabled();
    boolean onVolume = b.getVolume() == null
        || b.getVolume().getEnabled() == null
        || b.getVolume().getEnabled();
    if (enabled && !onVolume && b.getS3() == null) {
      v.add(new Violation("spec.backup", BackupSpec.NEEDS_DESTINATION));
    }
    String endpoint = b.getS3() == null ? null : b.getS3().getEndpoint();
    if (endpoint != null && !endpoint.startsWith("https://")) {
      v.add(new Violation(
          "spec.backup.s3.endpoint", BackupS3Spec.HTTPS_REQUIRED + "; got '" + endpoint + "'"));
    }
    String prefix = b.getS3() == null ? null : b.getS3().getPrefix();
    if (prefix != null && !ownPrefix(prefix, namespace, name)) {
      v.add(new Violation(
          "spec.backup.s3.prefix",
          BackupS3Spec.PREFIX_NOT_OWN
              + (namespace == null ? "" : " ('" + namespace + "/" + name + "' here)") + "; got '"
              + prefix + "'"));
    }
    if (b.getS3() != null
        && b.getS3().getKmsKeyId() != null
        && b.getS3().getServerSideEncryption() != BackupS3Spec.ServerSideEncryption.AWS_KMS) {
      v.add(new Violation("spec.backup.s3.kmsKeyId", BackupS3Spec.KMS_NEEDS_AWS_KMS));
    }
  }

  /**
   * Whether a backup prefix is this stack's own: well-formed (no empty, '.' or '..' segment: the CRD's pattern)
   * and ending in the segments {@code <namespace>/<name>}, which no other stack's prefix ends in. Without a
   * namespace (render of a file without one), the name alone.
   */
  /**
   * A schedule the spec sets, parsed by its resolution (once per reconcile); a nameless resource has none, so
   * its schedule is parsed here.
   */
  private static void parsed(
      ResolvedSpec spec, String schedule, Function<ResolvedSpec, BackupSchedule> resolved) {
    if (spec == null) {
      BackupSchedule.parse(schedule);
    } else {
      resolved.apply(spec);
    }
  }

  static boolean ownPrefix(String prefix, String namespace, String name) {
    if (!prefix.matches(BackupS3Spec.PREFIX_PATTERN) || name == null) {
      return false;
    }
    String own = namespace == null ? name : namespace + "/" + name;
    return prefix.equals(own) || prefix.endsWith("/" + own);
  }

  private static void edge(LoomioDeploymentSpec s, List<Violation> v) {
    if (s.getIngress() != null && s.getGateway() != null) {
      v.add(new Violation("spec", "set at most one of ingress or gateway"));
    }
    IngressSpec ingress = s.getIngress();
    if (ingress != null) {
      EdgeAnnotations.problemsByKey(ingress.getAnnotations(), EdgeAnnotations.traefik(ingress))
          .forEach(p ->
              v.add(new Violation("spec.ingress.annotations[" + p.getKey() + "]", p.getValue())));
      if (ingress.getTls() != null
          && ingress.getTls().getClusterIssuer() != null
          && ingress.getTls().getIssuer() != null) {
        v.add(new Violation("spec.ingress.tls", "set at most one of clusterIssuer or issuer"));
      }
      String secretName = ingress.getTls() == null ? null : ingress.getTls().getSecretName();
      if (secretName != null
          && (secretName.length() > 253 || !secretName.matches(SecretKeyRef.NAME_PATTERN))) {
        v.add(new Violation(
            "spec.ingress.tls.secretName",
            "must be a Secret name (a lower-case DNS subdomain, at" + " most 253 characters); got '"
                + secretName + "'"));
      }
    }
    NetworkPolicySpec np = s.getNetworkPolicy();
    if (np != null && np.getEgress() != null) {
      EgressSpec e = np.getEgress();
      cidrs("spec.networkPolicy.egress.publicCIDRs", e.getPublicCIDRs(), v);
      cidrs("spec.networkPolicy.egress.smtp", e.getSmtp(), v);
      cidrs("spec.networkPolicy.egress.s3", e.getS3(), v);
      cidrs("spec.networkPolicy.egress.backupS3", e.getBackupS3(), v);
      cidrs("spec.networkPolicy.egress.database", e.getDatabase(), v);
      cidrs("spec.networkPolicy.egress.redis", e.getRedis(), v);
    }
  }

  /**
   * Each block: a CIDR, except entries strictly within it (the API server refuses a NetworkPolicy otherwise),
   * and no cloud metadata address left reachable (the CRD's CEL rule catches a bare cidr; this is exact).
   */
  private static void cidrs(String field, List<CidrBlock> blocks, List<Violation> v) {
    if (blocks == null) {
      return;
    }
    for (int i = 0; i < blocks.size(); i++) {
      CidrBlock b = blocks.get(i);
      String at = field + "[" + i + "]";
      Optional<Cidrs.Range> range =
          b.getCidr() == null || !b.getCidr().matches(CidrBlock.CIDR_PATTERN)
              ? Optional.empty()
              : Cidrs.parse(b.getCidr());
      if (range.isEmpty()) {
        v.add(new Violation(
            at + ".cidr",
            "not a CIDR (a.b.c.d/n with octets 0-255, or an IPv6 range): " + b.getCidr()));
      } else if (range.get().ipv4Mapped()) {
        // Go's net.IPNet, which the API server and network plugins use, reads it as the IPv4 range
        // it maps:
        // ::ffff:0:0/96 is 0.0.0.0/0, ::ffff:a9fe:a9fe/128 the metadata address, past the checks
        // below
        v.add(new Violation(
            at + ".cidr",
            b.getCidr() + " is IPv4-mapped (::ffff:0:0/96), which network plugins read"
                + " as the IPv4 range it maps: write it as IPv4"));
        continue;
      }
      List<String> except = b.getExcept() == null ? List.of() : b.getExcept();
      boolean exceptOk = true;
      for (int j = 0; j < except.size(); j++) {
        Optional<Cidrs.Range> e =
            except.get(j) == null || !except.get(j).matches(CidrBlock.CIDR_PATTERN)
                ? Optional.empty()
                : Cidrs.parse(except.get(j));
        if (e.isEmpty()) {
          v.add(new Violation(at + ".except[" + j + "]", "not a CIDR: " + except.get(j)));
          exceptOk = false;
        } else if (range.isPresent() && e.get().ipv4Mapped() && !range.get().ipv4Mapped()) {
          v.add(
              new Violation(
                  at + ".except[" + j + "]",
                  except.get(j) + " is IPv4-mapped (::ffff:0:0/96), which the"
                      + " API server never counts as within the IPv6 cidr " + b.getCidr()
                      + ": leave it out (such"
                      + " destinations leave the pod as IPv4 and the IPv4 blocks govern them) or write it as IPv4"));
        } else if (range.isPresent() && !range.get().strictlyContains(e.get())) {
          v.add(new Violation(
              at + ".except[" + j + "]",
              except.get(j) + " must lie strictly within cidr " + b.getCidr()));
        }
      }
      if (range.isPresent() && exceptOk) {
        List<String> reached = Cidrs.metadataReachable(b);
        if (!reached.isEmpty()) {
          v.add(new Violation(
              at + ".cidr",
              b.getCidr() + " reaches " + String.join(" and ", reached) + ": "
                  + Cidrs.REACHES_METADATA));
        }
      }
    }
  }

  private static boolean sharedUploads(StorageSpec storage) {
    return storage != null
        && (storage.getS3() != null
            || (storage.getVolume() != null
                && storage.getVolume().getAccessMode()
                    == UploadsVolumeSpec.AccessMode.ReadWriteMany));
  }

  private static void env(LoomioDeploymentSpec s, List<Violation> v) {
    Set<String> seen = new HashSet<>();
    List<EnvVarSpec> env = s.getEnv() == null ? List.of() : s.getEnv();
    for (int i = 0; i < env.size(); i++) {
      String n = env.get(i).getName();
      String field = "spec.env[" + i + "].name";
      if (n == null) {
        v.add(new Violation(field, "is required"));
      } else if (EnvNames.isOwned(n)) {
        v.add(new Violation(field, EnvNames.OWNED_MESSAGE));
        if (EnvNames.isDenied(n)) {
          v.add(new Violation(
              field, EnvNames.DENIED_MESSAGE)); // both rules, as the CRD's CEL reports both
        }
      } else if (EnvNames.isDenied(n)) {
        v.add(new Violation(field, EnvNames.DENIED_MESSAGE));
      } else if (EnvNames.looksSecret(n)) {
        v.add(new Violation(field, EnvNames.SECRET_LOOKING_MESSAGE));
      } else if (!seen.add(n)) {
        v.add(new Violation(field, n + " appears twice"));
      }
    }
    List<SecretEnvVarSpec> secretEnv = s.getSecretEnv() == null ? List.of() : s.getSecretEnv();
    for (int i = 0; i < secretEnv.size(); i++) {
      String n = secretEnv.get(i).getName();
      String field = "spec.secretEnv[" + i + "].name";
      if (n == null) {
        v.add(new Violation(field, "is required"));
      } else if (EnvNames.isOwned(n)) {
        v.add(new Violation(field, EnvNames.OWNED_MESSAGE));
        if (EnvNames.isDenied(n)) {
          v.add(new Violation(
              field, EnvNames.DENIED_MESSAGE)); // both rules, as the CRD's CEL reports both
        }
      } else if (EnvNames.isDenied(n)) {
        v.add(new Violation(field, EnvNames.DENIED_MESSAGE));
      } else if (!seen.add(n)) {
        v.add(new Violation(field, n + " is already set in spec.env or spec.secretEnv"));
      }
      if (secretEnv.get(i).getSecretKeyRef() == null) {
        v.add(new Violation("spec.secretEnv[" + i + "].secretKeyRef", "is required"));
      }
    }
  }

  private static void resources(ResolvedSpec spec, LoomioDeploymentSpec s, List<Violation> v) {
    if (s.getWeb() != null) {
      requestsWithinLimits("spec.web.resources", s.getWeb().getResources(), v);
    }
    if (s.getWorker() != null) {
      requestsWithinLimits("spec.worker.resources", s.getWorker().getResources(), v);
    }
    HocuspocusSpec h = s.getHocuspocus();
    if (h != null) {
      requestsWithinLimits("spec.hocuspocus.resources", h.getResources(), v);
    }
    EmbeddedDatabaseSpec e = s.getDatabase() == null ? null : s.getDatabase().getEmbedded();
    if (e != null) {
      requestsWithinLimits("spec.database.embedded.resources", e.getResources(), v);
    }
    var c = s.getDatabase() == null ? null : s.getDatabase().getCloudNativePG();
    if (c != null) {
      requestsWithinLimits("spec.database.cloudNativePG.resources", c.getResources(), v);
    }
    EmbeddedRedisSpec r = s.getRedis() == null ? null : s.getRedis().getEmbedded();
    if (r != null) {
      requestsWithinLimits("spec.redis.embedded.resources", r.getResources(), v);
      if (r.getResources() != null
          && r.getResources().getLimits() != null
          && r.getResources().getLimits().get("memory") != null
          && r.getMaxMemory() != null
          && spec != null) {
        long limitMi = Quantities.mebibytes(r.getResources().getLimits().get("memory"));
        long maxMi = spec.redis().maxMemoryMi();
        if (maxMi >= limitMi) {
          v.add(new Violation(
              "spec.redis.embedded.maxMemory",
              r.getMaxMemory() + " must stay below the memory limit ("
                  + r.getResources().getLimits().get("memory")
                  + "), or Redis is killed before it evicts"));
        }
      }
    }
  }

  private static void requestsWithinLimits(
      String field, ResourceRequirements r, List<Violation> v) {
    if (r == null || r.getRequests() == null || r.getLimits() == null) {
      return;
    }
    for (Map.Entry<String, Quantity> request : r.getRequests().entrySet()) {
      Quantity limit = r.getLimits().get(request.getKey());
      try {
        if (limit != null
            && request.getValue().getNumericalAmount().compareTo(limit.getNumericalAmount()) > 0) {
          v.add(new Violation(
              field + ".requests." + request.getKey(),
              request.getValue() + " exceeds the limit " + limit));
        }
      } catch (ArithmeticException | IllegalArgumentException e) {
        v.add(new Violation(field, "not a quantity: " + e.getMessage()));
      }
    }
  }

  private static void podLabels(LoomioDeploymentSpec s, List<Violation> v) {
    check("spec.web.pod.labels", s.getWeb() == null ? null : s.getWeb().getPod(), v);
    check("spec.worker.pod.labels", s.getWorker() == null ? null : s.getWorker().getPod(), v);
    check(
        "spec.hocuspocus.pod.labels",
        s.getHocuspocus() == null ? null : s.getHocuspocus().getPod(),
        v);
    if (s.getDatabase() != null && s.getDatabase().getEmbedded() != null) {
      check("spec.database.embedded.pod.labels", s.getDatabase().getEmbedded().getPod(), v);
    }
    if (s.getRedis() != null && s.getRedis().getEmbedded() != null) {
      check("spec.redis.embedded.pod.labels", s.getRedis().getEmbedded().getPod(), v);
    }
  }

  private static void check(String field, PodOptions pod, List<Violation> v) {
    if (pod == null || pod.getLabels() == null) {
      return;
    }
    for (String key : pod.getLabels().keySet()) {
      if (PodMetadataKeys.reservedLabel(key)) {
        v.add(new Violation(field, key + " " + PodMetadataKeys.RESERVED_LABEL_MESSAGE));
      }
    }
  }
}
