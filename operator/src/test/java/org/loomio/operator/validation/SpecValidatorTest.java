package org.loomio.operator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.LoomioDeploymentSpec;
import org.loomio.operator.testing.Fixtures;

/** The operator's own checks, one rule at a time (the corpus covers one bad input per rule). */
class SpecValidatorTest {

  private static List<Violation> validate(String specYaml) {
    return SpecValidator.validate(Fixtures.resource("team", specYaml));
  }

  private static String label(char c, int length) {
    return String.valueOf(c).repeat(length);
  }

  @Test
  void aHostLabelOf63CharactersIsADnsNameAndOf64IsNot() {
    assertThat(validate("host: " + label('a', 63) + ".example.org")).isEmpty();
    assertThat(validate("host: " + label('a', 64) + ".example.org"))
        .singleElement().satisfies(v -> {
          assertThat(v.field()).isEqualTo("spec.host");
          assertThat(v.message()).contains("64 characters").contains("at most 63");
        });
  }

  @Test
  void theDerivedHocuspocusHostMustStayADnsName() {
    assertThat(LoomioDeploymentSpec.MAX_HOST_LENGTH_WITH_DERIVED_HOCUSPOCUS)
        .isEqualTo(LoomioDeploymentSpec.MAX_HOST_LENGTH - LoomioDeploymentSpec.HOCUSPOCUS_PREFIX.length());
    String longest = label('a', 60) + "." + label('b', 60) + "." + label('c', 60) + "." + label('d', 47)
        + ".example.org";
    assertThat(longest).hasSize(242);
    assertThat(validate("host: " + longest)).isEmpty();
    assertThat(validate("host: x" + longest)).singleElement().satisfies(v -> {
      assertThat(v.field()).isEqualTo("spec.host");
      assertThat(v.message()).isEqualTo(LoomioDeploymentSpec.HOST_TOO_LONG_FOR_HOCUSPOCUS);
    });
    assertThat(validate("host: x" + longest + "\nhocuspocusHost: collab.example.org")).isEmpty();
  }

  @Test
  void aHostOver253CharactersIsRefused() {
    String host = (label('a', 63) + ".").repeat(4) + "org";
    assertThat(host.length()).isGreaterThan(253);
    assertThat(validate("host: " + host + "\nhocuspocusHost: collab.example.org")).singleElement()
        .satisfies(v -> assertThat(v.toString()).isEqualTo("spec.host: has 259 characters; a DNS name has at most 253"));
  }

  @Test
  void theHocuspocusHostIsCheckedLikeTheHost() {
    assertThat(validate("host: a.example.org\nhocuspocusHost: " + label('h', 64) + ".example.org"))
        .extracting(Violation::field).containsExactly("spec.hocuspocusHost");
    assertThat(validate("host: a.example.org\nhocuspocusHost: Collab.example.org"))
        .extracting(Violation::field).containsExactly("spec.hocuspocusHost");
    assertThat(validate("host: a.example.org\nhocuspocusHost: a.example.org"))
        .extracting(Violation::toString).containsExactly("spec.hocuspocusHost: must differ from spec.host (the edge"
            + " routes each host to one component)");
  }

  @Test
  void everyStorageSizeMustBeGreaterThanZero() {
    for (String zero : List.of("\"0\"", "0Gi", "\"0.0\"", "000Mi", "0.00Ti")) {
      assertThat(validate("host: a.example.org\nstorage: {volume: {size: " + zero + "}}\n"
          + "database: {embedded: {storage: {size: " + zero + "}}}\n"
          + "backup: {volume: {size: " + zero + "}, scratch: {size: " + zero + "}}"))
          .as(zero).extracting(Violation::field).containsExactly("spec.storage.volume.size",
              "spec.database.embedded.storage.size", "spec.backup.volume.size", "spec.backup.scratch.size");
    }
    assertThat(validate("host: a.example.org\nstorage: {volume: {size: 0Gi}}")).singleElement()
        .satisfies(v -> assertThat(v.message()).isEqualTo("must be a size greater than zero, for example 10Gi;"
            + " got '0Gi'"));
    for (String positive : List.of("1", "0.5Gi", "010Gi", "1.5Ti", "100M")) {
      assertThat(validate("host: a.example.org\nstorage: {volume: {size: \"" + positive + "\"}}\n"
          + "backup: {scratch: {size: \"" + positive + "\"}}")).as(positive).isEmpty();
    }
  }

  @Test
  void theSchemaPatternRefusesAZeroSizeToo() {
    for (String zero : List.of("0", "0Gi", "0.0", "000Mi", "0.00Ti")) {
      assertThat(zero).doesNotMatch(org.loomio.operator.api.v1alpha1.VolumeClaimSpec.QUANTITY_PATTERN);
    }
    for (String positive : List.of("1", "0.5Gi", "010Gi", "1.5Ti", "100M", "10Gi")) {
      assertThat(positive).matches(org.loomio.operator.api.v1alpha1.VolumeClaimSpec.QUANTITY_PATTERN);
    }
  }

  @Test
  void theTlsSecretNameMustBeASecretName() {
    assertThat(validate("host: a.example.org\ningress: {className: nginx, tls: {secretName: Shop_TLS}}"))
        .extracting(Violation::toString).containsExactly("spec.ingress.tls.secretName: must be a Secret name (a"
            + " lower-case DNS subdomain, at most 253 characters); got 'Shop_TLS'");
    assertThat(validate("host: a.example.org\ningress: {className: nginx, tls: {secretName: shop.tls-1}}")).isEmpty();
  }

