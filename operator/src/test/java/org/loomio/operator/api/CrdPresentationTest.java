package org.loomio.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.LoomioBackup;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.api.v1alpha1.LoomioRestore;

/**
 * What a user sees of the CRDs: {@code kubectl get} columns in the model's order (the generator sorts them by
 * JSON path; {@link GeneratedCrds} puts them back), short names that no built-in kind uses, and descriptions
 * for {@code kubectl explain} at the root, spec and status of every CRD.
 */
class CrdPresentationTest {

  private static final Path CRDS = Path.of(System.getProperty("crds.dir", "../crds"));
  private static final Path DOCS =
      Path.of(System.getProperty("examples.dir", "../examples")).resolveSibling("docs");

  /**
   * The short names {@code kubectl api-resources} lists for the built-in kinds (Kubernetes 1.20 to 1.34,
   * PodSecurityPolicy's {@code psp} and VolumeAttributesClass's {@code vac} included).
   */
  private static final Set<String> BUILT_IN_SHORT_NAMES = Set.of(
      "cs", "cm", "ep", "ev", "limits", "ns", "no", "pvc", "pv", "po", "rc", "quota", "sa", "svc",
      "crd", "crds", "ds", "deploy", "rs", "sts", "hpa", "cj", "csr", "ing", "netpol", "pdb", "psp",
      "pc", "sc", "vac");

  private static CustomResourceDefinition crd(Class<? extends CustomResource<?, ?>> type)
      throws IOException {
    return Serialization.unmarshal(
        Files.readString(CRDS.resolve(CustomResource.getCRDName(type) + "-v1.yml")),
        CustomResourceDefinition.class);
  }

  private static List<String> columns(CustomResourceDefinition crd) {
    return crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns().stream()
        .map(CustomResourceColumnDefinition::getName)
        .toList();
  }

  private static List<String> columns(CustomResourceDefinition crd, int priority) {
    return crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns().stream()
        .filter(c -> c.getPriority() != null && c.getPriority() == priority)
        .map(CustomResourceColumnDefinition::getName)
        .toList();
  }

  @Test
  void kubectlGetLoomioShowsReadyHostVersionAgeAndTheReadyReason() throws IOException {
    CustomResourceDefinition crd = crd(LoomioDeployment.class);
    assertThat(columns(crd, 0)).containsExactly("Ready", "Host", "Version", "Age", "Reason");
    List<CustomResourceColumnDefinition> defs =
        crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns();
    assertThat(defs.get(0).getJsonPath())
        .isEqualTo(".status.conditions[?(@.type==\"Ready\")].status");
    assertThat(defs.get(4).getJsonPath())
        .isEqualTo(".status.conditions[?(@.type==\"Ready\")].reason");
    assertThat(defs.get(3).getType()).isEqualTo("date");
  }

  /**
   * The reasons of the conditions the chart's alerts are about (MonitoringTest checks each alert's), with
   * {@code kubectl get loomio -o wide}.
   */
  @Test
  void kubectlGetLoomioWideShowsTheReasonsTheAlertsQuote() throws IOException {
    CustomResourceDefinition crd = crd(LoomioDeployment.class);
    assertThat(columns(crd, 1))
        .containsExactly("Degraded", "Backups", "Edge", "Secrets", "Isolated");
    List<CustomResourceColumnDefinition> defs =
        crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns();
    assertThat(defs.subList(5, 10))
        .extracting(CustomResourceColumnDefinition::getJsonPath)
        .containsExactly(
            ".status.conditions[?(@.type==\"Degraded\")].reason",
            ".status.conditions[?(@.type==\"BackupsHealthy\")].reason",
            ".status.conditions[?(@.type==\"Edge\")].reason",
            ".status.conditions[?(@.type==\"SecretsFresh\")].reason",
            ".status.conditions[?(@.type==\"Isolated\")].reason");
  }

  @Test
  void backupsAndRestoresNameTheirStackUnambiguouslyAndHaveShortNames() throws IOException {
    for (Class<? extends CustomResource<?, ?>> type :
        List.of(LoomioBackup.class, LoomioRestore.class)) {
      assertThat(columns(crd(type)))
          .as(type.getSimpleName())
          .containsExactly("Stack", "Phase", "Backup", "Age");
    }
    assertThat(crd(LoomioDeployment.class).getSpec().getNames().getShortNames())
        .containsExactly("loomio");
    assertThat(crd(LoomioBackup.class).getSpec().getNames().getShortNames())
        .containsExactly("lbackup");
    assertThat(crd(LoomioRestore.class).getSpec().getNames().getShortNames())
        .containsExactly("lrestore");
  }

  @Test
  void noShortNameIsABuiltInOneOrAnotherOfOurs() throws IOException {
    List<String> ours = new java.util.ArrayList<>();
    for (Class<? extends CustomResource<?, ?>> type : GeneratedCrds.RESOURCES) {
      var names = crd(type).getSpec().getNames();
      ours.addAll(names.getShortNames());
      ours.add(names.getPlural());
      ours.add(names.getSingular());
    }
    assertThat(ours).doesNotHaveDuplicates().doesNotContainAnyElementsOf(BUILT_IN_SHORT_NAMES);
  }

  /** The CRD keeps the order the model declares (so the model is where to change it). */
  @Test
  void theColumnsAreInTheModelsOrder() throws IOException {
    for (Class<? extends CustomResource<?, ?>> type : GeneratedCrds.RESOURCES) {
      assertThat(columns(crd(type)))
          .as(type.getSimpleName())
          .isEqualTo(Arrays.stream(type.getAnnotationsByType(AdditionalPrinterColumn.class))
              .map(AdditionalPrinterColumn::name)
              .toList());
    }
  }

  /** {@code kubectl explain loomiodeployment}, {@code .spec} and {@code .status} print a description. */
  @Test
  void everyCrdDescribesItselfItsSpecAndItsStatus() throws IOException {
    for (Class<? extends CustomResource<?, ?>> type : GeneratedCrds.RESOURCES) {
      JSONSchemaProps root =
          crd(type).getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
      assertThat(root.getDescription())
          .as(type.getSimpleName())
          .isNotBlank()
          .startsWith(GeneratedCrds.description(type));
      assertThat(root.getProperties().get("spec").getDescription())
          .as(type.getSimpleName() + ".spec")
          .isNotBlank();
      assertThat(root.getProperties().get("status").getDescription())
          .as(type.getSimpleName() + ".status")
          .isNotBlank();
    }
  }

  /** docs/api.md lists the columns as the CRD has them. */
  @Test
  void theDocsListTheColumnsInTheCrdsOrder() throws IOException {
    String api = Files.readString(DOCS.resolve("api.md"));
    assertThat(api.replaceAll("\\s+", " "))
        .contains("`kubectl get loomio` shows the columns "
            + String.join(", ", columns(crd(LoomioDeployment.class), 0)) + ":")
        .contains("`kubectl get loomio -o wide` adds "
            + String.join(", ", columns(crd(LoomioDeployment.class), 1)) + ":")
        .contains("show the columns " + String.join(", ", columns(crd(LoomioBackup.class))) + ":")
        .contains("short name `lbackup`")
        .contains("short name `lrestore`");
    assertThat(columns(crd(LoomioRestore.class))).isEqualTo(columns(crd(LoomioBackup.class)));
  }
}
