package org.loomio.operator.validation;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Plain words for what the YAML parser found wrong: where (line and column, counted from 1 over the whole
 * input) and what, without the parser's event dumps ({@code <org.yaml.snakeyaml.events.MappingStartEvent(...)>}).
 */
final class YamlErrors {

  /** A key written twice in one mapping: where, and the field path of the second one. */
  record DuplicateKey(String key, String field, int line, int column) {
    String message() {
      return "'" + key + "' appears twice in one mapping (the second, at line " + line + ", column "
          + column + ", would silently replace the first): keep one";
    }
  }

  private static final Map<String, String> TOKENS = Map.ofEntries(
      Map.entry("<block end>", "the end of the indented block"),
      Map.entry("<block sequence start>", "a list item ('- ')"),
      Map.entry("<block mapping start>", "a key"),
      Map.entry("<stream end>", "the end of the input"),
      Map.entry("<document start>", "'---'"),
      Map.entry("<document end>", "'...'"),
      Map.entry("<flow sequence start>", "'['"),
      Map.entry("<flow mapping start>", "'{'"),
      Map.entry("<flow sequence end>", "']'"),
      Map.entry("<flow mapping end>", "'}'"),
      Map.entry("<scalar>", "a value"));

  private YamlErrors() {}

  /**
   * Every key written twice in one mapping, by document (numbered from 1, empty documents not counted, as
   * {@link ResourceReader} numbers them). One pass over the parser's tokens, so each key's own line is known.
   */
  static Map<Integer, List<DuplicateKey>> duplicateKeys(JsonFactory yaml, String text)
      throws IOException {
    Map<Integer, List<DuplicateKey>> found = new TreeMap<>();
    Deque<Set<String>> mappings = new ArrayDeque<>();
    int document = 0;
    try (JsonParser p = yaml.createParser(text)) {
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        boolean structure = t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY;
        boolean root = structure
            ? p.getParsingContext().getParent().inRoot()
            : p.getParsingContext().inRoot();
        if (root
            && t != JsonToken.VALUE_NULL
            && t != JsonToken.END_OBJECT
            && t != JsonToken.END_ARRAY) {
          document++;
        }
        if (t == JsonToken.START_OBJECT) {
          mappings.push(new HashSet<>());
        } else if (t == JsonToken.END_OBJECT) {
          mappings.pop();
        } else if (t == JsonToken.FIELD_NAME && !mappings.peek().add(p.currentName())) {
          JsonLocation at = p.currentTokenLocation();
          String field = p.getParsingContext()
              .pathAsPointer()
              .toString()
              .substring(1)
              .replace('/', '.')
              .replace("~1", "/")
              .replace("~0", "~");
          found
              .computeIfAbsent(document, d -> new ArrayList<>())
              .add(new DuplicateKey(p.currentName(), field, at.getLineNr(), at.getColumnNr()));
        }
      }
    }
    return found;
  }

  /** {@code "line L, column C: what"}, the context (which mapping or list) last if the parser gave it. */
  static String describe(JsonProcessingException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof MarkedYAMLException m && m.getProblemMark() != null) {
        String where = "line " + (m.getProblemMark().getLine() + 1) + ", column "
            + (m.getProblemMark().getColumn() + 1);
        String context = m.getContext() == null
            ? ""
            : " (" + plain(m.getContext())
                + (m.getContextMark() == null
                    ? ""
                    : " that starts at line " + (m.getContextMark().getLine() + 1) + ", column "
                        + (m.getContextMark().getColumn() + 1))
                + ")";
        return where + ": " + plain(m.getProblem()) + context;
      }
    }
    JsonLocation at = e.getLocation();
    String where = at == null || at.getLineNr() < 1
        ? ""
        : "line " + at.getLineNr() + ", column " + at.getColumnNr() + ": ";
    String message =
        e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
    if (message.startsWith("Expected a field name")) {
      // where the mapping or list written as a key starts (the exception's own location is just
      // past it)
      if (e.getProcessor() instanceof JsonParser p
          && p.currentTokenLocation() != null
          && p.currentTokenLocation().getLineNr() >= 1) {
        JsonLocation start = p.currentTokenLocation();
        where = "line " + start.getLineNr() + ", column " + start.getColumnNr() + ": ";
      }
      return where + "a key must be a plain value (text), not a mapping or a list";
    }
    return where + plain(message.replaceAll("<org\\.yaml\\.snakeyaml\\.[^>]*>", "something else"));
  }

  private static String plain(String snakeYaml) {
    String s = snakeYaml.strip();
    for (Map.Entry<String, String> token : TOKENS.entrySet()) {
      s = s.replace("'" + token.getKey() + "'", token.getValue())
          .replace(token.getKey(), token.getValue());
    }
    return s.replace("while parsing a", "in a").replace("while scanning a", "in a");
  }
}
