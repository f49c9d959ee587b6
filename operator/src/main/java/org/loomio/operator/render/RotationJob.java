package org.loomio.operator.render;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import org.loomio.operator.render.pod.Expansion;
import org.loomio.operator.render.pod.HardenedPod;

/**
 * The Job that changes the embedded database's password during a rotation ({@code <name>-rotate-<8 hex>}),
 * before the credentials Secret gets the new value. It signs in with the current password and sets the new
 * one as a SCRAM-SHA-256 verifier computed by the operator, so the new password itself never travels to the
 * server or into its logs. It is idempotent: when the current password no longer works but the new one
 * does, an earlier run already changed it and the Job succeeds without doing anything.
 */
public final class RotationJob {

  /** The Secret holding the pending new values while a rotation runs. */
  public static String pendingSecret(String instance) {
    return instance + "-secrets-rotation";
  }

  /** Key of the pending Secret with the new password's SCRAM verifier. */
  public static final String VERIFIER_KEY = "POSTGRES_PASSWORD_SCRAM";

  static final String SCRIPT = String.join("\n",
      "set -eu",
      "until pg_isready -q -t 5; do sleep 2; done",
      "if psql -w -X -q -c 'select 1' >/dev/null 2>&1; then",
      "  printf '%s\\n' \"ALTER ROLE \\\"$PGUSER\\\" PASSWORD :'verifier';\" \\",
      "    | psql -w -X -q -v ON_ERROR_STOP=1 -v verifier=\"$NEW_PASSWORD_SCRAM\"",
      "  echo 'password changed' > /dev/termination-log",
      "elif PGPASSWORD=\"$NEW_PASSWORD\" psql -w -X -q -c 'select 1' >/dev/null 2>&1; then",
      "  echo 'password already changed by an earlier run' > /dev/termination-log",
      "else",
      "  echo 'neither the current nor the new password signs in' > /dev/termination-log",
      "  exit 1",
      "fi");

  /**
   * A rotation of the database password under way.
   *
   * @param token the spec.secrets.rotate token
   * @param attempt what makes this rotation's Job its own: the pending Secret's uid (a token used again, or a
   *     rotation started again after its pending Secret was deleted, never finds an earlier Job's success)
   */
  public record Rotation(String token, String attempt) {

    public String jobName(String instance) {
      return instance + "-rotate-" + SecretDigests.sha256(token + "\n" + attempt).substring(0, 8);
    }
  }

  private RotationJob() {}

  public static Job render(RenderContext ctx, Rotation rotation) {
    ResolvedSpec spec = ctx.spec();
    ResolvedSpec.Database db = spec.database();
    String current = ctx.credentials().secretName();
    String pending = pendingSecret(ctx.name());
    ContainerBuilder alter = new ContainerBuilder()
        .withName("alter-role")
        .withImage(spec.postgresImage())
        .withImagePullPolicy(spec.postgresPullPolicy())
        .withCommand("/bin/sh", "-c", SCRIPT)
        .withEnv(Expansion.env("PGHOST", db.host()),
            Expansion.env("PGPORT", Integer.toString(db.port())),
            Expansion.env("PGUSER", ResolvedSpec.EMBEDDED_USER),
            Expansion.env("PGDATABASE", ResolvedSpec.EMBEDDED_DATABASE),
            secret("PGPASSWORD", current, Credentials.POSTGRES_PASSWORD),
            secret("NEW_PASSWORD", pending, Credentials.POSTGRES_PASSWORD),
            secret("NEW_PASSWORD_SCRAM", pending, VERIFIER_KEY))
        .withResources(Defaults.WAIT_FOR_DATABASE);
    HardenedPod pod = HardenedPod.of(ctx, Component.ROTATE)
        .runToCompletion()
        .options(spec.database().workload().pod())
        .container(alter.build());
    return new JobBuilder()
        .withMetadata(ObjectMetas.of(ctx, rotation.jobName(ctx.name()), Component.ROTATE))
        .withNewSpec()
        .withBackoffLimit(2)
        .withActiveDeadlineSeconds(Defaults.GATE_ACTIVE_DEADLINE_SECONDS)
        .withTemplate(pod.build())
        .endSpec()
        .build();
  }

  private static EnvVar secret(String name, String secret, String key) {
    return new EnvVarBuilder().withName(name).withNewValueFrom().withNewSecretKeyRef()
        .withName(secret).withKey(key).endSecretKeyRef().endValueFrom().build();
  }
}
