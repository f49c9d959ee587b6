package org.loomio.operator.reconcile;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.loomio.operator.api.v1alpha1.GeneratedSecretNames;
import org.loomio.operator.api.v1alpha1.RedisSpec;
import org.loomio.operator.api.v1alpha1.S3StorageSpec;
import org.loomio.operator.api.v1alpha1.SecretEnvVarSpec;
import org.loomio.operator.api.v1alpha1.SecretKeyRef;
import org.loomio.operator.model.Credentials;
import org.loomio.operator.model.Labels;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.base.Ownership;
import org.loomio.operator.status.DegradedReason;

/**
 * The Secrets and ConfigMaps a stack reads but does not own (spec.secrets.existingSecret, database and SMTP
 * passwords, S3 credentials, CA certificates, spec.secretEnv, the backup bucket's credentials, passphrase and
 * recipients, a TLS Secret of your own, imagePullSecrets, a LoomioRestore's private key). They are read, never
 * written: to check that whoever owns each one consented to this stack using it, that every referenced key
 * exists before anything is applied (a pod whose secretKeyRef is missing never starts), and to hash their
 * contents into the pods that read them.
 *
 * <p><b>Consent.</b> Whoever may create a LoomioDeployment need not be allowed to read the namespace's Secrets;
 * the operator, which may, must not read them on the tenant's behalf. So a referenced Secret or ConfigMap is
 * used only when it carries the annotation {@value #CONSENT} naming the stack ({@code team}, or {@code team,other})
 * or {@code *} for every stack of its namespace: only someone who may write the object can put it there. The
 * stack's own objects (made by the operator for it) need no mark. An unmarked reference stops the stack before
 * anything is applied, and the condition names every unmarked object at once with the command that consents.
 * The check can be turned off for single-tenant clusters (chart value {@code tenancy.requireSecretConsent}).
 */
public final class ReferencedSecrets {

  /** On a Secret or ConfigMap: the LoomioDeployments of its namespace that may use it ({@code *}: every one). */
  public static final String CONSENT = "loomio.org/allowed-stacks";

  /** The kinds a stack may reference. */
  public enum Kind {
    Secret("secret"),
    ConfigMap("configmap");

    /** As kubectl spells it. */
    final String kubectl;

    Kind(String kubectl) {
      this.kubectl = kubectl;
    }
  }

  /** Who chose the reference, which decides what it may name. */
  public enum Use {
    /**
     * A field of the spec: needs its owner's consent, and may never name a Secret the operator generated for any
     * stack (its credentials, a pending rotation, a backup key): consent does not change that.
     */
    FIELD,
    /**
     * The Ingress's certificate Secret by its default name {@code <name>-tls} without an issuer: nothing of the
     * stack writes it, so it is a Secret someone provides and needs their consent like any other; until it exists
     * the Edge condition says so (it does not stop the stack).
     */
    DEFAULT_TLS,
    /**
     * A LoomioRestore's {@code privateKeySecretRef}: may name a stack's backup key (the stack's own needs no mark,
     * another stack's needs its consent), never a stack's credentials.
     */
    RESTORE_KEY,
    /** Built by the operator itself (a restore's default key, the stack's own backup key): the stack's own need no mark. */
    OPERATOR
  }

  /** One referenced object (and key, when a key is read), the field that references it, and who chose it. */
  public record Ref(String field, Kind kind, String name, String key, Use use) {
    public Ref(String field, Kind kind, String name, String key) {
      this(field, kind, name, key, Use.FIELD);
    }

    public Ref(String field, String secret, String key) {
      this(field, Kind.Secret, secret, key, Use.FIELD);
    }

    /** Kept for callers that only know Secrets. */
    public String secret() {
      return name;
    }
  }

  /** What is wrong with one reference. */
  public enum Problem {
    NOT_FOUND,
    MISSING_KEY,
    NOT_CONSENTED,
    GENERATED
  }

  /**
   * One problem with one reference.
   *
   * @param mark for an unconsented object, its current (insufficient) consent mark, if any: stack names only
   */
  public record Finding(Ref ref, Problem problem, String mark) {
    Finding(Ref ref, Problem problem) {
      this(ref, problem, null);
    }
  }

