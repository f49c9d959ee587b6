package org.loomio.operator.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * Backups in an S3 bucket (AWS or any S3-compatible server): {@code <prefix>/<backup>/<object>}.
 *
 * <p>The client is the AWS SDK v2 on the JDK's HTTP stack (url-connection-client). TLS certificates are
 * always verified. Checksums are sent and checked only where S3 requires them: SDK 2.30+ otherwise sends
 * CRC trailers with aws-chunked encoding, which many S3-compatible servers reject; our own SHA-256 check
 * after every upload is the integrity guarantee. Several requests (DeleteObjects) that would need such a
 * checksum are avoided for the same reason. Server-side encryption, when set, is a second layer under
 * OpenPGP, never instead of it.
 */
public final class S3Destination implements Destination {

  /** Objects up to this size go in one PUT; larger ones in parts of this size (S3 allows 10,000 parts). */
  static final long DEFAULT_PART_SIZE = 64L << 20;

  private static final int MAX_PARTS = 10_000;
  static final long MIN_PART_SIZE = 5L << 20;

  /**
   * Where and how to reach the bucket. {@code endpoint} null means AWS itself; {@code sse} is null,
   * "AES256" or "aws:kms" (with {@code kmsKeyId}, or the bucket's default KMS key when null).
   */
  /**
   * @param caFile PEM certificates of the CAs an https endpoint's certificate must chain to (an in-cluster
   *     server's own CA), instead of the JVM's default ones; null: the defaults
   */
  public record Settings(
      URI endpoint,
      String bucket,
      String prefix,
      String region,
      boolean pathStyle,
      String sse,
      String kmsKeyId,
      String accessKeyId,
      String secretAccessKey,
      String sessionToken,
      Path caFile) {

    /** The JVM's default CAs. */
    public Settings(
        URI endpoint,
        String bucket,
        String prefix,
        String region,
        boolean pathStyle,
        String sse,
        String kmsKeyId,
        String accessKeyId,
        String secretAccessKey,
        String sessionToken) {
      this(
          endpoint,
          bucket,
          prefix,
          region,
          pathStyle,
          sse,
          kmsKeyId,
          accessKeyId,
          secretAccessKey,
          sessionToken,
          null);
    }

    public Settings {
      if (bucket == null || bucket.isBlank()) {
        throw new IllegalArgumentException("an S3 bucket is required");
      }
      if (accessKeyId == null
          || accessKeyId.isBlank()
          || secretAccessKey == null
          || secretAccessKey.isBlank()) {
        throw new IllegalArgumentException(
            "S3 credentials are required (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)");
      }
      if (sse != null && !sse.equals("AES256") && !sse.equals("aws:kms")) {
        throw new IllegalArgumentException(
            "S3 server-side encryption must be AES256 or aws:kms, not '" + sse + "'");
      }
      if (kmsKeyId != null && !"aws:kms".equals(sse)) {
        throw new IllegalArgumentException("a KMS key id needs server-side encryption aws:kms");
      }
      if (endpoint != null
          && (endpoint.getScheme() == null
              || endpoint.getHost() == null
              || !(endpoint.getScheme().equals("https") || endpoint.getScheme().equals("http")))) {
        throw new IllegalArgumentException(
            "the S3 endpoint must be an http(s) URL, not '" + endpoint + "'");
      }
      if (caFile != null && (endpoint == null || !"https".equals(endpoint.getScheme()))) {
        throw new IllegalArgumentException(
            "a CA file is for an https endpoint, not '" + endpoint + "'");
      }
      prefix = normalizePrefix(prefix);
      region = region == null || region.isBlank() ? "us-east-1" : region;
    }

    /** Without the credentials: records print every field otherwise. */
    @Override
    public String toString() {
      return "S3 bucket " + bucket + (prefix.isEmpty() ? "" : " prefix " + prefix)
          + (endpoint == null ? "" : " at " + endpoint) + " (region " + region + ")";
    }

    private static String normalizePrefix(String prefix) {
      if (prefix == null) {
        return "";
      }
      String p = prefix.strip();
      while (p.startsWith("/")) {
        p = p.substring(1);
      }
      while (p.endsWith("/")) {
        p = p.substring(0, p.length() - 1);
      }
      if (Arrays.asList(p.split("/")).stream().anyMatch(s -> s.equals("..") || s.equals("."))) {
        throw new IllegalArgumentException("the S3 prefix must not contain '.' or '..' segments");
      }
      return p;
    }
  }

  private final Settings settings;
  private final String stack;
  private final S3Client s3;
  private final long partSize;
  private final int maxBackups;

  public S3Destination(Settings settings, String stack) {
    this(settings, stack, DEFAULT_PART_SIZE);
  }

  S3Destination(Settings settings, String stack, long partSize) {
    this(settings, stack, partSize, MAX_BACKUPS);
  }

