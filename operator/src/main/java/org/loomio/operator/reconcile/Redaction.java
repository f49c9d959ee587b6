package org.loomio.operator.reconcile;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.loomio.operator.api.v1alpha1.GeneratedSecretNames;
import org.loomio.operator.model.Names;
import org.loomio.operator.model.ResolvedSpec;

/**
 * Takes known secret values out of text that goes into the status or an event (a Job's log tail, a backup or
 * restore pod's termination message, a Job's failure): a failing process may print its environment, a
 * connection string or a key, and status and events are readable by anyone who may read the resource.
 */
final class Redaction {

  static final String MASK = "[redacted]";
  /** Shorter values are not searched for (they would mask ordinary words). */
  private static final int MIN_LENGTH = 8;

  /** Lines of multi-line values shorter than this are not searched for (armor headers, blank lines). */
  private static final int LINE_MIN_LENGTH = 16;

  private Redaction() {}

  /**
   * A masking for what a stack's backup, restore and migration pods report (their termination messages, Job
   * failures): every value of the stack's generated Secrets (credentials, a pending rotation, the backup key) and
   * of the named Secrets (the stack's references, a restore's key), read now. Missing ones are skipped.
   */
  static UnaryOperator<String> forStack(
      KubernetesClient client, ResolvedSpec spec, Collection<String> secretNames) {
    Set<String> names = new LinkedHashSet<>(GeneratedSecretNames.of(spec.name()));
    names.addAll(secretNames);
    if (spec.database().cloudNativePG()) {
      // CloudNativePG's credentials of the stack's database (its pods read the password)
      names.add(Names.cnpgApp(spec.name()));
    }
    List<Secret> secrets = new ArrayList<>();
    for (String name : names) {
      Secret s = client.secrets().inNamespace(spec.namespace()).withName(name).get();
      if (s != null) {
        secrets.add(s);
      }
    }
    return masking(List.of(), secrets);
  }

  /** The Secret names among references (ConfigMaps hold nothing secret). */
  static List<String> secretNames(Collection<ReferencedSecrets.Ref> refs) {
    return refs.stream()
        .filter(r -> r.kind() == ReferencedSecrets.Kind.Secret)
        .map(ReferencedSecrets.Ref::name)
        .distinct()
        .toList();
  }

  /**
   * A masking of the given values and of every value in the given Secrets (the credentials, the Secrets the
   * spec references: SMTP, S3, secretEnv, an existingSecret).
   */
  static UnaryOperator<String> masking(Collection<String> values, Collection<Secret> secrets) {
    List<String> all = new ArrayList<>(values);
    for (var secret : secrets) {
      if (secret.getData() != null) {
        secret.getData().values().forEach(v -> {
          try {
            all.add(new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8));
          } catch (IllegalArgumentException e) {
            all.add(v);
          }
        });
      }
      if (secret.getStringData() != null) {
        all.addAll(secret.getStringData().values());
      }
    }
    // a multi-line value (an armored key, a PEM certificate) also line by line: a message may quote
    // one line
    for (String v : List.copyOf(all)) {
      if (v != null && v.contains("\n")) {
        v.lines().map(String::strip).filter(l -> l.length() >= LINE_MIN_LENGTH).forEach(all::add);
      }
    }
    // longest first, so a value containing another is masked whole
    all.sort(Comparator.comparingInt(String::length).reversed());
    return text -> text == null ? null : of(text, all);
  }

  static String of(String text, Collection<String> secrets) {
    String out = text;
    for (String secret : secrets) {
      if (secret != null && secret.length() >= MIN_LENGTH) {
        out = out.replace(secret, MASK);
      }
    }
    return out;
  }
}
