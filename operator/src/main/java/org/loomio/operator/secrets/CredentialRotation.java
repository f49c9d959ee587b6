package org.loomio.operator.secrets;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;
import org.loomio.operator.api.v1alpha1.RotationSpec;
import org.loomio.operator.client.Preconditioned;
import org.loomio.operator.model.Credentials;
import org.loomio.operator.model.JobState;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.base.Ownership;
import org.loomio.operator.render.base.Rotation;
import org.loomio.operator.render.workload.GeneratedSecret;
import org.loomio.operator.render.workload.RotationJob;

/**
 * Carries out spec.secrets.rotate, one step per reconcile, so that no step can lose a credential:
 *
 * <ol>
 *   <li>the new values are generated once and kept in a pending Secret ({@code <name>-secrets-rotation});
 *   <li>with the embedded database's password among them, the {@link RotationJob} changes it in PostgreSQL
 *       (signing in with the current one) and the operator waits for it to succeed;
 *   <li>then the credentials Secret gets the new values (an update with the resourceVersion read), each key
 *       stamped with when it changed, and the pods that read them roll (their secret-hash annotations);
 *   <li>the pending Secret is deleted.
 * </ol>
 * A crash at any point resumes from the pending Secret (which carries its token and keys): the database
 * never holds a password that no Secret has. A rotation runs once per token.
 */
public final class CredentialRotation {

  /** Annotation prefix on the credentials Secret: when each key's current value was set. */
  public static final String VALUE_SINCE = "value-since.loomio.org/";

  static final String TOKEN_ANNOTATION = "loomio.org/rotation-token";
  /**
   * On the credentials Secret: the token of the last completed rotation (or of the request the Secret was
   * generated under). Kept with the values it describes, so a lost or unwritten status never repeats a
   * rotation.
   */
  public static final String LAST_TOKEN_ANNOTATION = "loomio.org/last-rotation-token";

  static final String KEYS_ANNOTATION = "loomio.org/rotation-keys";

  /**
   * What this step did.
   *
   * @param credentials the credentials to render with (the new ones once the Secret is updated)
   * @param job the password Job to render, while it is needed
   * @param progress what is under way (status.secrets.rotation), null when nothing is
   * @param completedToken the token whose rotation completed in this step
   * @param rotatedKeys the keys that got new values in this step
   * @param failure why the rotation stopped (Degraded), if it did
   * @param secret the credentials Secret as it is after this step (for the status)
   */
  public record Outcome(
      Credentials credentials,
      Optional<Rotation> job,
      String progress,
      String completedToken,
      List<String> rotatedKeys,
      Optional<String> failure,
      Secret secret) {

    static Outcome idle(Credentials credentials, Secret secret) {
      return new Outcome(
          credentials, Optional.empty(), null, null, List.of(), Optional.empty(), secret);
    }
  }

  private final CredentialGenerator generator;
  private final SecureRandom random;

  public CredentialRotation(CredentialGenerator generator, SecureRandom random) {
    this.generator = generator;
    this.random = random;
  }

  /**
   * One step.
   *
   * @param current the credentials Secret as just ensured (its values are {@code credentials})
   * @param pending the pending Secret from the cache, or null
   * @param jobs the stack's Jobs by name (the password Job's state)
   * @param jobFailure a failed Job's message by Job name, if any (from its pod, secrets masked)
   * @param live whether a UID belongs to a LoomioDeployment that exists now
   * @throws Ownership.ConflictException when a Secret of the pending Secret's name is not the stack's
   */
  public Outcome step(
      KubernetesClient client,
      ResolvedSpec spec,
      Credentials credentials,
      Secret current,
      Secret pending,
      Map<String, Job> jobs,
      Function<String, Optional<String>> jobFailure,
      Instant now,
      Predicate<String> live) {
    Optional<RotationSpec> request = spec.rotation();
    if (pending != null) {
      Ownership.require(Ownership.retained(pending, spec.name(), spec.uid(), live));
    }
    if (pending == null) {
      Optional<Outcome> idle = idle(client, spec, credentials, current, request);
      if (idle.isPresent()) {
        return idle.get();
      }
      pending = createPending(client, spec, request.get(), credentials, live);
    }
    String token = pending.getMetadata().getAnnotations().get(TOKEN_ANNOTATION);
    List<String> keys =
        List.of(pending.getMetadata().getAnnotations().get(KEYS_ANNOTATION).split(","));
    Map<String, String> next = GeneratedCredentials.decode(pending);
    if (keys.contains(Credentials.POSTGRES_PASSWORD) && spec.database().embedded()) {
      Optional<Outcome> waiting =
          passwordJob(spec, credentials, current, pending, token, keys, jobs, jobFailure);
      if (waiting.isPresent()) {
        return waiting.get();
      }
    }
    // the database has the new password (or none changes): the Secret follows, then the pods
    return complete(client, spec, credentials, current, pending, token, keys, next, now);
  }

