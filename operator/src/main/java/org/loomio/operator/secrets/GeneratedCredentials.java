package org.loomio.operator.secrets;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.loomio.operator.api.v1alpha1.RotationSpec;
import org.loomio.operator.model.Credentials;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.base.Ownership;
import org.loomio.operator.render.workload.GeneratedSecret;

/**
 * Keeps the generated credentials Secret complete without ever changing a value in it.
 *
 * <p>Read before write: a value is generated only for a key the Secret does not hold. The Secret is
 * created with a plain create (which fails rather than overwrites if it appeared meanwhile), and missing
 * keys are added with an update that carries the resourceVersion read (which fails rather than
 * overwrites if anyone changed it meanwhile). Either failure just retries the reconcile with fresh data.
 * Server-side apply is deliberately not used here: a forced apply from a stale cache could replace a value.
 */
public final class GeneratedCredentials {

  /** What ensuring the Secret did: the credentials to render with, and the keys it had to generate. */
  public record Outcome(
      Credentials credentials, List<String> generatedKeys, boolean created, Secret secret) {}

  private final CredentialGenerator generator;
  private final Clock clock;

  public GeneratedCredentials(CredentialGenerator generator) {
    this(generator, Clock.systemUTC());
  }

  public GeneratedCredentials(CredentialGenerator generator, Clock clock) {
    this.generator = generator;
    this.clock = clock;
  }

  public CredentialGenerator generator() {
    return generator;
  }

  /**
   * Makes sure {@code <name>-secrets} holds every key the stack needs, and that it is the stack's own: a
   * Secret of that name that the operator did not make for this stack is never written
   * ({@link Ownership.ConflictException}); one retained from an earlier resource of this name is re-stamped.
   *
   * @param current the Secret as last seen (from the informer cache), or null if none was seen
   * @param live whether a UID belongs to a LoomioDeployment that exists now
   */
  public Outcome ensure(
      KubernetesClient client,
      ResolvedSpec spec,
      List<String> requiredKeys,
      Secret current,
      Predicate<String> live) {
    String name = spec.generatedSecretName();
    if (current == null) {
      current = client.secrets().inNamespace(spec.namespace()).withName(name).get();
    }
    Ownership.Verdict verdict =
        Ownership.require(Ownership.retained(current, spec.name(), spec.uid(), live));
    Map<String, String> values = current == null ? new LinkedHashMap<>() : decode(current);
    List<String> missing = new ArrayList<>();
    for (String key : requiredKeys) {
      if (!values.containsKey(key)) {
        missing.add(key);
      }
    }
    boolean restamp = verdict.state() == Ownership.State.ADOPT && spec.uid() != null;
    if (missing.isEmpty() && !restamp) {
      return new Outcome(new Credentials(name, true, values), List.of(), false, current);
    }
    Map<String, String> added = generate(missing);
    Map<String, String> complete = new LinkedHashMap<>(values);
    complete.putAll(added);
    Secret desired = GeneratedSecret.render(spec, complete);
    // when each new value was made: status.secrets.valueSince and spec.secrets.maxAgeDays read it
    String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    Map<String, String> stamps = new LinkedHashMap<>();
    if (desired.getMetadata().getAnnotations() != null) {
      stamps.putAll(desired.getMetadata().getAnnotations()); // the owner's UID
    }
    added.keySet().forEach(k -> stamps.put(CredentialRotation.VALUE_SINCE + k, now));
    if (current == null) {
      // values generated under a rotation request are new already: that token counts as done
      spec.rotation()
          .map(RotationSpec::getToken)
          .ifPresent(token -> stamps.put(CredentialRotation.LAST_TOKEN_ANNOTATION, token));
      desired.getMetadata().setAnnotations(stamps);
      try {
        Secret created =
            client.secrets().inNamespace(spec.namespace()).resource(desired).create();
        return new Outcome(
            new Credentials(name, true, complete), List.copyOf(added.keySet()), true, created);
      } catch (KubernetesClientException e) {
        if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
          throw new ConcurrentChangeException(
              "Secret " + name + " appeared while creating it; retrying with it", e);
        }
        throw e;
      }
    }
    Secret updated = new SecretBuilder(current).withData(desired.getData()).build();
    // keep whatever labels/annotations the Secret has, but make sure ours are present
    desired
        .getMetadata()
        .getLabels()
        .forEach((k, v) -> updated.getMetadata().getLabels().putIfAbsent(k, v));
    Map<String, String> annotations = new LinkedHashMap<>(
        updated.getMetadata().getAnnotations() == null
            ? Map.of()
            : updated.getMetadata().getAnnotations());
    annotations.putAll(stamps);
    updated.getMetadata().setAnnotations(annotations);
    try {
      // the resourceVersion read travels with the update: a Secret changed or replaced meanwhile is
      // not written
      Secret written =
          client.secrets().inNamespace(spec.namespace()).resource(updated).update();
      return new Outcome(
          new Credentials(name, true, complete), List.copyOf(added.keySet()), false, written);
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        throw new ConcurrentChangeException(
            "Secret " + name + " changed while adding keys; retrying", e);
      }
      throw e;
    }
  }

  private Map<String, String> generate(List<String> missing) {
    Map<String, String> added = new LinkedHashMap<>();
    for (String key : missing) {
      if (!key.startsWith("VAPID_")) {
        added.put(key, generator.valueFor(key));
      }
    }
    boolean publicMissing = missing.contains(Credentials.VAPID_PUBLIC_KEY);
    boolean privateMissing = missing.contains(Credentials.VAPID_PRIVATE_KEY);
    if (publicMissing && privateMissing) {
      added.putAll(generator.vapidKeyPair());
    } else if (publicMissing || privateMissing) {
      // Half a pair cannot be completed (a private key does not follow from a public one, and a new
      // pair
      // would overwrite the half that exists): someone edited the Secret. Refuse and say how to
      // recover.
      String lacking = publicMissing ? Credentials.VAPID_PUBLIC_KEY : Credentials.VAPID_PRIVATE_KEY;
      String present = publicMissing ? Credentials.VAPID_PRIVATE_KEY : Credentials.VAPID_PUBLIC_KEY;
      throw new IncompleteCredentialsException(
          lacking + " is missing while " + present + " is present: restore it"
              + " (from a backup of the Secret), or remove " + present
              + " too so that a new pair is generated"
              + " (existing browser push subscriptions then stop working)");
    }
    return added;
  }

  static Map<String, String> decode(Secret secret) {
    Map<String, String> values = new LinkedHashMap<>();
    if (secret.getData() != null) {
      secret
          .getData()
          .forEach((k, v) ->
              values.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    }
    if (secret.getStringData() != null) {
      values.putAll(secret.getStringData());
    }
    return values;
  }

  /** The Secret holds half of a key pair; nothing is written until a person decides. */
  public static final class IncompleteCredentialsException extends RuntimeException {
    public IncompleteCredentialsException(String message) {
      super(message);
    }
  }

  /** The Secret changed between read and write; the reconcile retries with fresh data. */
  public static final class ConcurrentChangeException extends RuntimeException {
    public ConcurrentChangeException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
