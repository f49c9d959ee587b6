package org.loomio.operator.reconcile;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.loomio.operator.api.v1alpha1.S3StorageSpec;
import org.loomio.operator.api.v1alpha1.SecretEnvVarSpec;
import org.loomio.operator.render.Credentials;
import org.loomio.operator.render.ResolvedSpec;

/**
 * The Secrets a stack reads but does not own (spec.secrets.existingSecret, database and SMTP passwords,
 * S3 credentials, CA certificates, spec.secretEnv, the backup bucket's credentials, passphrase and
 * recipients). They are read, never written: to check that every
 * referenced key exists before anything is applied (a pod whose secretKeyRef is missing never starts),
 * and to hash their contents into the pods that read them.
 */
public final class ReferencedSecrets {

  /** One referenced key and the field that references it. */
  public record Ref(String field, String secret, String key) {}

  /** The Secrets read (by name), or the first problem found. */
  public record Lookup(Map<String, Secret> secrets, Optional<String> problemReason, Optional<String> problem) {}

  private ReferencedSecrets() {}

  public static List<Ref> refs(ResolvedSpec spec) {
    List<Ref> refs = new ArrayList<>();
    if (spec.existingSecret() != null) {
      for (String key : Credentials.requiredKeys(spec)) {
        refs.add(new Ref("spec.secrets.existingSecret", spec.existingSecret(), key));
      }
    }
    ResolvedSpec.Database db = spec.database();
    if (!db.embedded()) {
      refs.add(new Ref("spec.database.external.passwordSecretRef", db.password().getName(), db.password().getKey()));
      if (db.ca() != null) {
        refs.add(new Ref("spec.database.external.caSecretRef", db.ca().getName(), db.ca().getKey()));
      }
    }
    if (spec.redis().url() != null && !spec.redis().embedded()
        && spec.redis().mode() == org.loomio.operator.api.v1alpha1.RedisSpec.Mode.EXTERNAL) {
      refs.add(new Ref("spec.redis.external.urlSecretRef", spec.redis().url().getName(), spec.redis().url().getKey()));
    }
    spec.smtp().filter(s -> s.password() != null).ifPresent(s ->
        refs.add(new Ref("spec.smtp.passwordSecretRef", s.password().getName(), s.password().getKey())));
    S3StorageSpec s3 = spec.storage().s3();
    if (s3 != null) {
      String name = s3.getCredentialsSecretRef().getName();
      refs.add(new Ref("spec.storage.s3.credentialsSecretRef", name, S3StorageSpec.ACCESS_KEY_ID));
      refs.add(new Ref("spec.storage.s3.credentialsSecretRef", name, S3StorageSpec.SECRET_ACCESS_KEY));
      if (s3.getCaSecretRef() != null) {
        refs.add(new Ref("spec.storage.s3.caSecretRef", s3.getCaSecretRef().getName(), s3.getCaSecretRef().getKey()));
      }
    }
    ResolvedSpec.Backup backup = spec.backup();
    if (backup.s3() != null) {
      String name = backup.s3().getCredentialsSecretRef().getName();
      refs.add(new Ref("spec.backup.s3.credentialsSecretRef", name, S3StorageSpec.ACCESS_KEY_ID));
      refs.add(new Ref("spec.backup.s3.credentialsSecretRef", name, S3StorageSpec.SECRET_ACCESS_KEY));
    }
    if (backup.passphrase() != null) {
      refs.add(new Ref("spec.backup.encryption.passphraseSecretRef", backup.passphrase().getName(),
          backup.passphrase().getKey()));
    }
    if (backup.recipientsSecret() != null) {
      refs.add(new Ref("spec.backup.encryption.recipientsSecretRef", backup.recipientsSecret().getName(),
          backup.recipientsSecret().getKey()));
    }
    List<SecretEnvVarSpec> secretEnv = spec.secretEnv();
    for (int i = 0; i < secretEnv.size(); i++) {
      var ref = secretEnv.get(i).getSecretKeyRef();
      refs.add(new Ref("spec.secretEnv[" + i + "].secretKeyRef", ref.getName(), ref.getKey()));
    }
    return refs;
  }

  /** Reads every referenced Secret once and checks every referenced key. */
  public static Lookup lookup(KubernetesClient client, String namespace, List<Ref> refs) {
    Map<String, Secret> secrets = new LinkedHashMap<>();
    Map<String, Boolean> absent = new LinkedHashMap<>();
    for (Ref ref : refs) {
      if (!secrets.containsKey(ref.secret()) && !absent.containsKey(ref.secret())) {
        Secret s = client.secrets().inNamespace(namespace).withName(ref.secret()).get();
        if (s == null) {
          absent.put(ref.secret(), true);
        } else {
          secrets.put(ref.secret(), s);
        }
      }
      if (absent.containsKey(ref.secret())) {
        return new Lookup(secrets, Optional.of(Conditions.SECRET_NOT_FOUND),
            Optional.of(ref.field() + ": Secret " + ref.secret() + " does not exist in namespace " + namespace));
      }
      Secret s = secrets.get(ref.secret());
      boolean hasKey = (s.getData() != null && s.getData().containsKey(ref.key()))
          || (s.getStringData() != null && s.getStringData().containsKey(ref.key()));
      if (!hasKey) {
        return new Lookup(secrets, Optional.of(Conditions.MISSING_SECRET_KEY),
            Optional.of(ref.field() + ": Secret " + ref.secret() + " has no key " + ref.key()));
      }
    }
    return new Lookup(secrets, Optional.empty(), Optional.empty());
  }
}