  /**
   * Without a pending Secret: idle when no rotation is asked for or the asked one is done (by the server's word, not
   * the cache's); empty when one is to start.
   */
  private static Optional<Outcome> idle(
      KubernetesClient client,
      ResolvedSpec spec,
      Credentials credentials,
      Secret current,
      Optional<RotationSpec> request) {
    String lastToken = lastToken(current);
    if (request.isEmpty()
        || request.get().getToken() == null
        || request.get().getToken().equals(lastToken)) {
      return Optional.of(Outcome.idle(credentials, current));
    }
    // about to start: ask the server, not the cache, whether this token is done (a cache a moment
    // behind
    // the last rotation's write must not start it again); if it is, render with what the server
    // holds
    Secret fresh = client
        .secrets()
        .inNamespace(spec.namespace())
        .withName(spec.generatedSecretName())
        .get();
    if (request.get().getToken().equals(lastToken(fresh))) {
      return Optional.of(Outcome.idle(
          new Credentials(credentials.secretName(), true, GeneratedCredentials.decode(fresh)),
          fresh));
    }
    return Optional.empty();
  }

  /**
   * The embedded database's password Job: the outcome while it has not succeeded (failed: stopped, with the
   * reason; else waiting for it), or empty once it has.
   */
  private static Optional<Outcome> passwordJob(
      ResolvedSpec spec,
      Credentials credentials,
      Secret current,
      Secret pending,
      String token,
      List<String> keys,
      Map<String, Job> jobs,
      Function<String, Optional<String>> jobFailure) {
    Rotation rotation = new Rotation(token, pending.getMetadata().getUid());
    Job job = jobs.get(rotation.jobName(spec.name()));
    JobState state = JobState.of(job);
    if (state == JobState.FAILED) {
      return Optional.of(new Outcome(
          credentials,
          Optional.of(rotation),
          "rotation " + token + " stopped: the password Job failed",
          null,
          List.of(),
          Optional.of("rotation " + token + ": Job " + rotation.jobName(spec.name())
              + " could not change the database password ("
              + jobFailure.apply(rotation.jobName(spec.name())).orElse("see its log")
              + "). The credentials Secret was not changed. Fix the cause and delete the Job"
              + " to try again (safe: it checks which password works); to give up, remove spec.secrets.rotate and"
              + " then delete Secret " + RotationJob.pendingSecret(spec.name())
              + " (docs/operations.md)"),
          current));
    }
    if (state != JobState.SUCCEEDED) {
      return Optional.of(new Outcome(
          credentials,
          Optional.of(rotation),
          "rotation " + token + ": changing the database" + " password (Job "
              + rotation.jobName(spec.name()) + "), then " + String.join(", ", keys),
          null,
          List.of(),
          Optional.empty(),
          current));
    }
    return Optional.empty();
  }

  /** Writes the new values into the credentials Secret, then deletes the pending Secret. */
  private static Outcome complete(
      KubernetesClient client,
      ResolvedSpec spec,
      Credentials credentials,
      Secret current,
      Secret pending,
      String token,
      List<String> keys,
      Map<String, String> next,
      Instant now) {
    Map<String, String> values = new LinkedHashMap<>(credentials.values());
    keys.forEach(k -> values.put(k, next.get(k)));
    Secret written = write(client, spec, withNewValues(current, token, keys, next, now));
    Preconditioned.delete(client, pending);
    return new Outcome(
        new Credentials(credentials.secretName(), true, values),
        Optional.empty(),
        null,
        token,
        keys,
        Optional.empty(),
        written);
  }

  /** A copy of the credentials Secret with the rotated keys' new values, their value-since and the token. */
  private static Secret withNewValues(
      Secret current, String token, List<String> keys, Map<String, String> next, Instant now) {
    Secret updated = new SecretBuilder(current).build();
    Map<String, String> data =
        new LinkedHashMap<>(updated.getData() == null ? Map.of() : updated.getData());
    Map<String, String> annotations = new LinkedHashMap<>(
        updated.getMetadata().getAnnotations() == null
            ? Map.of()
            : updated.getMetadata().getAnnotations());
    String since = now.truncatedTo(ChronoUnit.SECONDS).toString();
    for (String k : keys) {
      data.put(k, Base64.getEncoder().encodeToString(next.get(k).getBytes(StandardCharsets.UTF_8)));
      annotations.put(VALUE_SINCE + k, since);
    }
    annotations.put(LAST_TOKEN_ANNOTATION, token);
    updated.setData(data);
    updated.getMetadata().setAnnotations(annotations);
    return updated;
  }

