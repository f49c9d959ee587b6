package org.loomio.operator.render.workload;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.List;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Defaults;
import org.loomio.operator.model.Names;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.model.SecretDigests;
import org.loomio.operator.render.base.LoomioSettings;
import org.loomio.operator.render.base.ObjectMetas;
import org.loomio.operator.render.base.RenderContext;
import org.loomio.operator.render.pod.Expansion;
import org.loomio.operator.render.pod.HardenedPod;

/**
 * The embedded database's role setup Job ({@code <name>-db-roles-<8 hex>}): makes the app's role, not the
 * bootstrap superuser, the owner of the Loomio database. It runs after PostgreSQL is ready and before the
 * migration Job (the operator creates the migration Job only once it succeeded), signed in as the maintenance
 * superuser {@value ResolvedSpec#EMBEDDED_USER}, and is idempotent:
 *
 * <ol>
 *   <li>signs in as {@value ResolvedSpec#EMBEDDED_USER} with the superuser password of
 *       {@code <name>-postgres-superuser}, or, on an install from before role setup (whose superuser still has
 *       the application's {@code POSTGRES_PASSWORD}), with that;
 *   <li>creates {@value ResolvedSpec#EMBEDDED_APP_USER} (or holds it to) LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE
 *       NOREPLICATION NOBYPASSRLS with no role membership at all (so neither pg_execute_server_program nor
 *       pg_read_server_files nor pg_write_server_files), with {@code POSTGRES_PASSWORD} as its password (set only
 *       when that password does not sign in already);
 *   <li>in the Loomio database: creates the extensions Loomio's schema enables ({@code pg_stat_statements} is not a
 *       trusted extension, so its owner could not), gives the database and every object in it that the superuser
 *       owns (schemas, tables, views, sequences, routines, types, large objects; extension members stay with their
 *       extension) to {@value ResolvedSpec#EMBEDDED_APP_USER} ({@code REASSIGN OWNED} is refused for the bootstrap
 *       superuser, whose objects the system needs), and checks that nothing is left behind and that the app role
 *       holds no privilege beyond its own database;
 *   <li>last, sets the superuser's password to the superuser password (as the SCRAM verifier the operator made,
 *       so it never travels), so {@code POSTGRES_PASSWORD} never signs in as a superuser again.
 * </ol>
 * Every statement of the superuser's sessions runs with {@code search_path} pg_catalog only: the app role owns the
 * Loomio database and could plant objects or database settings there. Its termination message says what it did,
 * never a password. Like the migration Job it is created once, never updated, and kept as the record; its name
 * carries the hash of the script and the database, so a new release of the script runs it again.
 */
public final class RoleSetupJob {

  /** Key of {@code <name>-postgres-superuser}: the maintenance superuser's password. */
  public static final String SUPERUSER_PASSWORD = "POSTGRES_SUPERUSER_PASSWORD";
  /** Key of {@code <name>-postgres-superuser}: its SCRAM-SHA-256 verifier (what the role setup sets). */
  public static final String SUPERUSER_VERIFIER = "POSTGRES_SUPERUSER_PASSWORD_SCRAM";

  /** The extensions Loomio's db/schema.rb enables (plpgsql is always there). */
  public static final List<String> EXTENSIONS =
      List.of("citext", "hstore", "pgcrypto", "pg_stat_statements");

  static final String SU = ResolvedSpec.EMBEDDED_USER;
  static final String APP = ResolvedSpec.EMBEDDED_APP_USER;
  static final String DB = ResolvedSpec.EMBEDDED_DATABASE;

  /** In the maintenance database: the app role and its attributes, no membership. */
  static final String ROLE_SQL = String.join(
      "\n",
      "SET search_path = pg_catalog, pg_temp;",
      "SELECT 'CREATE ROLE " + APP
          + " LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + APP + "')",
      "\\gexec",
      "ALTER ROLE " + APP
          + " WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT;",
      "\\if :set_app_password",
      "ALTER ROLE " + APP + " PASSWORD :'app_password';",
      "\\endif",
      // no membership in any role: not pg_execute_server_program, pg_read_server_files,
      // pg_write_server_files,
      // nor a role that could SET ROLE to a superuser
      "SELECT format('REVOKE %I FROM " + APP + " CASCADE', r.rolname) FROM pg_auth_members m"
          + " JOIN pg_roles r ON r.oid = m.roleid WHERE m.member = '" + APP + "'::regrole",
      "\\gexec",
      // the database's own settings, which its owner may write (ALTER DATABASE ... SET) and which
      // every session in
      // it gets, the superuser's too: a planted local_preload_libraries would stop the next step
      // from signing in
      "ALTER DATABASE " + DB + " RESET ALL;");