  /**
   * The Secrets read (by name; only those the stack may use) and every problem found, all at once.
   *
   * @param secrets the consented Secrets, by name
   * @param findings every problem, in the order of the references
   * @param namespace where they were looked up
   * @param stack the LoomioDeployment they were checked for
   */
  public record Lookup(
      Map<String, Secret> secrets, List<Finding> findings, String namespace, String stack) {

    /**
     * The Degraded reason: a reference to an operator-generated Secret first (InvalidSpec: no consent helps), then
     * a missing object, then a missing key, then missing consent.
     */
    public Optional<String> problemReason() {
      if (has(Problem.GENERATED)) {
        return Optional.of(DegradedReason.INVALID_SPEC.value());
      }
      if (has(Problem.NOT_FOUND)) {
        return Optional.of(DegradedReason.SECRET_NOT_FOUND.value());
      }
      if (has(Problem.MISSING_KEY)) {
        return Optional.of(DegradedReason.MISSING_SECRET_KEY.value());
      }
      return has(Problem.NOT_CONSENTED)
          ? Optional.of(DegradedReason.CONSENT_REQUIRED.value())
          : Optional.empty();
    }

    /** Every problem in one message, with the command that consents to every unmarked object. */
    public Optional<String> problem() {
      if (findings.isEmpty()) {
        return Optional.empty();
      }
      List<String> parts = new ArrayList<>();
      findings.stream()
          .filter(f -> f.problem() == Problem.GENERATED)
          .map(f -> f.ref().field() + ": Secret "
              + f.ref().name() + " is generated by the operator for LoomioDeployment " + f.mark()
              + " ("
              + (f.ref().use() == Use.RESTORE_KEY
                  ? "its credentials; a restore's key may be a backup key only"
                  : "no field may name an operator-generated Secret, whatever consent it carries")
              + ")")
          .forEach(parts::add);
      List<String> missing = findings.stream()
          .filter(f -> f.problem() == Problem.NOT_FOUND)
          .map(f -> f.ref().field() + ": " + f.ref().kind() + " " + f.ref().name()
              + " does not exist in namespace " + namespace)
          .toList();
      if (!missing.isEmpty()) {
        parts.add(String.join("; ", missing));
      }
      Map<String, List<String>> missingKeys = new LinkedHashMap<>();
      findings.stream()
          .filter(f -> f.problem() == Problem.MISSING_KEY)
          .forEach(f -> missingKeys
              .computeIfAbsent(
                  f.ref().field() + ": " + f.ref().kind() + " " + f.ref().name(),
                  k -> new ArrayList<>())
              .add(f.ref().key()));
      List<String> keys = missingKeys.entrySet().stream()
          .map(e -> e.getKey() + " has no key" + (e.getValue().size() == 1 ? " " : "s ")
              + String.join(", ", e.getValue()))
          .toList();
      if (!keys.isEmpty()) {
        parts.add(String.join("; ", keys));
      }
      List<Finding> unmarked =
          findings.stream().filter(f -> f.problem() == Problem.NOT_CONSENTED).toList();
      if (!unmarked.isEmpty()) {
        parts.add(unmarked.stream()
                .map(f -> f.ref().kind() + " " + f.ref().name() + " (" + f.ref().field() + ")")
                .distinct()
                .collect(Collectors.joining(", "))
            + (unmarked.size() == 1 ? " is" : " are") + " not marked for use by LoomioDeployment "
            + stack
            + "; whoever owns " + (unmarked.size() == 1 ? "it" : "them") + " consents with: "
            + consentCommand(unmarked));
      }
      return Optional.of(String.join(". ", parts));
    }

    /** Whether something the spec names may not be used (no consent, or an operator-generated Secret). */
    public boolean refusesUse() {
      return has(Problem.NOT_CONSENTED) || has(Problem.GENERATED);
    }

    private boolean has(Problem p) {
      return findings.stream().anyMatch(f -> f.problem() == p);
    }

    /** One command (a command per kind, joined with &&) that adds this stack to every unmarked object's mark. */
    private String consentCommand(List<Finding> unmarked) {
      // objects that already name other stacks keep them: group by the value each one gets
      Map<String, Map<String, Set<String>>> byKindAndValue = new TreeMap<>();
      Map<String, String> current = new LinkedHashMap<>();
      for (Finding f : unmarked) {
        current.putIfAbsent(f.ref().kind().kubectl + "/" + f.ref().name(), markOf(f));
      }
      current.forEach((object, existing) -> {
        String kind = object.substring(0, object.indexOf('/'));
        String value =
            existing == null || existing.isBlank() ? stack : existing.strip() + "," + stack;
        byKindAndValue
            .computeIfAbsent(kind, k -> new TreeMap<>())
            .computeIfAbsent(value, v -> new TreeSet<>())
            .add(object.substring(object.indexOf('/') + 1));
      });
      List<String> commands = new ArrayList<>();
      byKindAndValue.forEach(
          (kind, values) -> values.forEach((value, names) -> commands.add("kubectl -n " + namespace
              + " annotate " + (value.equals(stack) ? "" : "--overwrite ") + kind + " "
              + String.join(" ", names) + " "
              + CONSENT + "=" + value)));
      return String.join(" && ", commands);
    }

    private static String markOf(Finding f) {
      return f.mark();
    }
  }

