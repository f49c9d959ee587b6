package org.loomio.operator.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.loomio.operator.model.Credentials;

class CredentialGeneratorTest {

  private final CredentialGenerator generator = new CredentialGenerator();

  @Test
  void secretsAre32RandomBytesInHex() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      String v = generator.valueFor(Credentials.SECRET_KEY_BASE);
      assertThat(v).matches("[0-9a-f]{64}");
      assertThat(seen.add(v)).isTrue();
    }
  }

  /** The pair is a working P-256 key pair in web-push's encoding: what one half signs, the other verifies. */
  @Test
  void vapidPairIsAValidP256PairInWebPushEncoding() throws Exception {
    Map<String, String> pair = generator.vapidKeyPair();
    Base64.Decoder b64 = Base64.getUrlDecoder();
    assertThat(pair.get(Credentials.VAPID_PUBLIC_KEY)).doesNotContain("=", "+", "/");
    byte[] point = b64.decode(pair.get(Credentials.VAPID_PUBLIC_KEY));
    byte[] scalar = b64.decode(pair.get(Credentials.VAPID_PRIVATE_KEY));
    assertThat(point).hasSize(65);
    assertThat(point[0]).isEqualTo((byte) 0x04);
    assertThat(scalar).hasSize(32);

    AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
    params.init(new ECGenParameterSpec("secp256r1"));
    ECParameterSpec p256 = params.getParameterSpec(ECParameterSpec.class);
    KeyFactory kf = KeyFactory.getInstance("EC");
    var publicKey = (ECPublicKey) kf.generatePublic(new ECPublicKeySpec(
        new ECPoint(
            new BigInteger(1, Arrays.copyOfRange(point, 1, 33)),
            new BigInteger(1, Arrays.copyOfRange(point, 33, 65))),
        p256));
    var privateKey = kf.generatePrivate(new ECPrivateKeySpec(new BigInteger(1, scalar), p256));
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(privateKey);
    signer.update("push".getBytes());
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance("SHA256withECDSA");
    verifier.initVerify(publicKey);
    verifier.update("push".getBytes());
    assertThat(verifier.verify(signature)).isTrue();
  }

  @Test
  void integersArePaddedToExactly32Bytes() {
    assertThat(CredentialGenerator.unsigned32(BigInteger.ONE)).hasSize(32).endsWith((byte) 1);
    byte[] high = CredentialGenerator.unsigned32(BigInteger.TWO.pow(255));
    assertThat(high).hasSize(32);
    assertThat(high[0]).isEqualTo((byte) 0x80);
  }
}
