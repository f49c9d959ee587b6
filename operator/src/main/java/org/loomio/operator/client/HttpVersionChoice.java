package org.loomio.operator.client;

import java.util.Map;
import java.util.Properties;

/**
 * Which HTTP version the operator's own client speaks to the API server: HTTP/1.1 unless the user chose with
 * fabric8's own setting ({@code KUBERNETES_HTTP2_DISABLE}, or the system property {@code kubernetes.http2.disable}).
 *
 * <p>Why HTTP/1.1 by default: over HTTP/2 the JDK client carries every informer's list and watch and every request
 * on one TLS connection, whose records are decrypted one after another. At a start, the informers' lists of a few
 * thousand objects then queue behind one decryption on a cold JVM (a third of the sync's CPU samples were
 * AES-GCM), while the other core waits. Over HTTP/1.1 each list has a connection of its own and both cores decrypt.
 * Measured on the rig (200 stacks, restart with two ConfigMaps deleted, interleaved rounds): from the
 * "starting" log line to the repair, median 14.0 s over HTTP/2 and 10.5 s over HTTP/1.1 in five rounds each (docs/performance.md).
 * The cost is more connections to the API server: one per informer's watch (about twenty when the operator watches
 * all namespaces or one; about fifteen more per namespace with {@code WATCH_NAMESPACES} listing several, since
 * each namespace has its own watches) and one per request in flight, as client-go's controllers have when HTTP/2
 * is disabled.
 */
public final class HttpVersionChoice {

  /** fabric8's environment variable; {@code false} keeps HTTP/2. */
  public static final String ENV = "KUBERNETES_HTTP2_DISABLE";
  /** fabric8's system property, read before the environment variable. */
  public static final String PROPERTY = "kubernetes.http2.disable";

  private HttpVersionChoice() {}

  /**
   * Whether the operator should ask for HTTP/1.1: yes unless the system property or the environment variable is
   * set (then fabric8 follows it: {@code true} for HTTP/1.1, {@code false} for HTTP/2).
   */
  public static boolean preferHttp11(Map<String, String> env, Properties properties) {
    return properties.getProperty(PROPERTY) == null && env.get(ENV) == null;
  }
}
