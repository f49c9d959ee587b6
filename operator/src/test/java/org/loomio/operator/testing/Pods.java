package org.loomio.operator.testing;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Small readers for pod templates in assertions. */
public final class Pods {

  private Pods() {}

  public static Container container(PodTemplateSpec t, String name) {
    return t.getSpec().getContainers().stream()
        .filter(c -> c.getName().equals(name))
        .findFirst()
        .or(() -> t.getSpec().getInitContainers().stream()
            .filter(c -> c.getName().equals(name))
            .findFirst())
        .orElseThrow(() -> new AssertionError("no container " + name));
  }

  /** Literal env values by name (secretKeyRef entries map to "secret:<name>/<key>"). */
  public static Map<String, String> env(Container c) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar e : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
      if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
        env.put(
            e.getName(),
            "secret:" + e.getValueFrom().getSecretKeyRef().getName() + "/"
                + e.getValueFrom().getSecretKeyRef().getKey());
      } else {
        env.put(e.getName(), e.getValue());
      }
    }
    return env;
  }

  public static Optional<Volume> volume(PodTemplateSpec t, String name) {
    return t.getSpec().getVolumes().stream()
        .filter(v -> v.getName().equals(name))
        .findFirst();
  }

  public static Map<String, String> mounts(Container c) {
    Map<String, String> mounts = new LinkedHashMap<>();
    c.getVolumeMounts().forEach(m -> mounts.put(m.getMountPath(), m.getName()));
    return mounts;
  }
}
