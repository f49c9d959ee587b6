package org.loomio.operator.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of streams and files, and byte counting, in 64 KiB steps (never a whole file in memory). */
final class Digests {

  /** A SHA-256 (lower-case hex) and the number of bytes it covers. */
  record Result(String sha256, long bytes) {}

  private Digests() {}

  static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  static String hex(byte[] digest) {
    return HexFormat.of().formatHex(digest);
  }

  static Result sha256(InputStream in) throws IOException {
    MessageDigest md = newSha256();
    byte[] buffer = new byte[OpenPgp.BUFFER_SIZE];
    long n = 0;
    int r;
    while ((r = in.read(buffer)) >= 0) {
      md.update(buffer, 0, r);
      n += r;
    }
    return new Result(hex(md.digest()), n);
  }

  static Result sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return sha256(in);
    }
  }

  /**
   * Passes bytes through to {@code out}, hashing and counting them; closing closes {@code out}. The JDK's
   * DigestOutputStream over a counting stream.
   */
  static final class HashingOutputStream extends DigestOutputStream {
    private final CountingOutputStream counted;

    HashingOutputStream(OutputStream out) {
      this(new CountingOutputStream(out));
    }

    private HashingOutputStream(CountingOutputStream counted) {
      super(counted, newSha256());
      this.counted = counted;
    }

    /** The result; call once, after the last write. */
    Result result() {
      return new Result(hex(getMessageDigest().digest()), counted.count());
    }
  }

  /** Counts bytes written through it (the plaintext side of encryption). */
  static final class CountingOutputStream extends OutputStream {
    private final OutputStream out;
    private long count;

    CountingOutputStream(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() throws IOException {
      out.close();
    }

    long count() {
      return count;
    }
  }
}
