package org.loomio.operator.chart;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The Helm chart, rendered in-process by helm-java (the real Helm engine, as a native library). */
public final class Chart {

  public static final Path DIR =
      Path.of(System.getProperty("chart.dir", "../helm/loomio-operator"));
  public static final String RELEASE = "loomio-operator";
  public static final String NAMESPACE = "loomio-system";

  private Chart() {}

  /** {@code helm template} with the given values (a YAML document), split into objects. */
  public static List<HasMetadata> template(String valuesYaml) {
    return parse(render(valuesYaml, null));
  }

  /** As {@code helm template --kube-version}; without one, Helm assumes 1.20. */
  public static List<HasMetadata> template(String valuesYaml, String kubeVersion) {
    return parse(render(valuesYaml, kubeVersion));
  }

  public static String render(String valuesYaml) {
    return render(valuesYaml, null);
  }

  /**
   * The API server's address the tests give (a real {@code helm install} looks it up; {@code helm template} cannot,
   * and the chart then refuses to render): added to the values unless they set {@code networkPolicy} themselves.
   */
  public static final String TEST_API_SERVER = "192.0.2.10/32";

  public static String render(String valuesYaml, String kubeVersion) {
    return renderAsGiven(withApiServer(valuesYaml), kubeVersion);
  }

  @SuppressWarnings("unchecked")
  private static String withApiServer(String valuesYaml) {
    Map<String, Object> values = valuesYaml == null || valuesYaml.isBlank()
        ? new java.util.LinkedHashMap<>()
        : new java.util.LinkedHashMap<>(Serialization.unmarshal(valuesYaml, Map.class));
    values.putIfAbsent(
        "networkPolicy", Map.of("apiServer", Map.of("cidrs", List.of(TEST_API_SERVER))));
    return Serialization.asYaml(values);
  }

  /** {@code helm template} with exactly these values (null: none). */
  public static String renderAsGiven(String valuesYaml, String kubeVersion) {
    try {
      Path values = Files.createTempFile("values", ".yaml");
      try {
        Files.writeString(values, valuesYaml == null ? "{}" : valuesYaml);
        TemplateCommand command = new Helm(DIR)
            .template()
            .withName(RELEASE)
            .withNamespace(NAMESPACE)
            .withValuesFile(values);
        if (kubeVersion != null) {
          command = command.withKubeVersion(kubeVersion);
        }
        return command.call();
      } finally {
        Files.deleteIfExists(values);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static List<HasMetadata> parse(String manifests) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String doc : manifests.split("(?m)^---\\s*$")) {
      String body = doc.lines().filter(l -> !l.startsWith("#")).reduce("", (a, b) -> a + b + "\n");
      if (body.isBlank()) {
        continue;
      }
      objects.add(Serialization.unmarshal(body, HasMetadata.class));
    }
    return objects;
  }

  public static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  public static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type) {
    List<T> found = all(objects, type);
    if (found.size() != 1) {
      throw new AssertionError("expected one " + type.getSimpleName() + ", found " + found.size());
    }
    return found.get(0);
  }

  public static Optional<HasMetadata> kind(List<HasMetadata> objects, String kind) {
    return objects.stream().filter(o -> kind.equals(o.getKind())).findFirst();
  }

  @SuppressWarnings("unchecked")
  public static Map<String, Object> yaml(Path file) {
    try {
      return Serialization.unmarshal(Files.readString(file), Map.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