  private ReferencedSecrets() {}

  public static List<Ref> refs(ResolvedSpec spec) {
    List<Ref> refs = new ArrayList<>();
    if (spec.existingSecret() != null) {
      for (String key : Credentials.requiredKeys(spec)) {
        refs.add(new Ref("spec.secrets.existingSecret", spec.existingSecret(), key));
      }
    }
    ResolvedSpec.Database db = spec.database();
    spec.cloudNativePG().map(ResolvedSpec.CloudNativePG::backup).ifPresent(b -> {
      // read by CloudNativePG, on the stack's behalf: the same consent as any Secret a field names
      String name = b.getS3().getCredentialsSecretRef().getName();
      refs.add(new Ref(
          "spec.database.cloudNativePG.backup.s3.credentialsSecretRef",
          name,
          S3StorageSpec.ACCESS_KEY_ID));
      refs.add(new Ref(
          "spec.database.cloudNativePG.backup.s3.credentialsSecretRef",
          name,
          S3StorageSpec.SECRET_ACCESS_KEY));
      if (b.getCaSecretRef() != null) {
        refs.add(new Ref(
            "spec.database.cloudNativePG.backup.caSecretRef",
            b.getCaSecretRef().getName(),
            b.getCaSecretRef().getKey()));
      }
    });
    if (db.external()) {
      refs.add(new Ref(
          "spec.database.external.passwordSecretRef",
          db.password().getName(),
          db.password().getKey()));
      if (db.ca() != null) {
        refs.add(new Ref(
            "spec.database.external.caSecretRef", db.ca().getName(), db.ca().getKey()));
      }
    }
    if (spec.redis().url() != null
        && !spec.redis().embedded()
        && spec.redis().mode() == RedisSpec.Mode.EXTERNAL) {
      refs.add(new Ref(
          "spec.redis.external.urlSecretRef",
          spec.redis().url().getName(),
          spec.redis().url().getKey()));
    }
    spec.smtp()
        .filter(s -> s.password() != null)
        .ifPresent(s -> refs.add(new Ref(
            "spec.smtp.passwordSecretRef", s.password().getName(), s.password().getKey())));
    S3StorageSpec s3 = spec.storage().s3();
    if (s3 != null) {
      String name = s3.getCredentialsSecretRef().getName();
      refs.add(new Ref("spec.storage.s3.credentialsSecretRef", name, S3StorageSpec.ACCESS_KEY_ID));
      refs.add(
          new Ref("spec.storage.s3.credentialsSecretRef", name, S3StorageSpec.SECRET_ACCESS_KEY));
      if (s3.getCaSecretRef() != null) {
        refs.add(new Ref(
            "spec.storage.s3.caSecretRef",
            s3.getCaSecretRef().getName(),
            s3.getCaSecretRef().getKey()));
      }
    }
    backupRefs(spec, refs);
    List<SecretEnvVarSpec> secretEnv = spec.secretEnv();
    for (int i = 0; i < secretEnv.size(); i++) {
      var ref = secretEnv.get(i).getSecretKeyRef();
      refs.add(new Ref("spec.secretEnv[" + i + "].secretKeyRef", ref.getName(), ref.getKey()));
    }
    List<LocalObjectReference> pull = spec.imagePullSecrets();
    for (int i = 0; i < pull.size(); i++) {
      refs.add(
          new Ref("spec.imagePullSecrets[" + i + "]", Kind.Secret, pull.get(i).getName(), null));
    }
    spec.tlsSecret().ifPresent(t -> {
      if (!spec.tlsSecretIsOwn()) {
        refs.add(new Ref(t.field(), Kind.Secret, t.secretName(), null));
      } else if (!spec.tlsIssued()) {
        // <name>-tls without an issuer: nothing of the stack writes it, so it is someone's and
        // needs their consent
        refs.add(new Ref(
            t.field() + ", by default", Kind.Secret, t.secretName(), null, Use.DEFAULT_TLS));
      }
      // with an issuer, cert-manager writes <name>-tls for the stack's Certificate: NameConflicts
      // checks that
    });
    return refs;
  }

