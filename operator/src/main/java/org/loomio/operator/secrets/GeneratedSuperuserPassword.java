package org.loomio.operator.secrets;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import org.loomio.operator.client.Preconditioned;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Names;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.base.ObjectMetas;
import org.loomio.operator.render.base.Ownership;
import org.loomio.operator.render.workload.RoleSetupJob;

/**
 * The embedded PostgreSQL's maintenance superuser password, generated once per stack with an embedded database.
 * Secret {@code <name>-postgres-superuser} holds the password ({@value RoleSetupJob#SUPERUSER_PASSWORD}: the
 * bootstrap password of a new data directory, and what the role setup and rotation Jobs sign in with) and its
 * SCRAM-SHA-256 verifier ({@value RoleSetupJob#SUPERUSER_VERIFIER}: what the role setup sets, so the password never
 * travels to the server). It is never required in {@code spec.secrets.existingSecret} and no field may name it
 * ({@link org.loomio.operator.api.v1alpha1.GeneratedSecretNames}). Created with a plain create, never overwritten,
 * no owner reference, kept when the LoomioDeployment goes for as long as the database's claim is (a deleted stack's
 * retained database is unmanageable without it): deleted with deletionPolicy Delete only together with the claim.
 * Not rotatable: docs/operations.md.
 */
public final class GeneratedSuperuserPassword {

  /** The values to render with, and whether they were generated now. */
  public record Outcome(Map<String, String> values, boolean created) {}

  private GeneratedSuperuserPassword() {}

  private static Map<String, String> encoded(Map<String, String> values) {
    Map<String, String> data = new LinkedHashMap<>();
    values.forEach((k, v) ->
        data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    return data;
  }

  /**
   * @param current the Secret as last seen (informer cache), or null
   * @param live whether a UID belongs to a LoomioDeployment that exists now
   * @throws Ownership.ConflictException when a Secret of that name is not the stack's
   * @throws GeneratedCredentials.IncompleteCredentialsException when it lacks a key
   */
  public static Outcome ensure(
      KubernetesClient client,
      ResolvedSpec spec,
      Secret current,
      Predicate<String> live,
      CredentialGenerator generator,
      SecureRandom random) {
    String name = Names.postgresSuperuser(spec.name());
    if (current == null) {
      current = client.secrets().inNamespace(spec.namespace()).withName(name).get();
    }
    Ownership.Verdict verdict =
        Ownership.require(Ownership.retained(current, spec.name(), spec.uid(), live));
    if (current != null) {
      if (verdict.state() == Ownership.State.ADOPT) {
        Map<String, String> marks = current.getMetadata().getAnnotations();
        if (marks == null || marks.get(Ownership.OWNER_UID) == null) {
          // every one was made with its stack's UID recorded: one without it was made by someone
          // else, who would
          // then know the database's superuser password (and choose it for a new data directory)
          throw new Ownership.ConflictException(
              "Secret " + name + " carries the operator's labels but no "
                  + Ownership.OWNER_UID
                  + ": the operator made every superuser password Secret with it, so someone else"
                  + " made this one");
        }
        if (spec.uid() != null) {
          current = Preconditioned.annotate(client, current, Ownership.OWNER_UID, spec.uid());
        }
      }
      Map<String, String> values = GeneratedCredentials.decode(current);
      if (values.get(RoleSetupJob.SUPERUSER_PASSWORD) == null
          || values.get(RoleSetupJob.SUPERUSER_VERIFIER) == null) {
        throw new GeneratedCredentials.IncompleteCredentialsException("Secret " + name + " lacks "
            + RoleSetupJob.SUPERUSER_PASSWORD + " or " + RoleSetupJob.SUPERUSER_VERIFIER
            + ": restore it from your"
            + " copy (the database's superuser has that password), or delete it so that a new one is generated and"
            + " set the superuser's password by hand (docs/operations.md)");
      }
      return new Outcome(values, false);
    }
    String password = generator.hex32();
    Map<String, String> values = new LinkedHashMap<>();
    values.put(RoleSetupJob.SUPERUSER_PASSWORD, password);
    values.put(RoleSetupJob.SUPERUSER_VERIFIER, ScramVerifier.of(password, random));
    Secret secret = new SecretBuilder()
        .withMetadata(ObjectMetas.retained(
            spec.namespace(), spec.name(), spec.uid(), name, Component.SECRETS))
        .withType("Opaque")
        .withData(encoded(values))
        .build();
    try {
      client.secrets().inNamespace(spec.namespace()).resource(secret).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
        throw new GeneratedCredentials.ConcurrentChangeException(
            "Secret " + name + " appeared while creating it;" + " retrying with it", e);
      }
      throw e;
    }
    return new Outcome(values, true);
  }
}
