package org.loomio.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.model.Labels;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.base.Ownership;
import org.loomio.operator.status.DegradedReason;
import org.loomio.operator.testing.Fixtures;
import org.loomio.operator.testing.MockCluster;

/** Referenced Secrets and ConfigMaps: consent, every problem at once, and the command that consents. */
class ReferencedSecretsTest {

  private static MockCluster cluster;

  @BeforeAll
  static void start() {
    cluster = new MockCluster();
    cluster.namespace("ns");
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static void secret(String name, String consent, String... keys) {
    var b = new SecretBuilder().withNewMetadata().withName(name).withNamespace("ns");
    if (consent != null) {
      b.addToAnnotations(ReferencedSecrets.CONSENT, consent);
    }
    var s = b.endMetadata();
    for (String k : keys) {
      s.addToData(k, "dmFsdWU=");
    }
    cluster.client().resource(s.build()).create();
  }

  private static ResolvedSpec spec(String yaml) {
    LoomioDeployment r = Fixtures.resource("team", yaml);
    r.getMetadata().setNamespace("ns");
    r.getMetadata().setUid("uid-team");
    return ResolvedSpec.of(r, ImageDefaults.BUILT_IN);
  }

  private static ReferencedSecrets.Lookup lookup(ResolvedSpec spec, boolean requireConsent) {
    return ReferencedSecrets.lookup(
        cluster.client(),
        "ns",
        "team",
        ReferencedSecrets.refs(spec),
        ReferencedSecrets.ownedBy("team", "uid-team"),
        requireConsent);
  }

  @Test
  void everyProblemIsNamedAtOnceWithTheCommandThatConsents() {
    secret("smtp", null, "password");
    secret("oauth", "other", "secret");
    secret("s3", "team", "access-key-id");
    cluster
        .client()
        .resource(new ConfigMapBuilder()
            .withNewMetadata()
            .withName("keys")
            .withNamespace("ns")
            .endMetadata()
            .addToData("keys.asc", "KEY")
            .build())
        .create();
    ResolvedSpec spec = spec("""
        host: a.example.org
        smtp: {host: smtp.example.org, username: u, passwordSecretRef: {name: smtp, key: password}}
        secretEnv: [{name: OAUTH_APP_SECRET, secretKeyRef: {name: oauth, key: secret}},
                    {name: SENTRY_DSN, secretKeyRef: {name: sentry, key: dsn}}]
        storage: {s3: {endpoint: "https://s3.example.org", bucket: b, region: r, credentialsSecretRef: {name: s3}}}
        backup: {encryption: {recipientsConfigMapRef: {name: keys, key: keys.asc}}}
        """);
    var lookup = lookup(spec, true);
    assertThat(lookup.problemReason()).hasValue(DegradedReason.SECRET_NOT_FOUND.value());
    assertThat(lookup.problem())
        .hasValue("spec.secretEnv[1].secretKeyRef: Secret sentry does not exist in namespace ns."
            + " spec.storage.s3.credentialsSecretRef: Secret s3 has no key secret-access-key."
            + " Secret smtp (spec.smtp.passwordSecretRef), ConfigMap keys (spec.backup.encryption.recipientsConfigMapRef),"
            + " Secret oauth (spec.secretEnv[0].secretKeyRef) are not marked for use by LoomioDeployment team; whoever"
            + " owns them consents with: kubectl -n ns annotate configmap keys loomio.org/allowed-stacks=team"
            + " && kubectl -n ns annotate --overwrite secret oauth loomio.org/allowed-stacks=other,team"
            + " && kubectl -n ns annotate secret smtp loomio.org/allowed-stacks=team");
    assertThat(lookup.secrets())
        .as("only consented Secrets are read into the render")
        .containsOnlyKeys("s3");
    // without the consent requirement (a single-tenant cluster) only what is missing remains
    assertThat(lookup(spec, false).findings())
        .extracting(f -> f.problem())
        .containsOnly(ReferencedSecrets.Problem.NOT_FOUND, ReferencedSecrets.Problem.MISSING_KEY);
  }

  @Test
  void aKeyOfAnUnconsentedSecretIsNeverLookedAt() {
    secret("victim", null, "password");
    ResolvedSpec spec = spec(
        "host: a.example.org\nsecretEnv: [{name: X_TOKEN_FILE, secretKeyRef: {name: victim, key: nope}}]");
    var lookup = lookup(spec, true);
    assertThat(lookup.problemReason()).hasValue(DegradedReason.CONSENT_REQUIRED.value());
    assertThat(lookup.problem().orElseThrow()).doesNotContain("has no key");
  }

  @Test
  void everyStackOfTheNamespaceOrTheStacksOwnSecretNeedsNoFurtherMark() {
    secret("shared", "*", "dsn");
    cluster
        .client()
        .resource(new SecretBuilder()
            .withNewMetadata()
            .withName("team-backup-key")
            .withNamespace("ns")
            .withLabels(Labels.of("team", Component.BACKUP))
            .addToAnnotations(Ownership.OWNER_UID, "uid-team")
            .endMetadata()
            .addToData("private.asc", "a2V5")
            .build())
        .createOr(x -> x.update());
    cluster
        .client()
        .resource(new SecretBuilder()
            .withNewMetadata()
            .withName("other-backup-key")
            .withNamespace("ns")
            .withLabels(Labels.of("other", Component.BACKUP))
            .addToAnnotations(Ownership.OWNER_UID, "uid-other")
            .endMetadata()
            .addToData("private.asc", "a2V5")
            .build())
        .createOr(x -> x.update());
    var refs = List.of(
        new ReferencedSecrets.Ref("spec.secretEnv[0].secretKeyRef", "shared", "dsn"),
        ReferencedSecrets.operatorRef(
            "the decryption key",
            new org.loomio.operator.api.v1alpha1.SecretKeyRef("team-backup-key", "private.asc")));
    assertThat(ReferencedSecrets.lookup(
                cluster.client(),
                "ns",
                "team",
                refs,
                ReferencedSecrets.ownedBy("team", "uid-team"),
                true)
            .findings())
        .isEmpty();
    // another stack's backup key, named by a LoomioRestore of this one: refused
    var theirs = ReferencedSecrets.lookup(
        cluster.client(),
        "ns",
        "team",
        List.of(ReferencedSecrets.restoreKey(
            new org.loomio.operator.api.v1alpha1.SecretKeyRef("other-backup-key", "private.asc"))),
        ReferencedSecrets.ownedBy("team", "uid-team"),
        true);
    assertThat(theirs.problemReason()).hasValue(DegradedReason.CONSENT_REQUIRED.value());
  }

  private static void generated(String name, String stack, String uid, String consent) {
    var b = new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("ns")
        .withLabels(
            Labels.of(stack, name.endsWith("-backup-key") ? Component.BACKUP : Component.SECRETS))
        .addToAnnotations(Ownership.OWNER_UID, uid);
    if (consent != null) {
      b.addToAnnotations(ReferencedSecrets.CONSENT, consent);
    }
    cluster
        .client()
        .resource(b.endMetadata()
            .addToData("private.asc", "a2V5")
            .addToData("SECRET_KEY_BASE", "a2V5")
            .build())
        .createOr(x -> x.update());
  }

  private static ReferencedSecrets.Lookup lookup(ReferencedSecrets.Ref... refs) {
    return ReferencedSecrets.lookup(
        cluster.client(),
        "ns",
        "team",
        List.of(refs),
        ReferencedSecrets.ownedBy("team", "uid-team"),
        true);
  }

  @Test
  void aFieldNeverNamesAnOperatorGeneratedSecretOfAnyStackWhateverItsConsent() {
    generated("team-backup-key", "team", "uid-team", null);
    generated("team-secrets-rotation", "team", "uid-team", null);
    // another stack's, even marked for every stack of the namespace (say, for a restore across
    // stacks)
    generated("other-backup-key", "other", "uid-other", "*");
    generated("other-secrets", "other", "uid-other", "team");
    for (String name :
        List.of("team-backup-key", "team-secrets-rotation", "other-backup-key", "other-secrets")) {
      var field =
          lookup(new ReferencedSecrets.Ref("spec.secretEnv[0].secretKeyRef", name, "private.asc"));
      assertThat(field.problemReason()).as(name).hasValue(DegradedReason.INVALID_SPEC.value());
      assertThat(field.secrets()).as("never read into the render").isEmpty();
      assertThat(field.problem().orElseThrow())
          .as(name)
          .startsWith("spec.secretEnv[0].secretKeyRef: Secret " + name
              + " is generated by the operator for LoomioDeployment "
              + name.substring(0, name.indexOf('-'))
              + " (no field may name an operator-generated Secret, whatever consent it carries)");
    }
    // a Secret of a generated name without the operator's labels is someone's own: consent decides
    secret("third-backup-key", "team", "private.asc");
    assertThat(lookup(new ReferencedSecrets.Ref(
                "spec.secretEnv[0].secretKeyRef", "third-backup-key", "private.asc"))
            .findings())
        .isEmpty();
  }

  @Test
  void aRestoresKeyMayBeABackupKeyAnotherStacksWithItsConsentButNeverCredentials() {
    generated("team-backup-key", "team", "uid-team", null);
    generated("other-backup-key", "other", "uid-other", null);
    generated("other-secrets", "other", "uid-other", "*");
    java.util.function.Function<String, ReferencedSecrets.Ref> key =
        name -> ReferencedSecrets.restoreKey(
            new org.loomio.operator.api.v1alpha1.SecretKeyRef(name, "private.asc"));
    assertThat(lookup(key.apply("team-backup-key")).findings())
        .as("the stack's own")
        .isEmpty();
    assertThat(lookup(key.apply("other-backup-key")).problemReason())
        .as("another stack's, unmarked")
        .hasValue(DegradedReason.CONSENT_REQUIRED.value());
    generated("other-backup-key", "other", "uid-other", "team");
    assertThat(lookup(key.apply("other-backup-key")).findings())
        .as("another stack's, marked for this one")
        .isEmpty();
    assertThat(lookup(key.apply("other-secrets")).problemReason())
        .as("credentials, whatever the mark")
        .hasValue(DegradedReason.INVALID_SPEC.value());
  }

  @Test
  void theStacksOwnTlsNameNeedsConsentWithoutAnIssuerAndIsNotAReferenceWithOne() {
    ResolvedSpec manual = spec("host: a.example.org\ningress: {className: nginx}");
    assertThat(ReferencedSecrets.refs(manual)).singleElement().satisfies(r -> {
      assertThat(r.name()).isEqualTo("team-tls");
      assertThat(r.use()).isEqualTo(ReferencedSecrets.Use.DEFAULT_TLS);
    });
    assertThat(lookup(manual, true).findings())
        .as("not there yet: the Edge condition says so")
        .isEmpty();
    secret("team-tls", null, "tls.crt");
    assertThat(lookup(manual, true).problemReason())
        .hasValue(DegradedReason.CONSENT_REQUIRED.value());
    // with an issuer cert-manager writes it for the stack's Certificate: checked as a name
    // (NameConflicts)
    assertThat(ReferencedSecrets.refs(
            spec("host: a.example.org\ningress: {className: nginx, tls: {issuer: ca}}")))
        .isEmpty();
  }
}