  /** With a smaller listing limit than {@link Destination#MAX_BACKUPS}: tests. */
  S3Destination(Settings settings, String stack, long partSize, int maxBackups) {
    this.maxBackups = maxBackups;
    if (partSize < MIN_PART_SIZE) {
      throw new IllegalArgumentException("S3 parts are at least 5 MiB");
    }
    this.settings = settings;
    this.stack = BackupNames.requireValidStack(stack);
    this.partSize = partSize;
    this.s3 = client(settings);
  }

  private static S3Client client(Settings s) {
    AwsCredentials credentials = s.sessionToken() == null || s.sessionToken().isBlank()
        ? AwsBasicCredentials.create(s.accessKeyId(), s.secretAccessKey())
        : AwsSessionCredentials.create(s.accessKeyId(), s.secretAccessKey(), s.sessionToken());
    UrlConnectionHttpClient.Builder http = UrlConnectionHttpClient.builder()
        .connectionTimeout(Duration.ofSeconds(30))
        .socketTimeout(Duration.ofMinutes(5));
    if (s.caFile() != null) {
      TrustManager[] trust = trustManagers(s.caFile());
      http.tlsTrustManagersProvider(() -> trust);
    }
    S3ClientBuilder b = S3Client.builder()
        .httpClient(http.build())
        .region(Region.of(s.region()))
        .credentialsProvider(StaticCredentialsProvider.create(credentials))
        .forcePathStyle(s.pathStyle())
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    if (s.endpoint() != null) {
      b.endpointOverride(s.endpoint());
    }
    return b.build();
  }

