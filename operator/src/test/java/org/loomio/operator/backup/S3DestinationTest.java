package org.loomio.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The S3 destination against a real S3 server (s3proxy, in this JVM). */
class S3DestinationTest extends DestinationContractTest {

  private static S3Server server;
  private String bucket;
  private static final String PREFIX = "loomio/backups";

  @org.junit.jupiter.api.io.TempDir
  static Path tls;

  /** Over TLS, as the operator renders it (spec.backup.s3.endpoint is https://), trusting the server's own CA. */
  @BeforeAll
  static void startServer() throws Exception {
    server = S3Server.tls(tls);
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @BeforeEach
  void freshBucket() {
    bucket = "b-" + UUID.randomUUID();
    server.createBucket(bucket);
  }

  @Override
  Destination destination() {
    return new S3Destination(server.settings(bucket, "/" + PREFIX + "/"), STACK);
  }

  @Override
  Destination destination(int maxBackups) {
    return new S3Destination(
        server.settings(bucket, "/" + PREFIX + "/"),
        STACK,
        S3Destination.MIN_PART_SIZE,
        maxBackups);
  }

  @Override
  void putRaw(String relativeKey, byte[] content) {
    server.putRaw(bucket, PREFIX + "/" + relativeKey, content);
  }

  @Override
  List<String> rawKeys() {
    List<String> keys = server.keys(bucket);
    assertThat(keys).allMatch(k -> k.startsWith(PREFIX + "/"));
    return keys.stream().map(k -> k.substring(PREFIX.length() + 1)).toList();
  }

  @Test
  void uploadsLargeObjectsInPartsAndVerifiesThem() throws Exception {
    Path big = file("big", 11 * 1024 * 1024 + 7);
    Digests.Result sha = Digests.sha256(big);
    try (S3Destination d = new S3Destination(server.settings(bucket, PREFIX), STACK, 5L << 20)) {
      d.put(B1, "uploads.tar.pgp", big, sha.sha256());
      try (InputStream in = d.open(B1, "uploads.tar.pgp")) {
        assertThat(Digests.sha256(in)).isEqualTo(sha);
      }
    }
  }

  @Test
  void worksWithoutAPrefix() throws Exception {
    try (S3Destination d = new S3Destination(server.settings(bucket, ""), STACK)) {
      Path f = file("db", 100);
      d.put(B1, "database.dump.pgp", f, Digests.sha256(f).sha256());
      assertThat(server.keys(bucket)).containsExactly(B1 + "/database.dump.pgp");
      assertThat(d.list()).extracting(Destination.Listing::name).containsExactly(B1);
    }
  }

  @Test
  void wrongCredentialsFailWithoutShowingTheSecret() throws Exception {
    S3Destination.Settings wrong = new S3Destination.Settings(
        server.endpoint(),
        bucket,
        PREFIX,
        "us-east-1",
        true,
        null,
        null,
        S3Server.ACCESS_KEY,
        "not-the-secret-key-at-all",
        null,
        server.caFile());
    assertThat(wrong.toString()).doesNotContain("not-the-secret-key-at-all", S3Server.ACCESS_KEY);
    try (S3Destination d = new S3Destination(wrong, STACK)) {
      Path f = file("db", 100);
      assertThatThrownBy(
              () -> d.put(B1, "database.dump.pgp", f, Digests.sha256(f).sha256()))
          .hasMessageContaining(
              "upload to s3://" + bucket + "/" + PREFIX + "/" + B1 + "/database.dump.pgp failed")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("not-the-secret-key-at-all"));
    }
  }

  @Test
  void theServersCertificateMustChainToTheGivenCa() throws Exception {
    assertThat(server.endpoint().getScheme()).isEqualTo("https");
    // the JVM's default CAs do not know the server's: refused, nothing stored
    S3Destination.Settings defaults = new S3Destination.Settings(
        server.endpoint(),
        bucket,
        PREFIX,
        "us-east-1",
        true,
        null,
        null,
        S3Server.ACCESS_KEY,
        S3Server.SECRET_KEY,
        null);
    try (S3Destination d = new S3Destination(defaults, STACK)) {
      assertThatThrownBy(d::list)
          .hasMessageContaining("listing s3://" + bucket)
          .hasStackTraceContaining("PKIX path building failed");
    }
    // another CA: refused as well
    S3Server.tls(Files.createDirectories(tls.resolve("other"))).close();
    S3Destination.Settings other = new S3Destination.Settings(
        server.endpoint(),
        bucket,
        PREFIX,
        "us-east-1",
        true,
        null,
        null,
        S3Server.ACCESS_KEY,
        S3Server.SECRET_KEY,
        null,
        tls.resolve("other/s3-ca.crt"));
    try (S3Destination d = new S3Destination(other, STACK)) {
      assertThatThrownBy(d::list).hasStackTraceContaining("PKIX path");
    }
    assertThat(server.keys(bucket)).isEmpty();
  }

  @Test
  void settingsAreChecked() {
    assertThatThrownBy(() ->
            new S3Destination.Settings(null, "b", "", null, false, "rot13", null, "a", "s", null))
        .hasMessageContaining("AES256 or aws:kms");
    assertThatThrownBy(() ->
            new S3Destination.Settings(null, "b", "", null, false, "AES256", "key", "a", "s", null))
        .hasMessageContaining("aws:kms");
    assertThatThrownBy(() ->
            new S3Destination.Settings(null, "b", "", null, false, null, null, null, null, null))
        .hasMessageContaining("AWS_ACCESS_KEY_ID");
    assertThatThrownBy(() -> new S3Destination.Settings(
            java.net.URI.create("ftp://x"), "b", "", null, false, null, null, "a", "s", null))
        .hasMessageContaining("http(s)");
    assertThatThrownBy(() -> new S3Destination.Settings(
            null, "b", "a/../b", null, false, null, null, "a", "s", null))
        .hasMessageContaining("'..'");
    assertThatThrownBy(() -> new S3Destination.Settings(
            java.net.URI.create("http://x"),
            "b",
            "",
            null,
            false,
            null,
            null,
            "a",
            "s",
            null,
            server.caFile()))
        .hasMessageContaining("a CA file is for an https endpoint");
    Path notPem = tls.resolve("not-a-certificate.pem");
    assertThatThrownBy(
            () -> S3Destination.trustManagers(Files.writeString(notPem, "no certificate here\n")))
        .hasMessageContaining("not-a-certificate.pem");
  }
}
