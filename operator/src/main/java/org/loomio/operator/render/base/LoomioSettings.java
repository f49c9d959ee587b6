package org.loomio.operator.render.base;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.loomio.operator.api.v1alpha1.S3StorageSpec;
import org.loomio.operator.api.v1alpha1.SmtpSpec;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.upgrade.LoomioReleases;

/**
 * The non-secret environment of Loomio's web and worker pods and the migration Job, as stored in the
 * {@code <name>-config} ConfigMap. Nothing secret is ever here: passwords reach the pods as
 * secretKeyRef variables ({@link org.loomio.operator.render.workload.RailsContainer}), and DATABASE_URL carries no password (PGPASSWORD does).
 *
 * <p>Loomio reads most flags by presence: a variable meaning "false" is left out, never set to 0.
 */
public final class LoomioSettings {

  /** Where a database CA certificate is mounted (see {@link org.loomio.operator.render.workload.RailsContainer}). */
  public static final String DATABASE_CA_DIR = "/etc/loomio/database-ca";

  public static final String S3_CA_DIR = "/etc/loomio/s3-ca";
  public static final String CA_FILE = "ca.crt";

  private LoomioSettings() {}

  public static Map<String, String> of(ResolvedSpec spec) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("RAILS_ENV", "production");
    env.put("CANONICAL_HOST", spec.host());
    env.put("PUBLIC_APP_URL", spec.publicUrl());
    env.put("PRIVATE_APP_URL", spec.privateAppUrl());
    env.put("HOCUSPOCUS_URL", "wss://" + spec.hocuspocusHost());
    // TLS ends at the edge. ASSUME_SSL's middleware, first in the stack, marks every request as
    // HTTPS, so
    // nothing inside the cluster is redirected (probes, hocuspocus' callback, a mail relay).
    // FORCE_SSL makes
    // mail links and asset hosts https:// and the session cookie Secure (session_store.rb compares
    // .to_i == 1, so exactly "1"); it is set only for releases whose redirect exclusions also spare
    // the
    // stack's own plain-HTTP calls (LoomioReleases, docs/api.md).
    env.put("ASSUME_SSL", "1");
    if (LoomioReleases.forceSsl(spec.loomioTag())) {
      env.put("FORCE_SSL", "1");
    }
    // the domain of the Reply-To addresses of notifications (app/helpers/email_helper.rb)
    env.put("REPLY_HOSTNAME", spec.replyHostname());
    // open browser tabs reload when the release changes (app/controllers/api/v1/boot_controller.rb)
    env.put("LOOMIO_SYSTEM_RELOAD", "1");
    // read the Bootsnap cache the image precompiled, never write it (RailsContainer#scratch)
    env.put("BOOTSNAP_READONLY", "1");
    spec.siteName().ifPresent(v -> env.put("SITE_NAME", v));
    spec.supportEmail().ifPresent(v -> env.put("SUPPORT_EMAIL", v));
    env.put("VAPID_SUBJECT", spec.supportEmail().map(e -> "mailto:" + e).orElse(spec.publicUrl()));
    env.put("FILE_UPLOAD_MAX_MB", Integer.toString(spec.uploadLimitMB()));
    env.put("DATABASE_URL", databaseUrl(spec.database()));
    spec.smtp().ifPresent(smtp -> smtp(smtp, env));
    storage(spec.storage(), env);
    for (String flag : spec.enabledFeatureFlags()) {
      env.put(flag, "1");
    }
    env.putAll(spec.env());
    return env;
  }

  /** postgresql://user@host:port/database?sslmode=...; the password comes from PGPASSWORD. */
  public static String databaseUrl(ResolvedSpec.Database db) {
    StringBuilder url = new StringBuilder("postgresql://")
        .append(URLEncoder.encode(db.user(), StandardCharsets.UTF_8))
        .append('@')
        .append(db.host())
        .append(':')
        .append(db.port())
        .append('/')
        .append(URLEncoder.encode(db.database(), StandardCharsets.UTF_8))
        .append("?sslmode=")
        .append(db.sslMode().value());
    if (db.sslMode().verifies()) {
      url.append("&sslrootcert=")
          .append(db.ca() != null ? DATABASE_CA_DIR + "/" + CA_FILE : "system");
    }
    return url.toString();
  }

  private static void smtp(ResolvedSpec.Smtp smtp, Map<String, String> env) {
    env.put("SMTP_SERVER", smtp.host());
    env.put("SMTP_PORT", Integer.toString(smtp.port()));
    if (smtp.tls() == SmtpSpec.Tls.IMPLICIT) {
      env.put("SMTP_USE_SSL", "1");
    }
    env.put("SMTP_SSL_VERIFY_MODE", smtp.verifyCertificate() ? "peer" : "none");
    if (smtp.username() != null) {
      env.put("SMTP_USERNAME", smtp.username());
      env.put("SMTP_AUTH", smtp.authentication().value());
    }
    env.put("SMTP_DOMAIN", smtp.domain());
    if (smtp.fromAddress() != null) {
      env.put("NOTIFICATIONS_EMAIL_ADDRESS", smtp.fromAddress());
    }
  }

  private static void storage(ResolvedSpec.Storage storage, Map<String, String> env) {
    if (storage.onVolume()) {
      env.put("ACTIVE_STORAGE_SERVICE", "local");
      return;
    }
    S3StorageSpec s3 = storage.s3();
    env.put("ACTIVE_STORAGE_SERVICE", "s3_compatible");
    env.put("STORAGE_ENDPOINT", s3.getEndpoint());
    env.put("STORAGE_BUCKET_NAME", s3.getBucket());
    env.put(
        "STORAGE_REGION",
        s3.getRegion() != null ? s3.getRegion() : new S3StorageSpec().getRegion());
    if (Boolean.TRUE.equals(s3.getForcePathStyle())) {
      env.put("STORAGE_FORCE_PATH_STYLE", "1");
    }
    if (s3.getCaSecretRef() != null) {
      env.put("AWS_CA_BUNDLE", S3_CA_DIR + "/" + CA_FILE);
    }
  }
}
