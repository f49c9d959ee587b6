package org.loomio.operator.backup;

import java.net.URI;
import java.util.Map;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.TransientApiMetadata;

/**
 * A real S3 server in the test JVM: s3proxy over jclouds' in-memory ("transient") blob store, on a free
 * port, with AWS v4 signatures checked against its own credentials, over TLS (a backup endpoint must be
 * https://) with a certificate keytool makes for 127.0.0.1, which the clients trust as their CA file.
 */
final class S3Server implements AutoCloseable {

  static final String ACCESS_KEY = "test-access-key";
  static final String SECRET_KEY = "test-secret-key-which-is-long-enough";

  private final BlobStoreContext context;
  private final S3Proxy proxy;
  /** The PEM file of the server's self-signed certificate (its own CA), for --s3-ca-file. */
  private final java.nio.file.Path caFile;

  /** Over TLS, as spec.backup.s3.endpoint must be: its certificate and key in a temporary directory. */
  S3Server() throws Exception {
    this(java.nio.file.Files.createTempDirectory("s3-tls"));
    ownDir = caFile.getParent();
  }

  /** The temporary directory the no-argument constructor made, deleted on close. */
  private java.nio.file.Path ownDir;

  /**
   * With TLS (as spec.backup.s3.endpoint must be): a self-signed certificate for 127.0.0.1 made by keytool in
   * {@code dir}, whose PEM is {@link #caFile()}.
   */
  static S3Server tls(java.nio.file.Path dir) throws Exception {
    return new S3Server(dir);
  }

  /** @param tlsDir where keytool puts the certificate and key */
  private S3Server(java.nio.file.Path tlsDir) throws Exception {
    // by API metadata, not by provider id: looking up an id loads every provider s3proxy registers
    // (Azure
    // among them), whose dependencies are excluded from the test classpath
    context = ContextBuilder.newBuilder(new TransientApiMetadata())
        .credentials("unused", "unused")
        .build(BlobStoreContext.class);
    var builder = S3Proxy.builder()
        .blobStore(context.getBlobStore())
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY);
    java.nio.file.Path keyStore = tlsDir.resolve("s3.p12");
    caFile = tlsDir.resolve("s3-ca.crt");
    String keytool =
        java.nio.file.Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    run(
        keytool,
        "-genkeypair",
        "-keystore",
        keyStore.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        "changeit",
        "-keypass",
        "changeit",
        "-alias",
        "s3",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-validity",
        "2",
        "-dname",
        "CN=s3 test server",
        "-ext",
        "SAN=ip:127.0.0.1,dns:localhost",
        "-ext",
        "BC:c=ca:true");
    run(
        keytool,
        "-exportcert",
        "-rfc",
        "-keystore",
        keyStore.toString(),
        "-storepass",
        "changeit",
        "-alias",
        "s3",
        "-file",
        caFile.toString());
    builder
        .secureEndpoint(URI.create("https://127.0.0.1:0"))
        .keyStore(keyStore.toString(), "changeit");
    proxy = builder.build();
    proxy.start(); // Jetty's start returns once the connector listens
    if (!"STARTED".equals(proxy.getState())) {
      throw new IllegalStateException("s3proxy did not start: " + proxy.getState());
    }
  }

  URI endpoint() {
    return URI.create("https://127.0.0.1:" + proxy.getSecurePort());
  }

  java.nio.file.Path caFile() {
    return caFile;
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
    }
  }

  void createBucket(String bucket) {
    context.getBlobStore().createContainerInLocation(null, bucket);
  }

  /** Every key in a bucket, straight from the blob store. */
  java.util.List<String> keys(String bucket) {
    java.util.List<String> keys = new java.util.ArrayList<>();
    for (var m : context
        .getBlobStore()
        .list(bucket, org.jclouds.blobstore.options.ListContainerOptions.Builder.recursive())) {
      if (m.getType() == org.jclouds.blobstore.domain.StorageType.BLOB) {
        keys.add(m.getName());
      }
    }
    return keys;
  }

  void putRaw(String bucket, String key, byte[] content) {
    var store = context.getBlobStore();
    store.putBlob(bucket, store.blobBuilder(key).payload(content).build());
  }

  S3Destination.Settings settings(String bucket, String prefix) {
    return new S3Destination.Settings(
        endpoint(),
        bucket,
        prefix,
        "us-east-1",
        true,
        null,
        null,
        ACCESS_KEY,
        SECRET_KEY,
        null,
        caFile);
  }

  /** The environment the CLI reads its S3 credentials from. */
  static Map<String, String> env() {
    return Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY);
  }

  @Override
  public void close() {
    if (ownDir != null) {
      try (var files = java.nio.file.Files.list(ownDir)) {
        for (java.nio.file.Path f : files.toList()) {
          java.nio.file.Files.deleteIfExists(f);
        }
        java.nio.file.Files.deleteIfExists(ownDir);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    try {
      proxy.stop();
    } catch (Exception e) {
      throw new IllegalStateException("stopping s3proxy", e);
    } finally {
      context.close();
    }
  }
}
