package org.loomio.operator.render.base;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.testing.Fixtures;

class LoomioSettingsTest {

  private static Map<String, String> settings(String spec) {
    return LoomioSettings.of(
        ResolvedSpec.of(Fixtures.resource("team", spec), ImageDefaults.BUILT_IN));
  }

  @Test
  void wiresTheStackTogether() {
    Map<String, String> s = settings("host: a.example.org");
    assertThat(s)
        .containsEntry("RAILS_ENV", "production")
        .containsEntry("CANONICAL_HOST", "a.example.org")
        .containsEntry("PUBLIC_APP_URL", "https://a.example.org")
        .containsEntry("PRIVATE_APP_URL", "http://team-web")
        .containsEntry("HOCUSPOCUS_URL", "wss://hocuspocus.a.example.org")
        .containsEntry("ASSUME_SSL", "1")
        .containsEntry("FORCE_SSL", "1")
        .containsEntry("REPLY_HOSTNAME", "a.example.org")
        .containsEntry("LOOMIO_SYSTEM_RELOAD", "1")
        .containsEntry("BOOTSNAP_READONLY", "1")
        .containsEntry("FILE_UPLOAD_MAX_MB", "100")
        .containsEntry("ACTIVE_STORAGE_SERVICE", "local")
        .containsEntry("VAPID_SUBJECT", "https://a.example.org")
        .containsEntry(
            "DATABASE_URL",
            "postgresql://loomio_app@team-postgres:5432/loomio_production?sslmode=disable")
        .doesNotContainKeys("SMTP_SERVER", "SITE_NAME");
  }

  @Test
  void forceSslIsExactlyOneOnEveryServedReleaseAndAbsentOnAMigrateOnlyStone() {
    for (String tag : java.util.List.of("3.1.0", "3.3", "3.5", "latest")) {
      // session_store.rb: secure: ENV['FORCE_SSL'].to_i == 1
      assertThat(settings("host: a.example.org\nimage: {tag: \"" + tag + "\"}"))
          .as(tag)
          .containsEntry("FORCE_SSL", "1");
    }
    assertThat(settings("host: a.example.org\nimage: {tag: \"2.17.1\"}"))
        .doesNotContainKey("FORCE_SSL")
        .containsEntry("ASSUME_SSL", "1");
  }

  @Test
  void replyAddressesUseTheReplyHostnameOrTheHostNeverAnotherDomain() {
    assertThat(settings("host: a.example.org\nreplyHostname: reply.example.org"))
        .containsEntry("REPLY_HOSTNAME", "reply.example.org");
    assertThat(settings(
            "host: a.example.org\nsmtp: {host: smtp.example.net, fromAddress: n@example.net}"))
        .as("not the SMTP server's domain, not the sender's")
        .containsEntry("REPLY_HOSTNAME", "a.example.org");
  }

  @Test
  void featureFlagsArePresenceFlags() {
    Map<String, String> s = settings(
        "host: a.example.org\nfeatures: {disableCreateUser: true, allowRobots: false, templateGallery: true}");
    assertThat(s)
        .containsEntry("FEATURES_DISABLE_CREATE_USER", "1")
        .containsEntry("FEATURES_TEMPLATE_GALLERY", "1")
        .doesNotContainKey("ALLOW_ROBOTS");
    assertThat(s.values()).doesNotContain("0", "false");
  }

  @Test
  void smtpTlsModesAndVerification() {
    Map<String, String> implicit =
        settings("host: a.example.org\nsmtp: {host: smtp.example.org, port: 465}");
    assertThat(implicit)
        .containsEntry("SMTP_SERVER", "smtp.example.org")
        .containsEntry("SMTP_PORT", "465")
        .containsEntry("SMTP_USE_SSL", "1")
        .containsEntry("SMTP_SSL_VERIFY_MODE", "peer")
        .containsEntry("SMTP_DOMAIN", "a.example.org")
        .doesNotContainKeys("SMTP_AUTH", "SMTP_USERNAME");
    Map<String, String> starttls =
        settings("host: a.example.org\nsmtp: {host: smtp.example.org, username: u,"
            + " passwordSecretRef: {name: smtp, key: password}, verifyCertificate: false, authentication: login,"
            + " fromAddress: n@example.org}");
    assertThat(starttls)
        .containsEntry("SMTP_PORT", "587")
        .doesNotContainKey("SMTP_USE_SSL")
        .containsEntry("SMTP_SSL_VERIFY_MODE", "none")
        .containsEntry("SMTP_USERNAME", "u")
        .containsEntry("SMTP_AUTH", "login")
        .containsEntry("NOTIFICATIONS_EMAIL_ADDRESS", "n@example.org")
        .doesNotContainKey("SMTP_PASSWORD");
    assertThat(
            settings("host: a.example.org\nsmtp: {host: s.example.org, port: 465, tls: starttls}"))
        .doesNotContainKey("SMTP_USE_SSL");
  }

  @Test
  void databaseUrlCarriesNoPasswordAndVerifiesTls() {
    assertThat(settings(
                "host: a.example.org\ndatabase: {external: {host: pg.example.org, user: app, database: lo,"
                    + " passwordSecretRef: {name: p, key: k}, version: 16}}")
            .get("DATABASE_URL"))
        .isEqualTo(
            "postgresql://app@pg.example.org:5432/lo?sslmode=verify-full&sslrootcert=system");
    assertThat(settings(
                "host: a.example.org\ndatabase: {external: {host: pg.example.org, sslMode: verify-ca,"
                    + " passwordSecretRef: {name: p, key: k}, caSecretRef: {name: ca, key: root.pem}, version: 16}}")
            .get("DATABASE_URL"))
        .endsWith("?sslmode=verify-ca&sslrootcert=/etc/loomio/database-ca/ca.crt");
    assertThat(settings("host: a.example.org\ndatabase: {external: {host: pg, sslMode: require,"
                + " passwordSecretRef: {name: p, key: k}, version: 16}}")
            .get("DATABASE_URL"))
        .endsWith("?sslmode=require");
  }

  @Test
  void s3AndUserSettings() {
    Map<String, String> s = settings("""
        host: a.example.org
        supportEmail: help@example.org
        siteName: Decisions
        storage: {s3: {endpoint: https://minio.example.org, bucket: up, forcePathStyle: true, credentialsSecretRef: {name: s3}, caSecretRef: {name: ca, key: c}}}
        env: [{name: THEME_PRIMARY_COLOR, value: "#2e7d32"}]
        """);
    assertThat(s)
        .containsEntry("ACTIVE_STORAGE_SERVICE", "s3_compatible")
        .containsEntry("STORAGE_ENDPOINT", "https://minio.example.org")
        .containsEntry("STORAGE_BUCKET_NAME", "up")
        .containsEntry("STORAGE_REGION", "us-east-1")
        .containsEntry("STORAGE_FORCE_PATH_STYLE", "1")
        .containsEntry("AWS_CA_BUNDLE", "/etc/loomio/s3-ca/ca.crt")
        .containsEntry("THEME_PRIMARY_COLOR", "#2e7d32")
        .containsEntry("SITE_NAME", "Decisions")
        .containsEntry("SUPPORT_EMAIL", "help@example.org")
        .containsEntry("VAPID_SUBJECT", "mailto:help@example.org")
        .doesNotContainKeys("STORAGE_ACCESS_KEY_ID", "STORAGE_SECRET_ACCESS_KEY");
  }
}