  /** A spec that names a Secret in every field that can name one (all at once; not a working stack). */
  private static String everySecretField(String secret) {
    return "host: a.example.org\n"
        + "secrets: {existingSecret: " + secret + "}\n"
        + "database: {external: {host: db.example.org, passwordSecretRef: {name: " + secret + ", key: k},"
        + " caSecretRef: {name: " + secret + ", key: k}}}\n"
        + "redis: {mode: external, external: {urlSecretRef: {name: " + secret + ", key: k}}}\n"
        + "smtp: {host: smtp.example.org, username: u, passwordSecretRef: {name: " + secret + ", key: k}}\n"
        + "storage: {s3: {endpoint: 'https://s3.example.org', bucket: b, credentialsSecretRef: {name: " + secret + "},"
        + " caSecretRef: {name: " + secret + ", key: k}}}\n"
        + "backup: {s3: {endpoint: 'https://s3.example.org', bucket: b, credentialsSecretRef: {name: " + secret + "}},"
        + " encryption: {mode: Passphrase, passphraseSecretRef: {name: " + secret + ", key: k},"
        + " recipientsSecretRef: {name: " + secret + ", key: k}}}\n"
        + "secretEnv: [{name: OAUTH_APP_SECRET, secretKeyRef: {name: " + secret + ", key: k}}]\n"
        + "imagePullSecrets: [{name: " + secret + "}]\n"
        + "ingress: {className: nginx, tls: {secretName: " + secret + "}}\n";
  }

  private static final List<String> SECRET_FIELDS = List.of("spec.secrets.existingSecret",
      "spec.database.external.passwordSecretRef.name", "spec.database.external.caSecretRef.name",
      "spec.redis.external.urlSecretRef.name", "spec.smtp.passwordSecretRef.name",
      "spec.storage.s3.credentialsSecretRef.name", "spec.storage.s3.caSecretRef.name",
      "spec.backup.s3.credentialsSecretRef.name", "spec.backup.encryption.passphraseSecretRef.name",
      "spec.backup.encryption.recipientsSecretRef.name", "spec.secretEnv[0].secretKeyRef.name",
      "spec.imagePullSecrets[0].name", "spec.ingress.tls.secretName");

  @Test
  void noFieldMayNameASecretTheOperatorGeneratesForTheStack() {
    for (String generated : List.of("team-secrets", "team-secrets-rotation", "team-backup-key")) {
      List<Violation> refused = validate(everySecretField(generated)).stream()
          .filter(v -> v.message().startsWith(org.loomio.operator.api.v1alpha1.GeneratedSecretNames.REFUSED)).toList();
      assertThat(refused).as(generated).extracting(Violation::field).containsExactlyElementsOf(SECRET_FIELDS);
      assertThat(refused).allSatisfy(v -> assertThat(v.message()).endsWith("(" + generated + ")"));
    }
    // a Secret of the user's own, another stack's name form, or the stack's own TLS Secret: not a generated one
    for (String ok : List.of("app-secrets", "team-tls", "other-backup-key", "teams-secrets")) {
      assertThat(validate(everySecretField(ok))).as(ok)
          .noneSatisfy(v -> assertThat(v.message()).startsWith(
              org.loomio.operator.api.v1alpha1.GeneratedSecretNames.REFUSED));
    }
  }

  /** The single fields are refused at admission too (CEL in the generated CRD, with the same field first). */
  @Test
  void theSingleSecretFieldsAreCelRulesOfTheCrdToo() throws Exception {
    var yaml = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
    var crd = yaml.readTree(java.nio.file.Path.of("../crds/loomiodeployments.loomio.org-v1.yml").toFile());
    List<String> messages = new java.util.ArrayList<>();
    crd.at("/spec/versions/0/schema/openAPIV3Schema/x-kubernetes-validations")
        .forEach(r -> messages.add(r.path("message").asText()));
    for (String field : SECRET_FIELDS) {
      // spec.secretEnv and spec.imagePullSecrets: the operator's check only (the API server's CEL cost estimate)
      assertThat(messages.contains(field + ": " + org.loomio.operator.api.v1alpha1.GeneratedSecretNames.REFUSED))
          .as(field).isEqualTo(!field.contains("["));
    }
  }

  @Test
  void aRestoresKeyMayBeABackupKeyButNeverTheStacksCredentials() {
    var rs = new org.loomio.operator.api.v1alpha1.LoomioRestoreSpec();
    rs.setDeploymentName("team");
    for (String credentials : List.of("team-secrets", "team-secrets-rotation")) {
      rs.setPrivateKeySecretRef(new org.loomio.operator.api.v1alpha1.SecretKeyRef(credentials, "k"));
      assertThat(SpecValidator.validateRestore(rs)).singleElement()
          .satisfies(v -> assertThat(v.field()).isEqualTo("spec.privateKeySecretRef.name"));
    }
    for (String key : List.of("team-backup-key", "other-backup-key", "my-key", "other-secrets")) {
      rs.setPrivateKeySecretRef(new org.loomio.operator.api.v1alpha1.SecretKeyRef(key, "k"));
      assertThat(SpecValidator.validateRestore(rs)).as(key).isEmpty();
    }
  }
}
