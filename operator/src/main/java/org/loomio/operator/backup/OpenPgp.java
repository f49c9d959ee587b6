package org.loomio.operator.backup;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.bcpg.ArmoredInputStream;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.CompressionAlgorithmTags;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyPacket;
import org.bouncycastle.bcpg.SignatureSubpacketTags;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.bcpg.sig.Features;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.generators.X25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.crypto.params.X25519KeyGenerationParameters;
import org.bouncycastle.openpgp.PGPCompressedData;
import org.bouncycastle.openpgp.PGPEncryptedData;
import org.bouncycastle.openpgp.PGPEncryptedDataGenerator;
import org.bouncycastle.openpgp.PGPEncryptedDataList;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPLiteralDataGenerator;
import org.bouncycastle.openpgp.PGPMarker;
import org.bouncycastle.openpgp.PGPOnePassSignatureList;
import org.bouncycastle.openpgp.PGPPBEEncryptedData;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyEncryptedData;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRingCollection;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketVector;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.PGPDigestCalculator;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPBEDataDecryptorFactory;
import org.bouncycastle.openpgp.operator.bc.BcPBEKeyEncryptionMethodGenerator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPDataEncryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyPair;
import org.bouncycastle.openpgp.operator.bc.BcPublicKeyDataDecryptorFactory;
import org.bouncycastle.openpgp.operator.bc.BcPublicKeyKeyEncryptionMethodGenerator;

/**
 * OpenPGP for backups, on Bouncy Castle's lightweight API, chosen so that Debian's stock {@code gpg} 2.2
 * decrypts every backup without the operator: v4 keys, AES-256, SEIPD version 1 with a modification
 * detection code (never RFC 9580 v6 keys, SEIPD v2 or AEAD, which gpg 2.2 cannot read), no compression
 * (pg_dump's custom format is compressed already, and compression leaks sizes), binary output.
 *
 * <p>Everything streams: literal and encrypted packets use partial lengths with a 64 KiB buffer, so memory
 * stays bounded whatever the size of the database or the uploads.
 */
public final class OpenPgp {

  /** Partial-packet buffer: 64 KiB (a power of two, as OpenPGP partial lengths require). */
  static final int BUFFER_SIZE = 1 << 16;
  /**
   * S2K iteration count byte for passphrase mode: 0xFF encodes 65,011,712 bytes hashed, gpg's upper
   * calibration range; it slows down guessing a weak passphrase and costs well under a second per object.
   */
  private static final int S2K_COUNT = 0xFF;

  private static final Pattern ARMOR_BLOCK =
      Pattern.compile("-----BEGIN PGP ([A-Z ]+)-----\\R.*?-----END PGP \\1-----", Pattern.DOTALL);
  private static final SecureRandom RANDOM = new SecureRandom();

  private OpenPgp() {}

  /** Any OpenPGP failure: bad key material, wrong key or passphrase, damaged or tampered ciphertext. */
  public static final class PgpException extends IOException {
    private static final long serialVersionUID = 1L;

    public PgpException(String message) {
      super(message);
    }

    public PgpException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  // ----------------------------------------------------------------------------------------------
  // keys

  /** A fresh key: armored public and (unprotected) secret key rings and the primary key's fingerprint. */
  public record GeneratedKey(String publicKeyRing, String secretKeyRing, String fingerprint) {
    @Override
    public String toString() {
      return "GeneratedKey[" + fingerprint + "]"; // never the secret key ring
    }
  }

  /** A recipient: its primary key's fingerprint (what the manifest records) and the key encrypted to. */
  public record Recipient(String fingerprint, PGPPublicKey encryptionKey) {}

