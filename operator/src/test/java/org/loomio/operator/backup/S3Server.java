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
 * port, with AWS v4 signatures checked against its own credentials.
 */
final class S3Server implements AutoCloseable {

  static final String ACCESS_KEY = "test-access-key";
  static final String SECRET_KEY = "test-secret-key-which-is-long-enough";

  private final BlobStoreContext context;
  private final S3Proxy proxy;

  S3Server() throws Exception {
    // by API metadata, not by provider id: looking up an id loads every provider s3proxy registers (Azure
    // among them), whose dependencies are excluded from the test classpath
    context = ContextBuilder.newBuilder(new TransientApiMetadata()).credentials("unused", "unused")
        .build(BlobStoreContext.class);
    proxy = S3Proxy.builder()
        .blobStore(context.getBlobStore())
        .endpoint(URI.create("http://127.0.0.1:0"))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
        .build();
    proxy.start(); // Jetty's start returns once the connector listens
    if (!"STARTED".equals(proxy.getState())) {
      throw new IllegalStateException("s3proxy did not start: " + proxy.getState());
    }
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + proxy.getPort());
  }

  void createBucket(String bucket) {
    context.getBlobStore().createContainerInLocation(null, bucket);
  }

  /** Every key in a bucket, straight from the blob store. */
  java.util.List<String> keys(String bucket) {
    java.util.List<String> keys = new java.util.ArrayList<>();
    for (var m : context.getBlobStore().list(bucket, org.jclouds.blobstore.options.ListContainerOptions.Builder.recursive())) {
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
    return new S3Destination.Settings(endpoint(), bucket, prefix, "us-east-1", true, null, null, ACCESS_KEY,
        SECRET_KEY, null);
  }

  /** The environment the CLI reads its S3 credentials from. */
  static Map<String, String> env() {
    return Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY);
  }

  @Override
  public void close() {
    try {
      proxy.stop();
    } catch (Exception e) {
      throw new IllegalStateException("stopping s3proxy", e);
    } finally {
      context.close();
    }
  }
}
