package org.loomio.operator.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.javaoperatorsdk.operator.RuntimeInfo;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.loomio.operator.reconcile.OperatorMetrics;

/**
 * The operator's two small HTTP servers (the JDK's own, one thread each): health on one port for the
 * kubelet's probes, metrics on another for Prometheus, so a NetworkPolicy can open one without the other.
 *
 * <ul>
 *   <li>{@code /healthz} (liveness): 200 while the process serves and its informers are healthy; 503 once
 *       a started operator lost an informer (for example its watch became forbidden), so the kubelet
 *       restarts it.
 *   <li>{@code /readyz} (readiness): 200 once the operator started and every informer is synced and
 *       healthy; a standby replica waiting for the Lease is ready too (it is started, only not leading).
 *   <li>{@code /metrics}: Prometheus text format.
 * </ul>
 * Answers name unhealthy event sources, nothing else.
 */
public final class HttpEndpoints implements AutoCloseable {

  /** Which of the two servers. */
  public enum Endpoint {
    HEALTH,
    METRICS
  }

  /**
   * The port cannot be bound: another process listens on it, or it is below 1024 and the process may not bind
   * such ports. Names the endpoint and the port, so the caller can name its setting.
   */
  public static final class PortUnavailableException extends IOException {
    private static final long serialVersionUID = 1L;
    private final Endpoint endpoint;
    private final int port;

    PortUnavailableException(Endpoint endpoint, int port, BindException cause) {
      super(
          (endpoint == Endpoint.HEALTH ? "health" : "metrics") + " port " + port
              + " cannot be bound: " + reason(cause),
          cause);
      this.endpoint = endpoint;
      this.port = port;
    }

    public Endpoint endpoint() {
      return endpoint;
    }

    public int port() {
      return port;
    }

    /** The operating system's reason in words ("Address already in use", "Permission denied"). */
    public String reason() {
      return reason((BindException) getCause());
    }

    private static String reason(BindException e) {
      String m = e.getMessage() == null
          ? ""
          : e.getMessage().replaceAll("\\s*\\(Bind failed\\)", "").strip();
      return m.isEmpty() ? "the operating system refused it" : m;
    }
  }

  private final HttpServer server;

  private HttpEndpoints(HttpServer server) {
    this.server = server;
  }

  private static HttpServer bind(Endpoint endpoint, int port) throws IOException {
    try {
      return HttpServer.create(new InetSocketAddress(port), 0);
    } catch (BindException e) {
      throw new PortUnavailableException(endpoint, port, e);
    }
  }

  /** Health endpoints on the port (0: any free port); a port that cannot be bound is a {@link PortUnavailableException}. */
  public static HttpEndpoints health(int port, Supplier<RuntimeInfo> runtime) throws IOException {
    HttpServer server = bind(Endpoint.HEALTH, port);
    server.createContext("/healthz", exchange -> {
      RuntimeInfo info = runtime.get();
      boolean broken = info != null && info.isStarted() && !info.allEventSourcesAreHealthy();
      respond(
          exchange,
          broken ? 503 : 200,
          broken ? "unhealthy: " + unhealthy(info) + "\n" : "ok\n",
          "text/plain");
    });
    server.createContext("/readyz", exchange -> {
      RuntimeInfo info = runtime.get();
      if (info == null || !info.isStarted()) {
        respond(exchange, 503, "starting\n", "text/plain");
      } else if (!info.allEventSourcesAreHealthy()) {
        respond(exchange, 503, "unhealthy: " + unhealthy(info) + "\n", "text/plain");
      } else {
        respond(exchange, 200, "ok\n", "text/plain");
      }
    });
    return start(server);
  }

  /** The metrics endpoint on the port (0: any free port); a port that cannot be bound is a {@link PortUnavailableException}. */
  public static HttpEndpoints metrics(int port, OperatorMetrics metrics) throws IOException {
    HttpServer server = bind(Endpoint.METRICS, port);
    server.createContext(
        "/metrics",
        exchange ->
            respond(exchange, 200, metrics.scrape(), "text/plain; version=0.0.4; charset=utf-8"));
    return start(server);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private static HttpEndpoints start(HttpServer server) {
    server.setExecutor(null);
    server.start();
    return new HttpEndpoints(server);
  }

  private static String unhealthy(RuntimeInfo info) {
    TreeSet<String> names = new TreeSet<>();
    info.unhealthyEventSources()
        .forEach((controller, sources) ->
            sources.keySet().forEach(source -> names.add(controller + "/" + source)));
    return String.join(", ", names);
  }

  private static void respond(HttpExchange exchange, int code, String body, String type)
      throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod())
          && !"HEAD".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", type);
      if ("HEAD".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(code, -1);
        return;
      }
      exchange.sendResponseHeaders(code, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }
}
