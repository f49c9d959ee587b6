package org.loomio.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
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

  @BeforeAll
  static void startServer() throws Exception {
    server = new S3Server();
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
    S3Destination.Settings wrong = new S3Destination.Settings(server.endpoint(), bucket, PREFIX, "us-east-1", true,
        null, null, S3Server.ACCESS_KEY, "not-the-secret-key-at-all", null);
    assertThat(wrong.toString()).doesNotContain("not-the-secret-key-at-all", S3Server.ACCESS_KEY);
    try (S3Destination d = new S3Destination(wrong, STACK)) {
      Path f = file("db", 100);
      assertThatThrownBy(() -> d.put(B1, "database.dump.pgp", f, Digests.sha256(f).sha256()))
          .hasMessageContaining("upload to s3://" + bucket + "/" + PREFIX + "/" + B1 + "/database.dump.pgp failed")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("not-the-secret-key-at-all"));
    }
  }

  @Test
  void settingsAreChecked() {
    assertThatThrownBy(() -> new S3Destination.Settings(null, "b", "", null, false, "rot13", null, "a", "s", null))
        .hasMessageContaining("AES256 or aws:kms");
    assertThatThrownBy(() -> new S3Destination.Settings(null, "b", "", null, false, "AES256", "key", "a", "s", null))
        .hasMessageContaining("aws:kms");
    assertThatThrownBy(() -> new S3Destination.Settings(null, "b", "", null, false, null, null, null, null, null))
        .hasMessageContaining("AWS_ACCESS_KEY_ID");
    assertThatThrownBy(() -> new S3Destination.Settings(java.net.URI.create("ftp://x"), "b", "", null, false, null,
        null, "a", "s", null)).hasMessageContaining("http(s)");
    assertThatThrownBy(() -> new S3Destination.Settings(null, "b", "a/../b", null, false, null, null, "a", "s", null))
        .hasMessageContaining("'..'");
  }
}
