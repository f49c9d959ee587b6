package org.loomio.operator.render.workload;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Credentials;
import org.loomio.operator.model.Defaults;
import org.loomio.operator.model.Names;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.base.ObjectMetas;
import org.loomio.operator.render.base.RenderContext;
import org.loomio.operator.render.base.Rotation;
import org.loomio.operator.render.pod.Expansion;
import org.loomio.operator.render.pod.HardenedPod;

/**
 * The Job that changes the embedded database's application password during a rotation
 * ({@code <name>-rotate-<8 hex>}), before the credentials Secret gets the new value. It signs in as the maintenance
 * superuser {@value ResolvedSpec#EMBEDDED_USER} (with the password of {@code <name>-postgres-superuser}, never the
 * application's) and sets the new password of the app's role {@value ResolvedSpec#EMBEDDED_APP_USER} as a
 * SCRAM-SHA-256 verifier computed by the operator, so the new password itself never travels to the server or into its
 * logs. The superuser's own password is not rotated. It is idempotent: when the new password signs in as the app's
 * role already, an earlier run changed it and the Job succeeds without doing anything. While the role setup has not
 * run yet (an upgrade from before it), it waits a few minutes for it.
 */
public final class RotationJob {

  /** The Secret holding the pending new values while a rotation runs. */
  public static String pendingSecret(String instance) {
    return instance + "-secrets-rotation";
  }

  /** Key of the pending Secret with the new password's SCRAM verifier. */
  public static final String VERIFIER_KEY = "POSTGRES_PASSWORD_SCRAM";

  static final String SCRIPT = String.join(
      "\n",
      "set -eu",
      "until pg_isready -q -t 5; do sleep 2; done",
      "signs_in() { PGUSER=\"$1\" PGPASSWORD=\"$2\" psql -w -X -q -d postgres -c 'select 1' >/dev/null 2>&1; }",
      "if signs_in " + ResolvedSpec.EMBEDDED_APP_USER + " \"$NEW_PASSWORD\"; then",
      "  echo 'password already changed by an earlier run' > /dev/termination-log",
      "  exit 0",
      "fi",
      "for attempt in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30; do",
      "  if signs_in " + ResolvedSpec.EMBEDDED_USER + " \"$SUPERUSER_PASSWORD\"; then break; fi",
      "  sleep 10",
      "done",
      "if ! signs_in " + ResolvedSpec.EMBEDDED_USER + " \"$SUPERUSER_PASSWORD\"; then",
      "  echo 'the superuser password does not sign in as " + ResolvedSpec.EMBEDDED_USER
          + ": has the role setup Job" + " succeeded? (docs/operations.md)' > /dev/termination-log",
      "  exit 1",
      "fi",
      "printf '%s\\n' 'SET search_path = pg_catalog, pg_temp;' \\",
      "    \"ALTER ROLE " + ResolvedSpec.EMBEDDED_APP_USER + " PASSWORD :'verifier';\" \\",
      "  | PGUSER=" + ResolvedSpec.EMBEDDED_USER
          + " PGPASSWORD=\"$SUPERUSER_PASSWORD\" psql -w -X -q -d postgres"
          + " -v ON_ERROR_STOP=1 -v verifier=\"$NEW_PASSWORD_SCRAM\" >/dev/null",
      "echo 'password changed' > /dev/termination-log");

  private RotationJob() {}

  public static Job render(RenderContext ctx, Rotation rotation) {
    ResolvedSpec spec = ctx.spec();
    ResolvedSpec.Database db = spec.database();
    String pending = pendingSecret(ctx.name());
    ContainerBuilder alter = new ContainerBuilder()
        .withName("alter-role")
        .withImage(spec.postgresImage())
        .withImagePullPolicy(spec.postgresPullPolicy())
        .withCommand("/bin/sh", "-c", SCRIPT)
        .withEnv(
            Expansion.env("PGHOST", db.host()),
            Expansion.env("PGPORT", Integer.toString(db.port())),
            Expansion.env("PGCONNECT_TIMEOUT", "10"),
            secret(
                "SUPERUSER_PASSWORD",
                Names.postgresSuperuser(ctx.name()),
                RoleSetupJob.SUPERUSER_PASSWORD),
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
    return new EnvVarBuilder()
        .withName(name)
        .withNewValueFrom()
        .withNewSecretKeyRef()
        .withName(secret)
        .withKey(key)
        .endSecretKeyRef()
        .endValueFrom()
        .build();
  }
}
