package org.loomio.operator.testing;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * What the kubelet does with {@code $(VAR)} in a container's {@code command}, {@code args} and env {@code value}s,
 * written independently of the operator's code: a port of Kubernetes' {@code third_party/forked/golang/expansion}
 * ({@code Expand}, {@code tryReadVariableName}) and of the order in which the kubelet builds a container's
 * environment ({@code envFrom} first, then each {@code env} entry, whose {@code value} may refer to any variable
 * defined before it; {@code command} and {@code args} see them all).
 *
 * <p>{@code $$} becomes {@code $}; {@code $(NAME)} becomes the variable's value when NAME is defined, and stays as
 * written otherwise; any other {@code $} stays. A Secret-valued variable is represented by a marker
 * ({@link #secretMarker}), so a test can see where a Secret's value would end up.
 */
public final class KubeletExpansion {

  /** A name a variable may have in this operator's pods (spec.env and spec.secretEnv names match it too). */
  public static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private KubeletExpansion() {}

  /** The container as its processes see it: command, args and environment after expansion. */
  public record Expanded(List<String> command, List<String> args, Map<String, String> env) {}

  /** What a Secret-valued variable holds, as seen by this simulation. */
  public static String secretMarker(String secret, String key) {
    return "<<secret " + secret + "/" + key + ">>";
  }

  /**
   * Runs the kubelet's expansion over a container.
   *
   * @param configMaps the ConfigMaps its {@code envFrom} may name (by name)
   */
  public static Expanded run(Container c, Map<String, ConfigMap> configMaps) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvFromSource from : c.getEnvFrom() == null ? List.<EnvFromSource>of() : c.getEnvFrom()) {
      if (from.getConfigMapRef() != null) {
        ConfigMap cm = configMaps.get(from.getConfigMapRef().getName());
        if (cm != null && cm.getData() != null) {
          cm.getData().forEach((k, v) -> env.put(prefix(from) + k, v));
        }
      } else if (from.getSecretRef() != null) {
        env.put(prefix(from) + "*", secretMarker(from.getSecretRef().getName(), "*"));
      }
    }
    for (EnvVar e : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
      if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
        env.put(
            e.getName(),
            secretMarker(
                e.getValueFrom().getSecretKeyRef().getName(),
                e.getValueFrom().getSecretKeyRef().getKey()));
      } else if (e.getValueFrom() != null) {
        env.put(e.getName(), "<<" + e.getName() + " from the downward API or a ConfigMap>>");
      } else {
        // expanded against what is defined so far (a snapshot: later entries are not visible)
        Map<String, String> before = new LinkedHashMap<>(env);
        env.put(e.getName(), expand(e.getValue() == null ? "" : e.getValue(), lookup(before)));
      }
    }
    Function<String, String> all = lookup(env);
    return new Expanded(expandAll(c.getCommand(), all), expandAll(c.getArgs(), all), env);
  }

  /**
   * The names of the {@code $(NAME)} references the kubelet would try to resolve in a string, whether or not
   * they are defined: escaped ones ({@code $$(NAME)}) are not references.
   */
  public static List<String> references(String input) {
    List<String> names = new ArrayList<>();
    expand(input, name -> {
      names.add(name);
      return "$(" + name + ")";
    });
    return names;
  }

  /** Kubernetes' {@code expansion.Expand}. */
  public static String expand(String input, Function<String, String> mapping) {
    StringBuilder buf = new StringBuilder();
    int checkpoint = 0;
    for (int cursor = 0; cursor < input.length(); cursor++) {
      if (input.charAt(cursor) == '$' && cursor + 1 < input.length()) {
        buf.append(input, checkpoint, cursor);
        String rest = input.substring(cursor + 1);
        // tryReadVariableName
        String read;
        boolean isVar = false;
        int advance;
        char first = rest.charAt(0);
        if (first == '$') {
          read = "$";
          advance = 1;
        } else if (first == '(') {
          int close = rest.indexOf(')', 1);
          if (close >= 0) {
            read = rest.substring(1, close);
            isVar = true;
            advance = close + 1;
          } else {
            read = "$(";
            advance = 1;
          }
        } else {
          read = "$" + first;
          advance = 1;
        }
        buf.append(isVar ? mapping.apply(read) : read);
        cursor += advance;
        checkpoint = cursor + 1;
      }
    }
    return buf.append(input.substring(Math.min(checkpoint, input.length()))).toString();
  }

  private static Function<String, String> lookup(Map<String, String> env) {
    return name -> env.containsKey(name) ? env.get(name) : "$(" + name + ")";
  }

  private static List<String> expandAll(List<String> values, Function<String, String> mapping) {
    List<String> out = new ArrayList<>();
    for (String v : values == null ? List.<String>of() : values) {
      out.add(expand(v, mapping));
    }
    return out;
  }

  private static String prefix(EnvFromSource from) {
    return from.getPrefix() == null ? "" : from.getPrefix();
  }
}