  /**
   * A v4 key ring for {@code userId}: an Ed25519 primary key that certifies and signs and a Curve25519 (ECDH)
   * subkey that encrypts, with AES-256 first in its preferences and the MDC feature, as {@code gpg
   * --quick-gen-key ... future-default} makes them (gpg 2.2 reads and encrypts to them). Generating one takes
   * milliseconds, where RSA-3072 took about half a second of a reconcile. The
   * secret key ring is not passphrase-protected: it is meant to be stored in a Kubernetes Secret or offline.
   */
  public static GeneratedKey generateKey(String userId) throws PgpException {
    try {
      // whole seconds: key creation times are stored in seconds, fingerprints must not depend on
      // millis
      Date now = new Date(System.currentTimeMillis() / 1000 * 1000);
      Ed25519KeyPairGenerator signing = new Ed25519KeyPairGenerator();
      signing.init(new Ed25519KeyGenerationParameters(RANDOM));
      PGPKeyPair primary = new BcPGPKeyPair(
          PublicKeyPacket.VERSION_4,
          PublicKeyAlgorithmTags.EDDSA_LEGACY,
          signing.generateKeyPair(),
          now);
      X25519KeyPairGenerator encryption = new X25519KeyPairGenerator();
      encryption.init(new X25519KeyGenerationParameters(RANDOM));
      PGPKeyPair subkey = new BcPGPKeyPair(
          PublicKeyPacket.VERSION_4,
          PublicKeyAlgorithmTags.ECDH,
          encryption.generateKeyPair(),
          now);

      PGPSignatureSubpacketGenerator primaryAttrs = new PGPSignatureSubpacketGenerator();
      primaryAttrs.setKeyFlags(false, KeyFlags.CERTIFY_OTHER | KeyFlags.SIGN_DATA);
      primaryAttrs.setPreferredSymmetricAlgorithms(false, new int[] {
        SymmetricKeyAlgorithmTags.AES_256,
        SymmetricKeyAlgorithmTags.AES_192,
        SymmetricKeyAlgorithmTags.AES_128
      });
      primaryAttrs.setPreferredHashAlgorithms(
          false,
          new int[] {HashAlgorithmTags.SHA512, HashAlgorithmTags.SHA384, HashAlgorithmTags.SHA256});
      primaryAttrs.setPreferredCompressionAlgorithms(
          false, new int[] {CompressionAlgorithmTags.UNCOMPRESSED});
      // SEIPD v1 (MDC) only: advertising v2 would invite senders to use a format gpg 2.2 cannot
      // read
      primaryAttrs.setFeature(false, Features.FEATURE_MODIFICATION_DETECTION);

      PGPSignatureSubpacketGenerator subkeyAttrs = new PGPSignatureSubpacketGenerator();
      subkeyAttrs.setKeyFlags(false, KeyFlags.ENCRYPT_COMMS | KeyFlags.ENCRYPT_STORAGE);

      PGPDigestCalculator sha1 = new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA1);
      PGPKeyRingGenerator rings = new PGPKeyRingGenerator(
          PGPSignature.POSITIVE_CERTIFICATION,
          primary,
          userId,
          sha1,
          primaryAttrs.generate(),
          null,
          new BcPGPContentSignerBuilder(
              PublicKeyAlgorithmTags.EDDSA_LEGACY, HashAlgorithmTags.SHA512),
          null);
      rings.addSubKey(subkey, subkeyAttrs.generate(), null);
      PGPPublicKeyRing publicRing = rings.generatePublicKeyRing();
      PGPSecretKeyRing secretRing = rings.generateSecretKeyRing();
      return new GeneratedKey(
          armor(publicRing.getEncoded()),
          armor(secretRing.getEncoded()),
          fingerprint(publicRing.getPublicKey()));
    } catch (PGPException | IOException e) {
      throw new PgpException("could not generate an OpenPGP key: " + e.getMessage(), e);
    }
  }

