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

  @Test
  void theReplyHostnameIsADnsName() {
    assertThat(validate("host: a.example.org\nreplyHostname: reply.example.org")).isEmpty();
    assertThat(validate("host: a.example.org\nreplyHostname: \"Reply.Example.org\"")).singleElement()
        .satisfies(v -> assertThat(v.field()).isEqualTo("spec.replyHostname"));
  }

  @Test
  void aReleaseOlderThanTheOldestServedIsRefusedUnlessItIsAMigrateOnlyStone() {
    assertThat(validate("host: a.example.org\nimage: {tag: \"3.0.12\"}")).singleElement().satisfies(v -> {
      assertThat(v.field()).isEqualTo("spec.image.tag");
      assertThat(v.message()).contains("Loomio 3.0.12").contains("3.1.0 or later").contains("migrate-only");
    });
    assertThat(validate("host: a.example.org\nimage: {tag: \"2.17\"}")).singleElement()
        .satisfies(v -> assertThat(v.field()).isEqualTo("spec.image.tag"));
    assertThat(validate("host: a.example.org\nimage: {tag: \"2.17.1\"}")).isEmpty();
    assertThat(validate("host: a.example.org\nimage: {tag: \"3.1\"}")).isEmpty();
    assertThat(validate("host: a.example.org\nimage: {tag: latest}")).isEmpty();
  }
}