  /** Updates the credentials Secret (optimistic: a conflict is a concurrent change, retried). */
  private static Secret write(KubernetesClient client, ResolvedSpec spec, Secret updated) {
    try {
      return client.secrets().inNamespace(spec.namespace()).resource(updated).update();
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        throw new GeneratedCredentials.ConcurrentChangeException(
            "Secret " + spec.generatedSecretName() + " changed while rotating; retrying", e);
      }
      throw e;
    }
  }

  /** The token of the last completed rotation, from the credentials Secret. */
  public static String lastToken(Secret current) {
    return current == null || current.getMetadata().getAnnotations() == null
        ? null
        : current.getMetadata().getAnnotations().get(LAST_TOKEN_ANNOTATION);
  }

  /** The keys a request names, expanded ({@code all}) to those this stack generates, in a stable order. */
  public static List<String> keys(RotationSpec request, ResolvedSpec spec) {
    List<String> stack = Credentials.requiredKeys(spec);
    Set<String> wanted = new LinkedHashSet<>();
    for (RotationSpec.Key k : request.getKeys()) {
      if (k == RotationSpec.Key.all) {
        stack.stream().filter(s -> !s.startsWith("VAPID_")).forEach(wanted::add);
      } else if (k.name().startsWith("VAPID_")) {
        // a pair: both or neither
        wanted.add(Credentials.VAPID_PUBLIC_KEY);
        wanted.add(Credentials.VAPID_PRIVATE_KEY);
      } else {
        wanted.add(k.name());
      }
    }
    List<String> ordered = new ArrayList<>();
    stack.stream().filter(wanted::contains).forEach(ordered::add);
    return ordered;
  }

  private Secret createPending(
      KubernetesClient client,
      ResolvedSpec spec,
      RotationSpec request,
      Credentials credentials,
      Predicate<String> live) {
    List<String> keys = keys(request, spec);
    Map<String, String> values = new LinkedHashMap<>();
    for (String k : keys) {
      if (!k.startsWith("VAPID_")) {
        values.put(k, generator.valueFor(k));
      }
    }
    if (keys.contains(Credentials.VAPID_PUBLIC_KEY)) {
      values.putAll(generator.vapidKeyPair());
    }
    if (values.containsKey(Credentials.POSTGRES_PASSWORD)) {
      values.put(
          RotationJob.VERIFIER_KEY,
          ScramVerifier.of(values.get(Credentials.POSTGRES_PASSWORD), random));
    }
    Secret secret = GeneratedSecret.render(spec, RotationJob.pendingSecret(spec.name()), values);
    Map<String, String> annotations = new LinkedHashMap<>(
        secret.getMetadata().getAnnotations() == null
            ? Map.of()
            : secret.getMetadata().getAnnotations());
    annotations.put(TOKEN_ANNOTATION, request.getToken());
    annotations.put(KEYS_ANNOTATION, String.join(",", keys));
    secret.getMetadata().setAnnotations(annotations);
    try {
      return client.secrets().inNamespace(spec.namespace()).resource(secret).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        // not in the cache because it is not ours (no labels), or the cache is behind: the server
        // says which
        Secret existing = client
            .secrets()
            .inNamespace(spec.namespace())
            .withName(secret.getMetadata().getName())
            .get();
        Ownership.require(Ownership.retained(existing, spec.name(), spec.uid(), live));
        throw new GeneratedCredentials.ConcurrentChangeException(
            "Secret " + RotationJob.pendingSecret(spec.name())
                + " appeared while starting a rotation; retrying with it",
            e);
      }
      throw e;
    }
  }

  /** When each credential's current value was set: its annotation, else when the Secret was created. */
  public static Map<String, String> valueSince(Secret current, List<String> keys) {
    Map<String, String> since = new TreeMap<>();
    if (current == null) {
      return since;
    }
    Map<String, String> annotations = current.getMetadata().getAnnotations() == null
        ? Map.of()
        : current.getMetadata().getAnnotations();
    for (String k : keys) {
      String at =
          annotations.getOrDefault(VALUE_SINCE + k, current.getMetadata().getCreationTimestamp());
      if (at != null) {
        since.put(k, at);
      }
    }
    return since;
  }
}
