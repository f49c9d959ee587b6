package org.loomio.operator.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agents' one-line JSON result, written to the termination log (which Kubernetes shows as the
 * container's termination message, at most 4096 bytes) and to stdout. The operator reads it from the pod
 * status: the pods have no API token. Lists are shortened to fit, never the JSON cut mid-way.
 */
public final class Summary {

  /** Kubernetes keeps at most 4096 bytes of a termination message. */
  public static final int LIMIT = 4096;
  /** Longest error message kept: enough to act on, short enough to leave room for the rest. */
  static final int MAX_ERROR = 1500;

  static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger LOG = LoggerFactory.getLogger(Summary.class);

  private Summary() {}

  public static ObjectNode object() {
    return JSON.createObjectNode();
  }

  /**
   * The node as one line under {@link #LIMIT} bytes (with its newline): the last elements of the
   * {@code truncatable} arrays are dropped, in that order, and {@code <field>Omitted} says how many;
   * a still too long {@code error} is shortened last.
   */
  public static String fit(ObjectNode node, List<String> truncatable) {
    if (node.hasNonNull("error") && node.get("error").asText().length() > MAX_ERROR) {
      node.put("error", node.get("error").asText().substring(0, MAX_ERROR) + "...");
    }
    String line = node.toString();
    for (String field : truncatable) {
      if (!(node.get(field) instanceof ArrayNode array)) {
        continue;
      }
      int omitted = 0;
      while (bytes(line) >= LIMIT && !array.isEmpty()) {
        array.remove(array.size() - 1);
        node.put(field + "Omitted", ++omitted);
        line = node.toString();
      }
    }
    while (bytes(line) >= LIMIT
        && node.hasNonNull("error")
        && node.get("error").asText().length() > 20) {
      String e = node.get("error").asText();
      node.put("error", e.substring(0, e.length() / 2) + "...");
      line = node.toString();
    }
    return line;
  }

  private static int bytes(String line) {
    return line.getBytes(StandardCharsets.UTF_8).length + 1;
  }

  /** Prints the line and writes it to the termination log (a missing log, e.g. outside a pod, is only logged). */
  public static void emit(String line, Path terminationLog, PrintWriter out) {
    out.println(line);
    out.flush();
    if (terminationLog == null) {
      return;
    }
    try {
      Files.writeString(terminationLog, line + "\n", StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not write the termination log {}: {}", terminationLog, e.toString());
    }
  }

  /**
   * A failure's message for the summary: the exception's own message (ours never hold a secret value;
   * the SDK's name requests, never credentials), with its type when it has none.
   */
  static String message(Throwable e) {
    String m = e.getMessage();
    if (m == null || m.isBlank()) {
      return e.getClass().getSimpleName();
    }
    if (e instanceof NoSuchFileException) {
      return "no such file: " + m;
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied: " + m;
    }
    if (e instanceof FileSystemException && !(e.getClass() == FileSystemException.class)) {
      return e.getClass().getSimpleName() + ": " + m;
    }
    return m;
  }
}
