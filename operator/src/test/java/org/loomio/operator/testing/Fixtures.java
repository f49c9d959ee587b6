package org.loomio.operator.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.Credentials;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.model.SecretDigests;
import org.loomio.operator.render.Stack;
import org.loomio.operator.render.StackRenderer;

/** LoomioDeployments for tests, written as users write them: YAML. */
public final class Fixtures {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private Fixtures() {}

  /** A resource named {@code name} in namespace {@code loomio} with the given spec (YAML, indented by 0). */
  public static LoomioDeployment resource(String name, String specYaml) {
    String doc = "apiVersion: loomio.org/v1alpha1\nkind: LoomioDeployment\nmetadata:\n  name: "
        + name + "\n  namespace: loomio\n  generation: 1\nspec:\n" + specYaml.indent(2);
    try {
      return YAML.readValue(doc, LoomioDeployment.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static LoomioDeployment minimal(String name) {
    return resource(name, "host: " + name + ".example.org");
  }

  public static LoomioDeployment fromFile(Path path) {
    try {
      return YAML.readValue(Files.readString(path), LoomioDeployment.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * An example (they name no namespace) as {@code kubectl -n NAMESPACE apply -f} creates it: in that
   * namespace.
   */
  public static LoomioDeployment appliedIn(Path example, String namespace) {
    LoomioDeployment resource = fromFile(example);
    if (resource.getMetadata().getNamespace() == null) {
      resource.getMetadata().setNamespace(namespace);
    }
    return resource;
  }

  public static Path examplesDir() {
    return Path.of(System.getProperty("examples.dir", "../examples"));
  }

  /** Deterministic fake credentials (test values, not secrets). */
  public static Credentials credentials(LoomioDeployment resource) {
    ResolvedSpec spec = ResolvedSpec.of(resource, ImageDefaults.BUILT_IN);
    if (spec.existingSecret() != null) {
      return new Credentials(spec.existingSecret(), false, Map.of());
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (String key : Credentials.requiredKeys(spec)) {
      values.put(key, "test-value-of-" + key.toLowerCase());
    }
    return new Credentials(spec.generatedSecretName(), true, values);
  }

  public static Stack render(LoomioDeployment resource) {
    return render(resource, ClusterCapabilities.newest());
  }

  public static Stack render(LoomioDeployment resource, ClusterCapabilities cluster) {
    return StackRenderer.render(resource, cluster, credentials(resource), SecretDigests.none());
  }

  /**
   * Every field of a fabric8 model object (nested ones included) that its class does not declare: Jackson
   * keeps those in additionalProperties, and an API server of that version would refuse them. Paths, sorted.
   */
  public static java.util.List<String> additionalProperties(Object model) {
    java.util.List<String> found = new java.util.ArrayList<>();
    additional(model, "", found);
    return found.stream().sorted().toList();
  }

  private static void additional(Object o, String path, java.util.List<String> found) {
    if (o instanceof java.util.Collection<?> c) {
      int i = 0;
      for (Object item : c) {
        additional(item, path + "[" + i++ + "]", found);
      }
      return;
    }
    if (o instanceof java.util.Map<?, ?> m) {
      m.forEach((k, v) -> additional(v, path + "." + k, found));
      return;
    }
    if (o == null || !o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (java.lang.reflect.Method getter : o.getClass().getMethods()) {
      if (getter.getParameterCount() != 0
          || !getter.getName().startsWith("get")
          || getter.getDeclaringClass() == Object.class) {
        continue;
      }
      try {
        Object value = getter.invoke(o);
        if (getter.getName().equals("getAdditionalProperties")) {
          if (value instanceof java.util.Map<?, ?> extra) {
            extra.keySet().forEach(k -> found.add(path + "." + k));
          }
        } else {
          additional(value, path + "." + getter.getName().substring(3), found);
        }
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(getter.toString(), e);
      }
    }
  }
}
