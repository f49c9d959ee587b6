package org.loomio.operator.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.Base64;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Credentials;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.model.Labels;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.base.Ownership;
import org.loomio.operator.testing.Fixtures;
import org.loomio.operator.testing.MockCluster;

/** Read-before-write credential generation against the mock API server: values are never replaced. */
class GeneratedCredentialsTest {

  private static MockCluster cluster;
  private final GeneratedCredentials credentials =
      new GeneratedCredentials(new CredentialGenerator());

  @BeforeAll
  static void start() {
    cluster = new MockCluster();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static final Predicate<String> NONE_LIVE = uid -> false;

  private static ResolvedSpec spec(String namespace, String name) {
    var r = Fixtures.minimal(name);
    r.getMetadata().setNamespace(namespace);
    r.getMetadata().setUid("uid-of-" + name);
    return ResolvedSpec.of(r, ImageDefaults.BUILT_IN);
  }

  /** A credentials Secret as the operator made it for the stack of that name (its labels and UID). */
  private static Secret existing(String namespace, String name, String... keyValues) {
    String stack = name.substring(0, name.lastIndexOf("-secrets"));
    SecretBuilder b = new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .withLabels(Labels.of(stack, Component.SECRETS))
        .addToAnnotations(Ownership.OWNER_UID, "uid-of-" + stack)
        .endMetadata();
    for (int i = 0; i < keyValues.length; i += 2) {
      b.addToData(keyValues[i], Base64.getEncoder().encodeToString(keyValues[i + 1].getBytes()));
    }
    return cluster.client().resource(b.build()).create();
  }

  @Test
  void createsEveryKeyOnce() {
    ResolvedSpec spec = spec("gen", "one");
    var outcome =
        credentials.ensure(cluster.client(), spec, Credentials.requiredKeys(spec), null, NONE_LIVE);
    assertThat(outcome.created()).isTrue();
    assertThat(outcome.generatedKeys()).containsExactlyElementsOf(Credentials.requiredKeys(spec));
    Secret stored =
        cluster.client().secrets().inNamespace("gen").withName("one-secrets").get();
    assertThat(stored.getData())
        .containsOnlyKeys(Credentials.requiredKeys(spec).toArray(String[]::new));

    var again = credentials.ensure(
        cluster.client(), spec, Credentials.requiredKeys(spec), stored, NONE_LIVE);
    assertThat(again.generatedKeys()).isEmpty();
    assertThat(again.credentials().values()).isEqualTo(outcome.credentials().values());
    assertThat(cluster
            .client()
            .secrets()
            .inNamespace("gen")
            .withName("one-secrets")
            .get()
            .getMetadata()
            .getResourceVersion())
        .isEqualTo(stored.getMetadata().getResourceVersion());
  }

  @Test
  void addsOnlyWhatIsMissing() {
    ResolvedSpec spec = spec("gen", "two");
    Secret before =
        existing("gen", "two-secrets", "SECRET_KEY_BASE", "keep-me", "DEVISE_SECRET", "me-too");
    var outcome = credentials.ensure(
        cluster.client(), spec, Credentials.requiredKeys(spec), before, NONE_LIVE);
    assertThat(outcome.generatedKeys())
        .doesNotContain("SECRET_KEY_BASE", "DEVISE_SECRET")
        .contains("POSTGRES_PASSWORD", "VAPID_PUBLIC_KEY");
    Secret after =
        cluster.client().secrets().inNamespace("gen").withName("two-secrets").get();
    assertThat(new String(Base64.getDecoder().decode(after.getData().get("SECRET_KEY_BASE"))))
        .isEqualTo("keep-me");
    assertThat(new String(Base64.getDecoder().decode(after.getData().get("DEVISE_SECRET"))))
        .isEqualTo("me-too");
    assertThat(after.getData()).hasSize(7);
  }

  @Test
  void aStaleReadNeverOverwrites() {
    ResolvedSpec spec = spec("gen", "three");
    Secret stale = existing("gen", "three-secrets", "SECRET_KEY_BASE", "first");
    // someone completes the Secret after our read
    cluster.client().secrets().inNamespace("gen").withName("three-secrets").edit(s -> {
      s.getData().put("DEVISE_SECRET", Base64.getEncoder().encodeToString("theirs".getBytes()));
      return s;
    });
    assertThatThrownBy(() -> credentials.ensure(
            cluster.client(), spec, Credentials.requiredKeys(spec), stale, NONE_LIVE))
        .isInstanceOf(GeneratedCredentials.ConcurrentChangeException.class);
    Secret now =
        cluster.client().secrets().inNamespace("gen").withName("three-secrets").get();
    assertThat(new String(Base64.getDecoder().decode(now.getData().get("DEVISE_SECRET"))))
        .isEqualTo("theirs");
    assertThat(now.getData()).hasSize(2);

    // a missed create: the Secret exists, the caller's view says it does not, nothing is replaced
    ResolvedSpec four = spec("gen", "four");
    existing("gen", "four-secrets", "SECRET_KEY_BASE", "original");
    var outcome =
        credentials.ensure(cluster.client(), four, Credentials.requiredKeys(four), null, NONE_LIVE);
    assertThat(outcome.credentials().values().get("SECRET_KEY_BASE")).isEqualTo("original");
  }

  @Test
  void halfAVapidPairIsRefusedAndNothingIsWritten() {
    ResolvedSpec spec = spec("gen", "five");
    Secret half = existing("gen", "five-secrets", "VAPID_PUBLIC_KEY", "BPublicOnly");
    String version = half.getMetadata().getResourceVersion();
    assertThatThrownBy(() -> credentials.ensure(
            cluster.client(), spec, Credentials.requiredKeys(spec), half, NONE_LIVE))
        .isInstanceOf(GeneratedCredentials.IncompleteCredentialsException.class)
        .hasMessageContaining("VAPID_PRIVATE_KEY is missing while VAPID_PUBLIC_KEY is present");
    assertThat(cluster
            .client()
            .secrets()
            .inNamespace("gen")
            .withName("five-secrets")
            .get()
            .getMetadata()
            .getResourceVersion())
        .isEqualTo(version);
    assertThat(cluster
            .client()
            .secrets()
            .inNamespace("gen")
            .withName("five-secrets")
            .get()
            .getData())
        .containsOnlyKeys("VAPID_PUBLIC_KEY");
  }

  @Test
  void aSecretTheOperatorDidNotMakeIsNeverWritten() {
    ResolvedSpec spec = spec("gen", "six");
    // someone else's Secret of the stack's name: no operator labels
    Secret foreign = cluster
        .client()
        .resource(new SecretBuilder()
            .withNewMetadata()
            .withName("six-secrets")
            .withNamespace("gen")
            .endMetadata()
            .addToData("password", "aHVudGVyMg==")
            .build())
        .create();
    assertThatThrownBy(() -> credentials.ensure(
            cluster.client(), spec, Credentials.requiredKeys(spec), null, NONE_LIVE))
        .isInstanceOf(Ownership.ConflictException.class)
        .hasMessageContaining("Secret six-secrets exists and is not this stack's")
        .hasMessageNotContaining("aHVudGVyMg");
    assertThat(cluster
            .client()
            .secrets()
            .inNamespace("gen")
            .withName("six-secrets")
            .get())
        .isEqualTo(foreign);

    // made by the operator for another LoomioDeployment of this name that still exists
    ResolvedSpec seven = spec("gen", "seven");
    Secret other = cluster
        .client()
        .resource(new SecretBuilder()
            .withNewMetadata()
            .withName("seven-secrets")
            .withNamespace("gen")
            .withLabels(Labels.of("seven", Component.SECRETS))
            .addToAnnotations(Ownership.OWNER_UID, "another-live-uid")
            .endMetadata()
            .build())
        .create();
    assertThatThrownBy(() -> credentials.ensure(
            cluster.client(),
            seven,
            Credentials.requiredKeys(seven),
            null,
            uid -> uid.equals("another-live-uid")))
        .isInstanceOf(Ownership.ConflictException.class)
        .hasMessageContaining("another LoomioDeployment");
    assertThat(cluster
            .client()
            .secrets()
            .inNamespace("gen")
            .withName("seven-secrets")
            .get())
        .isEqualTo(other);
  }

  @Test
  void retainedCredentialsOfAnEarlierResourceAreTakenOverAndStamped() {
    ResolvedSpec spec = spec("gen", "eight");
    Map<String, String> data = new java.util.LinkedHashMap<>();
    for (String k : Credentials.requiredKeys(spec)) {
      data.put(k, Base64.getEncoder().encodeToString(("old " + k).getBytes()));
    }
    // kept with deletionPolicy Retain by a deleted LoomioDeployment of the same name
    cluster
        .client()
        .resource(new SecretBuilder()
            .withNewMetadata()
            .withName("eight-secrets")
            .withNamespace("gen")
            .withLabels(Labels.of("eight", Component.SECRETS))
            .addToAnnotations(Ownership.OWNER_UID, "deleted-uid")
            .endMetadata()
            .withData(data)
            .build())
        .create();
    var outcome =
        credentials.ensure(cluster.client(), spec, Credentials.requiredKeys(spec), null, NONE_LIVE);
    assertThat(outcome.generatedKeys()).isEmpty();
    assertThat(outcome.credentials().values().get("SECRET_KEY_BASE"))
        .isEqualTo("old SECRET_KEY_BASE");
    Secret after =
        cluster.client().secrets().inNamespace("gen").withName("eight-secrets").get();
    assertThat(after.getMetadata().getAnnotations())
        .containsEntry(Ownership.OWNER_UID, "uid-of-eight");
    assertThat(after.getData()).isEqualTo(data);
  }

  /**
   * A signing key Secret with the operator's labels but no owner UID was made by someone else (the operator made
   * every signing key with it): never adopted, so nobody plants the key that vouches for the stack's backups.
   * One kept by a deleted LoomioDeployment of the name is taken over, its fingerprint read from the key itself.
   */
  @Test
  void anUnmarkedSigningKeyIsNeverAdoptedAndTheFingerprintComesFromTheKey() throws Exception {
    var key = org.loomio.operator.backup.OpenPgp.generateSigningKey("planted");
    ResolvedSpec planted = spec("sig", "nine");
    cluster
        .client()
        .resource(new SecretBuilder()
            .withNewMetadata()
            .withName("nine-backup-signing-key")
            .withNamespace("sig")
            .withLabels(Labels.of("nine", Component.BACKUP))
            .endMetadata()
            .addToStringData(GeneratedSigningKey.PUBLIC_KEY, key.publicKeyRing())
            .addToStringData(GeneratedSigningKey.PRIVATE_KEY, key.secretKeyRing())
            .build())
        .create();
    assertThatThrownBy(() -> GeneratedSigningKey.ensure(cluster.client(), planted, null, NONE_LIVE))
        .isInstanceOf(Ownership.ConflictException.class)
        .hasMessageContaining("someone else made this one");

    ResolvedSpec kept = spec("sig", "ten");
    var keys = new java.util.LinkedHashMap<String, String>();
    keys.put(
        GeneratedSigningKey.PUBLIC_KEY,
        Base64.getEncoder().encodeToString(key.publicKeyRing().getBytes()));
    keys.put(
        GeneratedSigningKey.PRIVATE_KEY,
        Base64.getEncoder().encodeToString(key.secretKeyRing().getBytes()));
    keys.put(
        GeneratedSigningKey.FINGERPRINT,
        Base64.getEncoder().encodeToString("AAAA-not-the-key".getBytes()));
    cluster
        .client()
        .resource(new SecretBuilder()
            .withNewMetadata()
            .withName("ten-backup-signing-key")
            .withNamespace("sig")
            .withLabels(Labels.of("ten", Component.BACKUP))
            .addToAnnotations(Ownership.OWNER_UID, "deleted-uid")
            .endMetadata()
            .withData(keys)
            .build())
        .create();
    var outcome = GeneratedSigningKey.ensure(cluster.client(), kept, null, NONE_LIVE);
    assertThat(outcome.fingerprint()).isEqualTo(key.fingerprint());
  }
}