  /** In the Loomio database: extensions, then ownership of the database and of everything the superuser owns in it. */
  static final String OWNERSHIP_SQL = String.join(
      "\n",
      "SET search_path = pg_catalog, pg_temp;",
      "DO $check$ BEGIN",
      "  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN",
      "    RAISE EXCEPTION 'role % is not a superuser', current_user;",
      "  END IF;",
      "END $check$;",
      String.join(
          "\n",
          EXTENSIONS.stream()
              .map(e -> "CREATE EXTENSION IF NOT EXISTS " + e + " WITH SCHEMA public;")
              .toList()),
      "ALTER DATABASE " + DB + " OWNER TO " + APP + ";",
      "DO $move$",
      "DECLARE",
      "  su oid := (SELECT oid FROM pg_roles WHERE rolname = '" + SU + "');",
      "  r record;",
      "BEGIN",
      "  FOR r IN SELECT n.nspname FROM pg_namespace n WHERE n.nspowner = su",
      "      AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%' LOOP",
      "    EXECUTE format('ALTER SCHEMA %I OWNER TO " + APP + "', r.nspname);",
      "  END LOOP;",
      "  FOR r IN SELECT c.oid::regclass AS rel, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace",
      "      WHERE c.relowner = su AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')",
      "      AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'",
      "      AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid",
      "        AND d.deptype = 'e')",
      "      ORDER BY c.relkind = 'S' LOOP",
      // a sequence owned by a column moves with its table (ALTER TABLE recurses), so it is skipped
      // once moved
      "    CONTINUE WHEN (SELECT relowner FROM pg_class WHERE oid = r.rel) <> su;",
      "    EXECUTE format('ALTER %s %s OWNER TO " + APP + "', CASE r.relkind WHEN 'v' THEN 'VIEW'",
      "      WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'S' THEN 'SEQUENCE'",
      "      ELSE 'TABLE' END, r.rel);",
      "  END LOOP;",
      "  FOR r IN SELECT p.oid::regprocedure AS fn, p.prokind FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace",
      "      WHERE p.proowner = su",
      "      AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'",
      "      AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid",
      "        AND d.deptype = 'e') LOOP",
      "    EXECUTE format('ALTER %s %s OWNER TO " + APP
          + "', CASE r.prokind WHEN 'p' THEN 'PROCEDURE'",
      "      WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END, r.fn);",
      "  END LOOP;",
      "  FOR r IN SELECT t.oid::regtype AS ty, t.typtype FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace",
      "      WHERE t.typowner = su AND t.typtype IN ('c', 'd', 'e', 'r')",
      "      AND (t.typtype <> 'c' OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')",
      "      AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'",
      "      AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid",
      "        AND d.deptype = 'e') LOOP",
      "    EXECUTE format('ALTER %s %s OWNER TO " + APP
          + "', CASE r.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END,",
      "      r.ty);",
      "  END LOOP;",
      "  FOR r IN SELECT l.oid FROM pg_largeobject_metadata l WHERE l.lomowner = su LOOP",
      "    EXECUTE format('ALTER LARGE OBJECT %s OWNER TO " + APP + "', r.oid);",
      "  END LOOP;",
      "END $move$;",
      "DO $verify$",
      "DECLARE",
      "  su oid := (SELECT oid FROM pg_roles WHERE rolname = '" + SU + "');",
      "  app pg_roles%ROWTYPE;",
      "  left_behind text;",
      "BEGIN",
      "  SELECT * INTO app FROM pg_roles WHERE rolname = '" + APP + "';",
      "  IF app.rolsuper OR app.rolcreatedb OR app.rolcreaterole OR app.rolreplication OR app.rolbypassrls",
      "      OR NOT app.rolcanlogin THEN",
      "    RAISE EXCEPTION 'role " + APP + " has an attribute it must not have';",
      "  END IF;",
      "  IF EXISTS (SELECT FROM pg_auth_members WHERE member = app.oid) THEN",
      "    RAISE EXCEPTION 'role " + APP + " is still a member of another role';",
      "  END IF;",
      "  IF (SELECT datdba FROM pg_database WHERE datname = current_database()) <> app.oid THEN",
      "    RAISE EXCEPTION 'database % is not owned by " + APP + "', current_database();",
      "  END IF;",
      "  SELECT string_agg(what, ', ') INTO left_behind FROM (",
      "    SELECT c.oid::regclass::text AS what FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace",
      "      WHERE c.relowner = su AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')",
      "      AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'",
      "      AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid",
      "        AND d.deptype = 'e')",
      "    UNION ALL SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace",
      "      WHERE p.proowner = su",
      "      AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'",
      "      AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid",
      "        AND d.deptype = 'e')",
      "    UNION ALL SELECT 'schema ' || n.nspname FROM pg_namespace n WHERE n.nspowner = su",
      "      AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'",
      "  ) o;",
      "  IF left_behind IS NOT NULL THEN",
      "    RAISE EXCEPTION 'still owned by " + SU + ": %', left_behind;",
      "  END IF;",
      "END $verify$;");

  /** In the maintenance database, last: the superuser's own password. */
  static final String SUPERUSER_SQL = String.join(
      "\n",
      "SET search_path = pg_catalog, pg_temp;",
      "ALTER ROLE " + SU + " PASSWORD :'superuser_verifier';");