  /** Trust exactly the CA certificates in a PEM file (the server's host name is still verified). */
  static TrustManager[] trustManagers(Path caFile) {
    try (InputStream in = Files.newInputStream(caFile)) {
      var certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certificates.isEmpty()) {
        throw new IllegalArgumentException("the CA file " + caFile + " holds no PEM certificate");
      }
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (var c : certificates) {
        store.setCertificateEntry("ca-" + i++, c);
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return factory.getTrustManagers();
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "the CA file " + caFile + " is not readable as PEM certificates: " + e.getMessage(), e);
    }
  }

  @Override
  public String kind() {
    return "s3";
  }

  @Override
  public String describe() {
    return "s3://" + settings.bucket() + "/" + settings.prefix();
  }

  @Override
  public String stack() {
    return stack;
  }

  private String base() {
    return settings.prefix().isEmpty() ? "" : settings.prefix() + "/";
  }

  private String key(String backup, String object) {
    Destination.checkKey(stack, backup, object);
    return base() + backup + "/" + object;
  }

  private String url(String key) {
    return "s3://" + settings.bucket() + "/" + key;
  }

  @Override
  public void put(String backup, String object, Path file, String sha256) throws IOException {
    String key = key(backup, object);
    long size = Files.size(file);
    try {
      if (size <= partSize) {
        s3.putObject(
            withSse(PutObjectRequest.builder()
                    .bucket(settings.bucket())
                    .key(key)
                    .contentLength(size)
                    .contentType("application/octet-stream")
                    .metadata(Map.of("sha256", sha256)))
                .build(),
            RequestBody.fromContentProvider(
                slice(file, 0, size), size, "application/octet-stream"));
      } else {
        putMultipart(key, file, size, sha256);
      }
    } catch (SdkException e) {
      throw new IOException("upload to " + url(key) + " failed: " + e.getMessage(), e);
    }
    verifyStored(backup, object, size, sha256);
  }

  private PutObjectRequest.Builder withSse(PutObjectRequest.Builder b) {
    if (settings.sse() != null) {
      b.serverSideEncryption(ServerSideEncryption.fromValue(settings.sse()));
      if (settings.kmsKeyId() != null) {
        b.ssekmsKeyId(settings.kmsKeyId());
      }
    }
    return b;
  }

  private void putMultipart(String key, Path file, long size, String sha256) {
    long part = Math.max(partSize, (size + MAX_PARTS - 1) / MAX_PARTS);
    CreateMultipartUploadRequest.Builder create = CreateMultipartUploadRequest.builder()
        .bucket(settings.bucket())
        .key(key)
        .contentType("application/octet-stream")
        .metadata(Map.of("sha256", sha256));
    if (settings.sse() != null) {
      create.serverSideEncryption(ServerSideEncryption.fromValue(settings.sse()));
      if (settings.kmsKeyId() != null) {
        create.ssekmsKeyId(settings.kmsKeyId());
      }
    }
    String uploadId = s3.createMultipartUpload(create.build()).uploadId();
    try {
      List<CompletedPart> parts = new ArrayList<>();
      int number = 1;
      for (long offset = 0; offset < size; offset += part, number++) {
        long length = Math.min(part, size - offset);
        String etag = s3.uploadPart(
                UploadPartRequest.builder()
                    .bucket(settings.bucket())
                    .key(key)
                    .uploadId(uploadId)
                    .partNumber(number)
                    .contentLength(length)
                    .build(),
                RequestBody.fromContentProvider(
                    slice(file, offset, length), length, "application/octet-stream"))
            .eTag();
        parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
      }
      s3.completeMultipartUpload(b -> b.bucket(settings.bucket())
          .key(key)
          .uploadId(uploadId)
          .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
    } catch (RuntimeException e) {
      try {
        s3.abortMultipartUpload(b -> b.bucket(settings.bucket()).key(key).uploadId(uploadId));
      } catch (RuntimeException abort) {
        e.addSuppressed(abort); // the bucket's lifecycle rules must clean it up
      }
      throw e;
    }
  }

  /**
   * A re-openable view of bytes [offset, offset+length) of a file: the SDK re-reads the body to sign it
   * and on retries, so the body must be a stream it can open again, never one buffered in memory.
   */
  private static ContentStreamProvider slice(Path file, long offset, long length) {
    return new ContentStreamProvider() {
      private InputStream current;

      @Override
      public InputStream newStream() {
        try {
          if (current != null) {
            current.close();
          }
          FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
          ch.position(offset);
          current = new BoundedInputStream(Channels.newInputStream(ch), length);
          return current;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }

      @Override
      public String name() {
        return "FileSlice";
      }
    };
  }

  @Override
  public InputStream open(String backup, String object) throws IOException {
    String key = key(backup, object);
    try {
      return s3.getObject(
          GetObjectRequest.builder().bucket(settings.bucket()).key(key).build());
    } catch (NoSuchKeyException e) {
      throw new NoSuchFileException(url(key), null, "no such object");
    } catch (SdkException e) {
      throw new IOException("download of " + url(key) + " failed: " + e.getMessage(), e);
    }
  }

  @Override
  public List<Listing> list() throws IOException {
    List<Listing> found = new ArrayList<>();
    try {
      // only this stack's first segments: a bucket shared with uploads may hold millions of other
      // keys
      String token = null;
      do {
        ListObjectsV2Response page = s3.listObjectsV2(ListObjectsV2Request.builder()
            .bucket(settings.bucket())
            .prefix(base() + stack + "-")
            .delimiter("/")
            .continuationToken(token)
            .build());
        for (CommonPrefix cp : page.commonPrefixes()) {
          String segment = cp.prefix().substring(base().length(), cp.prefix().length() - 1);
          Optional<Instant> created = BackupNames.parse(stack, segment);
          if (created.isPresent()) {
            if (found.size() == maxBackups) {
              throw Destination.tooManyBackups(this, maxBackups);
            }
            found.add(
                new Listing(segment, created.get(), exists(key(segment, Manifest.FILE_NAME))));
          }
        }
        token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
      } while (token != null);
    } catch (SdkException e) {
      throw new IOException("listing " + describe() + " failed: " + e.getMessage(), e);
    }
    return found;
  }

  private boolean exists(String key) {
    try {
      s3.headObject(
          HeadObjectRequest.builder().bucket(settings.bucket()).key(key).build());
      return true;
    } catch (NoSuchKeyException e) {
      return false;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return false;
      }
      throw e;
    }
  }

  @Override
  public void deleteBackup(String backup) throws IOException {
    String manifestKey = key(backup, Manifest.FILE_NAME);
    String prefix = base() + backup + "/";
    try {
      // the manifest first: an interrupted delete leaves an incomplete backup, never a "complete"
      // broken one
      s3.deleteObject(b -> b.bucket(settings.bucket()).key(manifestKey));
      // one DeleteObject per key: DeleteObjects needs a Content-MD5/CRC header that S3-compatible
      // servers disagree on
      int deleted = 0;
      for (S3Object o : s3.listObjectsV2Paginator(ListObjectsV2Request.builder()
              .bucket(settings.bucket())
              .prefix(prefix)
              .build())
          .contents()) {
        if (++deleted > MAX_OBJECTS_PER_BACKUP) {
          throw new IOException(url(prefix) + " holds more than " + MAX_OBJECTS_PER_BACKUP
              + " objects (refused: a backup has at most six; has someone else written there?)");
        }
        s3.deleteObject(b -> b.bucket(settings.bucket()).key(o.key()));
      }
    } catch (SdkException e) {
      throw new IOException("deleting " + url(prefix) + " failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void writeManifest(Manifest manifest, byte[] signature) throws IOException {
    if (signature != null) {
      writeSmall(
          manifest.backup(), Manifest.SIGNATURE_FILE, signature, "application/pgp-signature");
    }
    writeSmall(
        manifest.backup(), Manifest.FILE_NAME, manifest.toJson(), "application/json"); // last
  }

  private void writeSmall(String backup, String object, byte[] bytes, String contentType)
      throws IOException {
    String key = key(backup, object);
    try {
      s3.putObject(
          withSse(PutObjectRequest.builder()
                  .bucket(settings.bucket())
                  .key(key)
                  .contentType(contentType)
                  .contentLength((long) bytes.length))
              .build(),
          RequestBody.fromBytes(bytes));
    } catch (SdkException e) {
      throw new IOException("upload to " + url(key) + " failed: " + e.getMessage(), e);
    }
    verifySmall(backup, object, bytes);
  }

  @Override
  public void close() {
    s3.close();
  }
}