  /** What the backup and restore pods read: the bucket's credentials, the passphrase and the recipients. */
  public static List<Ref> backupRefs(ResolvedSpec spec) {
    List<Ref> refs = new ArrayList<>();
    backupRefs(spec, refs);
    return refs;
  }

  private static void backupRefs(ResolvedSpec spec, List<Ref> refs) {
    ResolvedSpec.Backup backup = spec.backup();
    if (backup.s3() != null) {
      String name = backup.s3().getCredentialsSecretRef().getName();
      refs.add(new Ref("spec.backup.s3.credentialsSecretRef", name, S3StorageSpec.ACCESS_KEY_ID));
      refs.add(
          new Ref("spec.backup.s3.credentialsSecretRef", name, S3StorageSpec.SECRET_ACCESS_KEY));
      SecretKeyRef ca = backup.s3().getCaSecretRef();
      if (ca != null) {
        refs.add(new Ref("spec.backup.s3.caSecretRef", ca.getName(), ca.getKey()));
      }
    }
    if (backup.passphrase() != null) {
      refs.add(new Ref(
          "spec.backup.encryption.passphraseSecretRef",
          backup.passphrase().getName(),
          backup.passphrase().getKey()));
    }
    if (backup.recipientsSecret() != null) {
      refs.add(new Ref(
          "spec.backup.encryption.recipientsSecretRef",
          backup.recipientsSecret().getName(),
          backup.recipientsSecret().getKey()));
    }
    if (backup.recipientsConfigMap() != null) {
      refs.add(new Ref(
          "spec.backup.encryption.recipientsConfigMapRef",
          Kind.ConfigMap,
          backup.recipientsConfigMap().getName(),
          backup.recipientsConfigMap().getKey()));
    }
  }

  /** A LoomioRestore's own key reference. */
  public static Ref restoreKey(SecretKeyRef key) {
    return new Ref(
        "spec.privateKeySecretRef", Kind.Secret, key.getName(), key.getKey(), Use.RESTORE_KEY);
  }

  /** A reference the operator built itself (a restore's default key: the stack's own backup key). */
  public static Ref operatorRef(String what, SecretKeyRef key) {
    return new Ref(what, Kind.Secret, key.getName(), key.getKey(), Use.OPERATOR);
  }