  /**
   * The container's script (as the kubelet hands it to the shell: it holds no {@code $(} and no {@code $$}, so
   * it needs no escaping). The SQL comes in on standard input, never on a command line.
   */
  static final String SCRIPT = String.join(
      "\n",
      "set -eu",
      "until pg_isready -q -t 5; do sleep 2; done",
      "signs_in() { PGUSER=\"$1\" PGPASSWORD=\"$2\" psql -w -X -q -d postgres -c 'select 1' >/dev/null 2>&1; }",
      "fail() { echo \"$1\" > /dev/termination-log; echo \"$1\" >&2; exit 1; }",
      "if signs_in " + SU + " \"$SUPERUSER_PASSWORD\"; then",
      "  export PGPASSWORD=\"$SUPERUSER_PASSWORD\"; how='its own password'",
      "elif signs_in " + SU + " \"$APP_PASSWORD\"; then",
      "  export PGPASSWORD=\"$APP_PASSWORD\"; how='POSTGRES_PASSWORD (an install from before role setup)'",
      "else",
      "  fail 'neither the superuser password nor POSTGRES_PASSWORD signs in as " + SU
          + ": restore Secret "
          + "<name>-postgres-superuser, or reset the password by hand (docs/operations.md)'",
      "fi",
      "export PGUSER=" + SU,
      "set_app_password=true",
      "if signs_in " + APP + " \"$APP_PASSWORD\"; then set_app_password=false; fi",
      "run() { psql -w -X -q -v ON_ERROR_STOP=1 --single-transaction -d \"$1\" -v set_app_password=$set_app_password"
          + " -v app_password=\"$APP_PASSWORD\" -v superuser_verifier=\"$SUPERUSER_VERIFIER\" -f - >/dev/null; }",
      "run postgres <<'SQL' || fail 'could not create or update role " + APP + " (see the log)'",
      ROLE_SQL,
      "SQL",
      "run " + DB + " <<'SQL' || fail 'could not give database " + DB + " and its objects to " + APP
          + " (see the log)'",
      OWNERSHIP_SQL,
      "SQL",
      "run postgres <<'SQL' || fail 'could not set the password of " + SU + " (see the log)'",
      SUPERUSER_SQL,
      "SQL",
      "echo \"signed in as " + SU + " with $how; " + APP + " owns " + DB + "; " + SU
          + " has the superuser password\" > /dev/termination-log");

  private RoleSetupJob() {}

  /**
   * The 8-hex hash of what the role setup depends on: its script and the database it sets up (the spec alone, so the
   * offline render names the Job the operator creates). A new release of the script runs it again; a changed password
   * does not (a rotation changes the app role's password itself; for a password changed in existingSecret, delete the
   * Job: docs/operations.md).
   */
  public static String hash(RenderContext ctx) {
    return SecretDigests.sha256(
            SCRIPT + "\n" + LoomioSettings.databaseUrl(ctx.spec().database()))
        .substring(0, 8);
  }

  public static String name(RenderContext ctx) {
    return Names.roleSetupJob(ctx.name(), hash(ctx));
  }

  public static Job render(RenderContext ctx) {
    ResolvedSpec spec = ctx.spec();
    ResolvedSpec.Database db = spec.database();
    String superuser = Names.postgresSuperuser(ctx.name());
    ContainerBuilder setup = new ContainerBuilder()
        .withName("setup-roles")
        .withImage(spec.postgresImage())
        .withImagePullPolicy(spec.postgresPullPolicy())
        .withCommand("/bin/sh", "-c", SCRIPT)
        .withEnv(
            Expansion.env("PGHOST", db.host()),
            Expansion.env("PGPORT", Integer.toString(db.port())),
            Expansion.env("PGCONNECT_TIMEOUT", "10"),
            RailsContainer.fromSecret("SUPERUSER_PASSWORD", superuser, SUPERUSER_PASSWORD),
            RailsContainer.fromSecret("SUPERUSER_VERIFIER", superuser, SUPERUSER_VERIFIER),
            RailsContainer.fromSecret("APP_PASSWORD", db.password()))
        .withResources(Defaults.WAIT_FOR_DATABASE)
        .withTerminationMessagePolicy("FallbackToLogsOnError");
    HardenedPod pod = HardenedPod.of(ctx, Component.DB_ROLES)
        .runToCompletion()
        .options(db.workload().pod())
        .container(setup.build());
    return new JobBuilder()
        .withMetadata(ObjectMetas.of(ctx, name(ctx), Component.DB_ROLES))
        .withNewSpec()
        .withBackoffLimit(Defaults.MIGRATION_BACKOFF_LIMIT)
        .withActiveDeadlineSeconds(Defaults.GATE_ACTIVE_DEADLINE_SECONDS)
        .withTemplate(pod.build())
        .endSpec()
        .build();
  }
}
