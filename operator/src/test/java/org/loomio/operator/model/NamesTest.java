package org.loomio.operator.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.testing.Fixtures;
import org.loomio.operator.validation.SpecValidator;

/**
 * Every name derived from a stack's name fits Kubernetes' limits for the longest name a stack may have: a
 * restore's migration Job used to be {@code <stack>-restore-<8 hex>-migrate}, 65 characters for a 40-character
 * stack, refused by the API server only after the database was restored.
 */
class NamesTest {

  private static final String LONGEST =
      "a" + "b".repeat(LoomioDeployment.MAX_NAME_LENGTH - 2) + "c";
  private static final String DNS_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";

  @Test
  void theLongestStackNameIsValidAndOneCharacterMoreIsNot() {
    assertThat(LONGEST).hasSize(40);
    assertThat(SpecValidator.validate(Fixtures.resource(LONGEST, "host: a.example.org")))
        .isEmpty();
    assertThat(SpecValidator.validate(Fixtures.resource(LONGEST + "d", "host: a.example.org")))
        .isNotEmpty();
  }

  @Test
  void namesForBackupsRestoresAndMigrationsAreDnsLabelsForTheLongestStackName() {
    String hash8 = "0123abcd";
    List<String> names = List.of(
        Names.backupJob(LONGEST, hash8),
        Names.restoreJob(LONGEST, hash8),
        Names.restoreMigrationJob(LONGEST, hash8),
        Names.migrationJob(LONGEST, hash8),
        Names.backupKey(LONGEST),
        Names.backupRecipients(LONGEST),
        Names.backupsClaim(LONGEST),
        Names.postgresData(LONGEST),
        Names.postgresHeadless(LONGEST));
    for (String name : names) {
      // a Job's name is also the job-name label of its pods: a label value, at most 63 characters
      assertThat(name)
          .as(name)
          .hasSizeLessThanOrEqualTo(63)
          .matches(DNS_LABEL)
          .hasSizeLessThanOrEqualTo(LONGEST.length() + Names.MAX_SUFFIX_LENGTH);
    }
    assertThat(Names.restoreMigrationJob(LONGEST, hash8))
        .hasSize(61)
        .isEqualTo(LONGEST + "-restore-0123abcd-mig");
  }

  @Test
  void everyRenderedObjectOfAFullStackWithTheLongestNameFits() {
    LoomioDeployment r = Fixtures.fromFile(Fixtures.examplesDir().resolve("production.yaml"));
    r.getMetadata().setName(LONGEST);
    List<String> names = new ArrayList<>();
    for (HasMetadata o : Fixtures.render(r).objects()) {
      names.add(o.getMetadata().getName());
    }
    assertThat(names)
        .isNotEmpty()
        .allSatisfy(n -> assertThat(n)
            .as(n)
            .hasSizeLessThanOrEqualTo(63)
            .hasSizeLessThanOrEqualTo(LONGEST.length() + Names.MAX_SUFFIX_LENGTH));
  }
}