  /**
   * Reads every referenced object once and checks consent, then every referenced key of the consented ones.
   *
   * @param stack the LoomioDeployment that would use them
   * @param own whether an object is the stack's own (made by the operator for it: no mark needed)
   * @param requireConsent false only where the operator is configured for a single tenant
   */
  public static Lookup lookup(
      KubernetesClient client,
      String namespace,
      String stack,
      List<Ref> refs,
      Predicate<HasMetadata> own,
      boolean requireConsent) {
    Map<String, HasMetadata> objects = new LinkedHashMap<>();
    Set<String> absent = new LinkedHashSet<>();
    Map<String, Secret> secrets = new LinkedHashMap<>();
    List<Finding> findings = new ArrayList<>();
    for (Ref ref : refs) {
      String id = ref.kind() + "/" + ref.name();
      if (!objects.containsKey(id) && !absent.contains(id)) {
        HasMetadata o = ref.kind() == Kind.Secret
            ? client.secrets().inNamespace(namespace).withName(ref.name()).get()
            : client.configMaps().inNamespace(namespace).withName(ref.name()).get();
        if (o == null) {
          absent.add(id);
        } else {
          objects.put(id, o);
        }
      }
      if (absent.contains(id)) {
        if (ref.use() != Use.DEFAULT_TLS) {
          findings.add(new Finding(ref, Problem.NOT_FOUND));
        }
        continue;
      }
      HasMetadata o = objects.get(id);
      Optional<String> generatedFor = generatedFor(o);
      if (generatedFor.isPresent() && !mayName(ref.use(), o)) {
        // an operator-generated Secret (of any stack) in a field: refused whatever consent it
        // carries
        findings.add(new Finding(ref, Problem.GENERATED, generatedFor.get()));
        continue;
      }
      boolean exempt = (ref.use() == Use.OPERATOR || ref.use() == Use.RESTORE_KEY) && own.test(o);
      if (requireConsent && !consented(o, stack) && !exempt) {
        findings.add(new Finding(ref, Problem.NOT_CONSENTED, mark(o)));
        continue;
      }
      if (o instanceof Secret s) {
        secrets.put(ref.name(), s);
      }
      if (ref.key() != null && !hasKey(o, ref.key())) {
        findings.add(new Finding(ref, Problem.MISSING_KEY));
      }
    }
    // a key of an unconsented object is never looked at, so no message says whether it exists
    return new Lookup(secrets, dedupe(findings), namespace, stack);
  }

  /** Whether the object's consent mark names the stack or every stack. */
  public static boolean consented(HasMetadata object, String stack) {
    String mark = mark(object);
    return mark != null
        && Arrays.stream(mark.split(","))
            .map(String::strip)
            .anyMatch(s -> s.equals("*") || s.equals(stack));
  }

  /**
   * The stack an operator-generated Secret was made for, if the object is one: it carries the operator's labels
   * and the name of one of that stack's generated Secrets ({@link GeneratedSecretNames}).
   */
  static Optional<String> generatedFor(HasMetadata o) {
    if (!(o instanceof Secret)) {
      return Optional.empty();
    }
    Map<String, String> labels = o.getMetadata().getLabels();
    String instance = labels == null ? null : labels.get(Labels.INSTANCE);
    boolean operators = labels != null && Labels.OPERATOR.equals(labels.get(Labels.MANAGED_BY));
    return operators
            && GeneratedSecretNames.isGenerated(instance, o.getMetadata().getName())
        ? Optional.of(instance)
        : Optional.empty();
  }

  /** Whether a reference of this kind may name this operator-generated Secret. */
  private static boolean mayName(Use use, HasMetadata generated) {
    String instance = generated.getMetadata().getLabels().get(Labels.INSTANCE);
    return switch (use) {
      case OPERATOR -> true;
      case RESTORE_KEY ->
        GeneratedSecretNames.isBackupKey(instance, generated.getMetadata().getName());
      case FIELD, DEFAULT_TLS -> false;
    };
  }

  /** A stack's own retained object: made by the operator for this LoomioDeployment (its UID recorded). */
  public static Predicate<HasMetadata> ownedBy(String stack, String uid) {
    return o -> Ownership.ours(Ownership.retained(o, stack, uid, other -> true));
  }

  private static String mark(HasMetadata object) {
    return object.getMetadata().getAnnotations() == null
        ? null
        : object.getMetadata().getAnnotations().get(CONSENT);
  }

  private static boolean hasKey(HasMetadata o, String key) {
    if (o instanceof Secret s) {
      return (s.getData() != null && s.getData().containsKey(key))
          || (s.getStringData() != null && s.getStringData().containsKey(key));
    }
    ConfigMap c = (ConfigMap) o;
    return (c.getData() != null && c.getData().containsKey(key))
        || (c.getBinaryData() != null && c.getBinaryData().containsKey(key));
  }

  /** Two keys of one object from one field (S3 credentials) need to be named once when the object is unmarked. */
  private static List<Finding> dedupe(List<Finding> findings) {
    List<Finding> out = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (Finding f : findings) {
      String id = f.problem() + "|" + f.ref().field() + "|" + f.ref().kind() + "|"
          + f.ref().name() + (f.problem() == Problem.MISSING_KEY ? "|" + f.ref().key() : "");
      if (seen.add(id)) {
        out.add(f);
      }
    }
    return out;
  }
}
