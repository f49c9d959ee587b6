package org.loomio.operator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * An object as YAML with nulls, empty lists and empty maps removed: what a server stores (it drops them)
 * is then comparable with what was rendered, and a mismatch shows as a readable text diff.
 */
public final class Normalized {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private Normalized() {}

  public static String yaml(Object o) {
    try {
      JsonNode tree = YAML.readTree(Serialization.asYaml(o));
      prune(tree);
      return YAML.writeValueAsString(tree);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static boolean prune(JsonNode node) {
    if (node instanceof ObjectNode obj) {
      List<String> drop = new ArrayList<>();
      for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (prune(obj.get(k))) {
          drop.add(k);
        }
      }
      obj.remove(drop);
      return obj.isEmpty();
    }
    if (node instanceof ArrayNode arr) {
      for (JsonNode e : arr) {
        prune(e);
      }
      return arr.isEmpty();
    }
    return node == null || node.isNull();
  }
}