  /**
   * A v4 signing key for {@code userId}: one Ed25519 (EdDSA) primary key that certifies and signs, nothing that
   * encrypts (it signs backup manifests; encryption stays with the recipients). gpg 2.2 imports it and verifies
   * its signatures ({@code gpg --verify manifest.json.sig manifest.json}).
   */
  public static GeneratedKey generateSigningKey(String userId) throws PgpException {
    try {
      Date now = new Date(System.currentTimeMillis() / 1000 * 1000);
      Ed25519KeyPairGenerator signing = new Ed25519KeyPairGenerator();
      signing.init(new Ed25519KeyGenerationParameters(RANDOM));
      PGPKeyPair primary = new BcPGPKeyPair(
          PublicKeyPacket.VERSION_4,
          PublicKeyAlgorithmTags.EDDSA_LEGACY,
          signing.generateKeyPair(),
          now);
      PGPSignatureSubpacketGenerator attrs = new PGPSignatureSubpacketGenerator();
      attrs.setKeyFlags(false, KeyFlags.CERTIFY_OTHER | KeyFlags.SIGN_DATA);
      attrs.setPreferredHashAlgorithms(
          false, new int[] {HashAlgorithmTags.SHA512, HashAlgorithmTags.SHA256});
      attrs.setFeature(false, Features.FEATURE_MODIFICATION_DETECTION);
      PGPDigestCalculator sha1 = new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA1);
      PGPKeyRingGenerator rings = new PGPKeyRingGenerator(
          PGPSignature.POSITIVE_CERTIFICATION,
          primary,
          userId,
          sha1,
          attrs.generate(),
          null,
          new BcPGPContentSignerBuilder(
              PublicKeyAlgorithmTags.EDDSA_LEGACY, HashAlgorithmTags.SHA512),
          null);
      PGPPublicKeyRing publicRing = rings.generatePublicKeyRing();
      return new GeneratedKey(
          armor(publicRing.getEncoded()),
          armor(rings.generateSecretKeyRing().getEncoded()),
          fingerprint(publicRing.getPublicKey()));
    } catch (PGPException | IOException e) {
      throw new PgpException("could not generate an OpenPGP signing key: " + e.getMessage(), e);
    }
  }

  /** Makes detached signatures with one (unprotected) secret key; stateless and reusable. */
  public static final class Signer {
    private final PGPPrivateKey key;
    private final PGPPublicKey publicKey;
    private final String fingerprint;
    private final PGPPublicKeyRing ring;

    private Signer(
        PGPPrivateKey key, PGPPublicKey publicKey, String fingerprint, PGPPublicKeyRing ring) {
      this.key = key;
      this.publicKey = publicKey;
      this.fingerprint = fingerprint;
      this.ring = ring;
    }

    /** A verifier trusting exactly this key's public half. */
    public Verifier verifier() {
      return new Verifier(List.of(ring));
    }

    /** The primary key's fingerprint (what a verifier reports). */
    public String fingerprint() {
      return fingerprint;
    }

    /** An armored detached signature over {@code data} (binary document, SHA-512), as gpg --detach-sign --armor. */
    public byte[] sign(byte[] data) throws PgpException {
      try {
        PGPSignatureGenerator generator = new PGPSignatureGenerator(
            new BcPGPContentSignerBuilder(publicKey.getAlgorithm(), HashAlgorithmTags.SHA512),
            publicKey);
        generator.init(PGPSignature.BINARY_DOCUMENT, key);
        PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
        hashed.setSignatureCreationTime(false, new Date());
        hashed.setIssuerFingerprint(false, publicKey);
        generator.setHashedSubpackets(hashed.generate());
        generator.update(data);
        return armor(generator.generate().getEncoded()).getBytes(StandardCharsets.US_ASCII);
      } catch (PGPException | IOException | RuntimeException e) {
        throw new PgpException("could not sign: " + e.getMessage(), e);
      }
    }
  }

  /** The signer of an armored secret key block: its first key that may sign (the primary key of ours). */
  public static Signer signerFrom(String armored) throws PgpException {
    for (Block block : dearmor(armored)) {
      if (!block.type().equals("PRIVATE KEY BLOCK")) {
        throw new PgpException(
            "expected a 'PGP PRIVATE KEY BLOCK' to sign with, found 'PGP " + block.type() + "'");
      }
      try {
        for (PGPSecretKeyRing ring :
            new PGPSecretKeyRingCollection(block.data(), new BcKeyFingerprintCalculator())) {
          for (PGPSecretKey secret : ring) {
            if (secret.isPrivateKeyEmpty()
                || !secret.isSigningKey()
                || secret.getPublicKey().getVersion() != PublicKeyPacket.VERSION_4) {
              continue;
            }
            if (secret.getS2KUsage() != 0) {
              throw new PgpException("the signing key is passphrase-protected; it must not be");
            }
            if (!maySign(ring.getPublicKey(), secret.getPublicKey(), System.currentTimeMillis())) {
              continue;
            }
            PGPPublicKey primary = ring.getPublicKey();
            List<PGPPublicKey> publicKeys = new ArrayList<>();
            ring.getPublicKeys().forEachRemaining(publicKeys::add);
            return new Signer(
                secret.extractPrivateKey(null),
                secret.getPublicKey(),
                fingerprint(primary),
                new PGPPublicKeyRing(publicKeys));
          }
        }
      } catch (PgpException e) {
        throw e;
      } catch (PGPException | IOException | RuntimeException e) {
        throw new PgpException("unreadable OpenPGP signing key: " + e.getMessage(), e);
      }
    }
    throw new PgpException("the key block holds no private key that may sign");
  }

  /** Verifies detached signatures against a fixed set of public keys. */
  public static final class Verifier {
    private final List<PGPPublicKeyRing> rings;

    private Verifier(List<PGPPublicKeyRing> rings) {
      this.rings = rings;
    }

    /** The primary-key fingerprints of the keys it trusts. */
    public List<String> fingerprints() {
      return rings.stream().map(r -> fingerprint(r.getPublicKey())).toList();
    }

    /** When the oldest trusted key was made (its primary key's creation time, which its signature covers). */
    public Instant oldestKeyCreated() {
      return rings.stream()
          .map(r -> r.getPublicKey().getCreationTime().toInstant())
          .min(Comparator.naturalOrder())
          .orElseThrow();
    }

    /**
     * The fingerprint (of the primary key) of a trusted key whose valid signature over {@code data} is in
     * {@code signature} (armored or binary, one or more signature packets); a {@link PgpException} saying why
     * otherwise: unreadable, made by another key, a weak hash, not a document signature, or not matching.
     */
    public String verify(byte[] data, byte[] signature) throws PgpException {
      List<PGPSignature> signatures = new ArrayList<>();
      try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(signature))) {
        BcPGPObjectFactory factory = new BcPGPObjectFactory(in);
        Object o;
        while ((o = factory.nextObject()) != null) {
          if (!(o instanceof PGPSignatureList list)) {
            throw new PgpException(
                "the signature file holds a " + o.getClass().getSimpleName() + ", not a signature");
          }
          list.forEach(signatures::add);
        }
      } catch (PgpException e) {
        throw e;
      } catch (IOException | RuntimeException e) {
        throw new PgpException("unreadable OpenPGP signature: " + e.getMessage(), e);
      }
      if (signatures.isEmpty()) {
        throw new PgpException("the signature file holds no signature");
      }
      List<String> problems = new ArrayList<>();
      for (PGPSignature sig : signatures) {
        String issuer = String.format(Locale.ROOT, "%016X", sig.getKeyID());
        if (sig.getSignatureType() != PGPSignature.BINARY_DOCUMENT) {
          problems.add("signature by " + issuer + " is not a document signature");
          continue;
        }
        int hash = sig.getHashAlgorithm();
        if (hash != HashAlgorithmTags.SHA256
            && hash != HashAlgorithmTags.SHA384
            && hash != HashAlgorithmTags.SHA512) {
          problems.add(
              "signature by " + issuer + " uses a weak or unknown hash algorithm (" + hash + ")");
          continue;
        }
        for (PGPPublicKeyRing ring : rings) {
          PGPPublicKey key = ring.getPublicKey(sig.getKeyID());
          if (key == null) {
            continue;
          }
          if (!maySign(ring.getPublicKey(), key, sig.getCreationTime().getTime())) {
            problems.add("key " + issuer + " may not sign (revoked, expired or not a signing key)");
            continue;
          }
          try {
            sig.init(new BcPGPContentVerifierBuilderProvider(), key);
            sig.update(data);
            if (sig.verify()) {
              return fingerprint(ring.getPublicKey());
            }
            problems.add("the signature by " + issuer
                + " does not match the manifest (it was modified or forged)");
          } catch (PGPException | RuntimeException e) {
            problems.add("the signature by " + issuer + " cannot be checked: " + e.getMessage());
          }
        }
        if (problems.isEmpty() || !problems.get(problems.size() - 1).contains(issuer)) {
          problems.add(
              "signed by key " + issuer + ", which is not the stack's signing key (trusted: "
                  + String.join(", ", fingerprints()) + ")");
        }
      }
      throw new PgpException(String.join("; ", problems));
    }
  }

  private static boolean maySign(PGPPublicKey primary, PGPPublicKey key, long at) {
    if (key.getVersion() != PublicKeyPacket.VERSION_4
        || primary.hasRevocation()
        || key.hasRevocation()
        || expired(primary, at)
        || expired(key, at)) {
      return false;
    }
    Integer flags = key.isMasterKey() ? selfFlags(primary) : boundFlags(primary, key);
    return flags != null && (flags == 0 || (flags & KeyFlags.SIGN_DATA) != 0);
  }

  /** A verifier trusting the keys of one or more armored public key blocks (never a private key). */
  public static Verifier verifierFrom(String armored) throws PgpException {
    List<PGPPublicKeyRing> rings = new ArrayList<>();
    for (Block block : dearmor(armored)) {
      if (!block.type().equals("PUBLIC KEY BLOCK")) {
        throw new PgpException("the verification key holds a 'PGP " + block.type()
            + "'; only public keys belong there (never a private key)");
      }
      try {
        new PGPPublicKeyRingCollection(block.data(), new BcKeyFingerprintCalculator())
            .forEach(rings::add);
      } catch (PGPException | IOException | RuntimeException e) {
        throw new PgpException("unreadable OpenPGP public key: " + e.getMessage(), e);
      }
    }
    if (rings.isEmpty()) {
      throw new PgpException("no OpenPGP public key found");
    }
    return new Verifier(List.copyOf(rings));
  }

  /** Upper-case hex, as gpg prints fingerprints. */
  public static String fingerprint(PGPPublicKey key) {
    return HexFormat.of().withUpperCase().formatHex(key.getFingerprint());
  }

  private static String armor(byte[] encoded) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    // no Version header; the CRC line kept for older readers
    try (ArmoredOutputStream out =
        ArmoredOutputStream.builder().clearHeaders().enableCRC(true).build(bytes)) {
      out.write(encoded);
    }
    return bytes.toString(StandardCharsets.US_ASCII);
  }

  /**
   * The recipients in one or more armored public key blocks (as {@code gpg --export --armor} writes them;
   * several blocks may be concatenated, and one block may hold several keys). Of each key ring the newest
   * valid key that may encrypt is used; a ring without one is an error, not silently skipped.
   */
  public static List<Recipient> readRecipients(String armored) throws PgpException {
    List<Recipient> recipients = new ArrayList<>();
    for (Block block : dearmor(armored)) {
      if (!block.type().equals("PUBLIC KEY BLOCK")) {
        throw new PgpException("the recipients hold a 'PGP " + block.type()
            + "'; only public keys belong there (never a private key)");
      }
      PGPPublicKeyRingCollection rings;
      try {
        rings = new PGPPublicKeyRingCollection(block.data(), new BcKeyFingerprintCalculator());
      } catch (PGPException | IOException | RuntimeException e) {
        throw new PgpException("unreadable OpenPGP public key: " + e.getMessage(), e);
      }
      for (PGPPublicKeyRing ring : rings) {
        recipients.add(new Recipient(fingerprint(ring.getPublicKey()), encryptionKey(ring)));
      }
    }
    if (recipients.isEmpty()) {
      throw new PgpException("no OpenPGP public key found");
    }
    return List.copyOf(recipients);
  }

  private static PGPPublicKey encryptionKey(PGPPublicKeyRing ring) throws PgpException {
    PGPPublicKey primary = ring.getPublicKey();
    String fpr = fingerprint(primary);
    if (primary.getVersion() != PublicKeyPacket.VERSION_4) {
      throw new PgpException("key " + fpr + " is an OpenPGP v" + primary.getVersion()
          + " key; only v4 keys are supported (gpg 2.2 reads nothing newer)");
    }
    if (primary.hasRevocation()) {
      throw new PgpException("key " + fpr + " is revoked");
    }
    long now = System.currentTimeMillis();
    PGPPublicKey best = null;
    for (PGPPublicKey key : ring) {
      if (!key.isEncryptionKey()
          || key.getVersion() != PublicKeyPacket.VERSION_4
          || key.hasRevocation()
          || expired(key, now)) {
        continue;
      }
      Integer flags = key.isMasterKey() ? selfFlags(primary) : boundFlags(primary, key);
      if (!key.isMasterKey() && flags == null) {
        continue; // no valid binding signature: not the key owner's subkey
      }
      if (flags != null
          && flags != 0
          && (flags & (KeyFlags.ENCRYPT_COMMS | KeyFlags.ENCRYPT_STORAGE)) == 0) {
        continue;
      }
      if (best == null
          || key.getCreationTime().after(best.getCreationTime())
          || (best.isMasterKey()
              && !key.isMasterKey()
              && !key.getCreationTime().before(best.getCreationTime()))) {
        best = key;
      }
    }
    if (best == null) {
      throw new PgpException(
          "key " + fpr + " has no valid key that can encrypt (expired, revoked or sign-only)");
    }
    return best;
  }

  private static boolean expired(PGPPublicKey key, long now) {
    long valid = key.getValidSeconds();
    return valid > 0 && key.getCreationTime().getTime() + valid * 1000 < now;
  }

  /** Key flags from the primary key's self-signatures (0 when none carries them). */
  private static Integer selfFlags(PGPPublicKey primary) {
    int flags = 0;
    for (Iterator<PGPSignature> it = primary.getSignatures(); it.hasNext(); ) {
      PGPSignature sig = it.next();
      PGPSignatureSubpacketVector hashed = sig.getHashedSubPackets();
      if (sig.getKeyID() == primary.getKeyID()
          && hashed != null
          && hashed.hasSubpacket(SignatureSubpacketTags.KEY_FLAGS)) {
        flags = hashed.getKeyFlags();
      }
    }
    return flags;
  }

  /** Key flags of a subkey's verified binding signature, or null if it has no valid one. */
  private static Integer boundFlags(PGPPublicKey primary, PGPPublicKey subkey) {
    for (Iterator<PGPSignature> it = subkey.getSignaturesOfType(PGPSignature.SUBKEY_BINDING);
        it.hasNext(); ) {
      PGPSignature sig = it.next();
      try {
        sig.init(new BcPGPContentVerifierBuilderProvider(), primary);
        if (sig.verifyCertification(primary, subkey)) {
          PGPSignatureSubpacketVector hashed = sig.getHashedSubPackets();
          return hashed != null && hashed.hasSubpacket(SignatureSubpacketTags.KEY_FLAGS)
              ? hashed.getKeyFlags()
              : 0;
        }
      } catch (PGPException | RuntimeException e) {
        // an unverifiable binding signature binds nothing: try the next one
      }
    }
    return null;
  }

  private record Block(String type, byte[] data) {}

  /** Every armored block in the text, decoded (the armor checksum is checked by Bouncy Castle). */
  private static List<Block> dearmor(String armored) throws PgpException {
    List<Block> blocks = new ArrayList<>();
    Matcher m = ARMOR_BLOCK.matcher(Objects.requireNonNull(armored, "armored"));
    while (m.find()) {
      try (InputStream in = ArmoredInputStream.builder()
          .build(new ByteArrayInputStream(m.group().getBytes(StandardCharsets.US_ASCII)))) {
        blocks.add(new Block(m.group(1), in.readAllBytes()));
      } catch (IOException | RuntimeException e) {
        throw new PgpException(
            "damaged ASCII armor (PGP " + m.group(1) + "): " + e.getMessage(), e);
      }
    }
    if (blocks.isEmpty()) {
      throw new PgpException("no ASCII-armored OpenPGP block found (-----BEGIN PGP ...-----)");
    }
    return blocks;
  }

  // ------------------------------------------------------------------------------------------
  // encrypt

  /** Creates encrypting streams; stateless and reusable. */
  public static final class Encryptor {
    private final List<Recipient> recipients;
    private final char[] passphrase;

    private Encryptor(List<Recipient> recipients, char[] passphrase) {
      this.recipients = recipients;
      this.passphrase = passphrase;
    }

    /** "publicKey" or "passphrase", as the manifest records it. */
    public String mode() {
      return passphrase == null ? Manifest.MODE_PUBLIC_KEY : Manifest.MODE_PASSPHRASE;
    }

    /** Primary-key fingerprints of the recipients (empty in passphrase mode). */
    public List<String> recipientFingerprints() {
      return recipients.stream().map(Recipient::fingerprint).toList();
    }

    /**
     * A stream that encrypts what is written to it into {@code ciphertext}. Closing it finishes the
     * OpenPGP message but leaves {@code ciphertext} open. {@code fileName} goes into the literal packet
     * (gpg shows it; it is not a secret).
     */
    public OutputStream open(OutputStream ciphertext, String fileName) throws IOException {
      BcPGPDataEncryptorBuilder data = new BcPGPDataEncryptorBuilder(
              SymmetricKeyAlgorithmTags.AES_256)
          .setWithIntegrityPacket(
              true) // SEIPD v1 with MDC; no AEAD (SEIPD v2), which gpg 2.2 cannot read
          .setSecureRandom(RANDOM);
      PGPEncryptedDataGenerator encrypted = new PGPEncryptedDataGenerator(data);
      OutputStream encryptedOut;
      try {
        if (passphrase != null) {
          encrypted.addMethod(new BcPBEKeyEncryptionMethodGenerator(
                  passphrase,
                  new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA256),
                  S2K_COUNT)
              .setSecureRandom(RANDOM));
        } else {
          for (Recipient r : recipients) {
            encrypted.addMethod(new BcPublicKeyKeyEncryptionMethodGenerator(r.encryptionKey())
                .setSecureRandom(RANDOM));
          }
        }
        encryptedOut = encrypted.open(ciphertext, new byte[BUFFER_SIZE]);
      } catch (PGPException e) {
        throw new PgpException("could not start encryption: " + e.getMessage(), e);
      }
      PGPLiteralDataGenerator literal = new PGPLiteralDataGenerator();
      OutputStream literalOut = literal.open(
          encryptedOut, PGPLiteralData.BINARY, fileName, new Date(), new byte[BUFFER_SIZE]);
      return new FilterOutputStream(literalOut) {
        private boolean closed;

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          out.write(b, off, len); // FilterOutputStream would write byte by byte
        }

        @Override
        public void close() throws IOException {
          if (!closed) {
            closed = true;
            literal.close();
            encrypted.close();
          }
        }
      };
    }
  }

  /** Encrypts to every recipient (each can decrypt alone). */
  public static Encryptor encryptTo(List<Recipient> recipients) {
    if (recipients == null || recipients.isEmpty()) {
      throw new IllegalArgumentException("no recipients");
    }
    return new Encryptor(List.copyOf(recipients), null);
  }

  /** Encrypts with a passphrase (S2K iterated and salted, SHA-256; AES-256). */
  public static Encryptor encryptWithPassphrase(char[] passphrase) {
    if (passphrase == null || passphrase.length == 0) {
      throw new IllegalArgumentException("empty passphrase");
    }
    return new Encryptor(List.of(), passphrase.clone());
  }

  // ------------------------------------------------------------------------------------------
  // decrypt

  /** Decrypts messages with secret keys or a passphrase, verifying their integrity. */
  public static final class Decryptor {
    private final Map<Long, PGPSecretKey> secretKeys;
    private final char[] passphrase;

    private Decryptor(Map<Long, PGPSecretKey> secretKeys, char[] passphrase) {
      this.secretKeys = secretKeys;
      this.passphrase = passphrase;
    }

    /**
     * Decrypts one message from {@code ciphertext} into {@code plaintext} and returns the number of
     * plaintext bytes. Plaintext is written as it is decrypted, and the integrity check (MDC) can only
     * complete at the end: when this throws, whatever was written must be discarded. Messages without
     * integrity protection are refused.
     */
    public long decrypt(InputStream ciphertext, OutputStream plaintext) throws IOException {
      return decrypt(ciphertext, plaintext, Long.MAX_VALUE);
    }

    /**
     * As {@link #decrypt(InputStream, OutputStream)}, but fails as soon as the plaintext would exceed
     * {@code maxBytes} (nothing beyond it is written): what bounds memory when the plaintext is kept in memory,
     * and disk when a manifest says how large an object is.
     */
    public long decrypt(InputStream ciphertext, OutputStream plaintext, long maxBytes)
        throws IOException {
      long n = 0;
      byte[] buffer = new byte[BUFFER_SIZE];
      try (InputStream in = open(ciphertext)) {
        int r;
        // at most one byte past the limit is ever read (no overflow: maxBytes - n >= 0 here)
        while ((r = in.read(
                buffer,
                0,
                maxBytes - n >= buffer.length ? buffer.length : (int) (maxBytes - n) + 1))
            >= 0) {
          if (n + r > maxBytes) {
            throw new PgpException(
                "the decrypted data exceeds its limit of " + maxBytes + " bytes (refused)");
          }
          plaintext.write(buffer, 0, r);
          n += r;
        }
      }
      return n;
    }

    /**
     * The plaintext of one message as a stream. Reaching its end checks the integrity (MDC) and throws a
     * {@link PgpException} if the message was modified or truncated, so a reader must read it to the end
     * before trusting anything it read (closing it early skips the check).
     */
    public InputStream open(InputStream ciphertext) throws IOException {
      try {
        InputStream decoded = PGPUtil.getDecoderStream(ciphertext);
        BcPGPObjectFactory factory = new BcPGPObjectFactory(decoded);
        Object first = factory.nextObject();
        while (first instanceof PGPMarker) {
          first = factory.nextObject();
        }
        if (!(first instanceof PGPEncryptedDataList list)) {
          throw new PgpException("not an OpenPGP encrypted message");
        }
        PGPEncryptedData chosen = null;
        InputStream clear = null;
        List<String> keyIds = new ArrayList<>();
        boolean passphraseEncrypted = false;
        for (PGPEncryptedData ed : list) {
          passphraseEncrypted |= ed instanceof PGPPBEEncryptedData;
          if (passphrase != null && ed instanceof PGPPBEEncryptedData pbe) {
            requireIntegrity(ed);
            try {
              clear = pbe.getDataStream(
                  new BcPBEDataDecryptorFactory(passphrase, new BcPGPDigestCalculatorProvider()));
            } catch (PGPException e) {
              throw new PgpException("wrong passphrase, or the data is damaged", e);
            }
            chosen = ed;
            break;
          }
          if (passphrase == null && ed instanceof PGPPublicKeyEncryptedData pk) {
            long keyId = pk.getKeyIdentifier().getKeyId();
            keyIds.add(String.format(Locale.ROOT, "%016X", keyId));
            PGPKeyPair key = keyPair(keyId);
            if (key != null) {
              requireIntegrity(ed);
              clear = pk.getDataStream(new BcPublicKeyDataDecryptorFactory(key));
              chosen = ed;
              break;
            }
          }
        }
        if (chosen == null) {
          throw new PgpException(
              passphrase != null
                  ? "the data is not passphrase-encrypted (it is encrypted to keys: give the private key)"
                  : keyIds.isEmpty() && passphraseEncrypted
                      ? "the data is passphrase-encrypted: give the passphrase, not a private key"
                      : "none of the given private keys can decrypt the data (it is encrypted to key ids "
                          + String.join(", ", keyIds) + ")");
        }
        return new VerifyingInputStream(new BcPGPObjectFactory(clear), chosen);
      } catch (PgpException e) {
        throw e;
      } catch (PGPException | IOException | RuntimeException e) {
        throw damaged(e);
      }
    }

    private PGPKeyPair keyPair(long keyId) throws PGPException, PgpException {
      if (keyId == 0) {
        return null; // anonymous recipient ("throw-keyids"): not something we write
      }
      PGPSecretKey secret = secretKeys.get(keyId);
      if (secret == null) {
        return null;
      }
      if (secret.getS2KUsage() != 0) {
        throw new PgpException("private key " + String.format(Locale.ROOT, "%016X", keyId)
            + " is passphrase-protected; export it without a passphrase for the restore");
      }
      return secret.extractKeyPair(null);
    }
  }

  private static void requireIntegrity(PGPEncryptedData ed) throws PgpException {
    if (!ed.isIntegrityProtected()) {
      throw new PgpException(
          "refusing a message without integrity protection (no MDC): it could have been"
              + " modified undetectably");
    }
  }

  private static PgpException damaged(Exception e) {
    if (e instanceof PgpException p) {
      return p;
    }
    if (e instanceof EOFException) {
      return new PgpException("the encrypted data is truncated", e);
    }
    return new PgpException(
        "decryption failed, the data is damaged or was modified: " + e.getMessage(), e);
  }

  /**
   * The literal data of a decrypted message; at its end, checks that nothing but signatures follows and
   * that the MDC matches, and only then reports end of stream.
   */
  private static final class VerifyingInputStream extends InputStream {
    private final PGPEncryptedData encrypted;
    private final BcPGPObjectFactory factory;
    private final InputStream data;
    private boolean verified;

    VerifyingInputStream(BcPGPObjectFactory factory, PGPEncryptedData encrypted)
        throws IOException, PGPException {
      this.encrypted = encrypted;
      Object packet = factory.nextObject();
      if (packet instanceof PGPCompressedData) {
        // we never compress, and a compressed packet is how a few KiB become gigabytes of
        // plaintext: refused
        // before a single byte is inflated (gpg's default compresses: encrypt with --compress-algo
        // none)
        throw new PgpException(
            "refusing a compressed OpenPGP message: backups are never compressed, and"
                + " decompressing untrusted data could exhaust memory or disk (encrypt with gpg --compress-algo none)");
      }
      if (packet instanceof PGPOnePassSignatureList) {
        packet =
            factory.nextObject(); // a signed message: its signature is not what is checked here
      }
      if (!(packet instanceof PGPLiteralData literal)) {
        throw new PgpException("unexpected OpenPGP content: "
            + (packet == null ? "nothing" : packet.getClass().getSimpleName()));
      }
      this.factory = factory;
      this.data = literal.getInputStream();
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int r = read(one, 0, 1);
      return r < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (verified) {
        return -1;
      }
      int r;
      try {
        r = data.read(b, off, len);
      } catch (IOException | RuntimeException e) {
        throw damaged(e);
      }
      if (r < 0) {
        finish();
        return -1;
      }
      return r;
    }

    private void finish() throws IOException {
      try {
        Object trailer;
        while ((trailer = factory.nextObject()) != null) {
          if (!(trailer instanceof PGPSignatureList)) {
            throw new PgpException("unexpected OpenPGP packet after the data: "
                + trailer.getClass().getSimpleName());
          }
        }
        if (!encrypted.verify()) {
          throw new PgpException(
              "integrity check (MDC) failed: the data was modified or is damaged");
        }
      } catch (PGPException | IOException | RuntimeException e) {
        throw damaged(e);
      }
      verified = true;
    }

    @Override
    public void close() throws IOException {
      data.close();
    }
  }

  /** Decrypts with the secret keys of one or more armored secret key blocks. */
  public static Decryptor decryptWithSecretKeys(String armored) throws PgpException {
    Map<Long, PGPSecretKey> keys = new LinkedHashMap<>();
    for (Block block : dearmor(armored)) {
      if (!block.type().equals("PRIVATE KEY BLOCK")) {
        throw new PgpException(
            "expected a 'PGP PRIVATE KEY BLOCK', found 'PGP " + block.type() + "'");
      }
      try {
        for (PGPSecretKeyRing ring :
            new PGPSecretKeyRingCollection(block.data(), new BcKeyFingerprintCalculator())) {
          for (PGPSecretKey key : ring) {
            if (!key.isPrivateKeyEmpty()) {
              keys.put(key.getKeyID(), key);
            }
          }
        }
      } catch (PGPException | IOException | RuntimeException e) {
        throw new PgpException("unreadable OpenPGP private key: " + e.getMessage(), e);
      }
    }
    if (keys.isEmpty()) {
      throw new PgpException("no private key found (only stubs)");
    }
    return new Decryptor(keys, null);
  }

  public static Decryptor decryptWithPassphrase(char[] passphrase) {
    if (passphrase == null || passphrase.length == 0) {
      throw new IllegalArgumentException("empty passphrase");
    }
    return new Decryptor(Map.of(), passphrase.clone());
  }
}
