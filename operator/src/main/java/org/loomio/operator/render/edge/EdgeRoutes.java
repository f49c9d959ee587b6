package org.loomio.operator.render.edge;

import java.util.List;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Names;
import org.loomio.operator.model.ResolvedSpec;

/**
 * What the edge routes, whatever the flavour: the main host to web (its websocket at {@value #CABLE}
 * included), the hocuspocus host to hocuspocus, and Loomio's internal endpoints to nothing. The internal
 * paths are hocuspocus' auth callback and the mail relay's ingress; they are reached from inside the
 * cluster only, so the public edge sends them to a Service without endpoints ({@link #closedService}),
 * which answers 503 (no snippets, no controller-specific deny rules needed).
 */
public final class EdgeRoutes {

  public static final String CABLE = "/cable";
  public static final List<String> INTERNAL_PATHS =
      List.of("/api/hocuspocus", "/rails/action_mailbox");
  /** Websocket routes get long read/send timeouts (seconds). */
  public static final int WEBSOCKET_TIMEOUT_SECONDS = 3600;

  private EdgeRoutes() {}

  public static boolean enabled(ResolvedSpec spec) {
    return spec.ingress().isPresent() || spec.gateway().isPresent();
  }

  public static String closedService(String name) {
    return Names.of(name, Component.CLOSED);
  }

  public static String webService(String name) {
    return Names.of(name, Component.WEB);
  }

  public static String hocuspocusService(String name) {
    return Names.of(name, Component.HOCUSPOCUS);
  }

  /** The request body limit of the edge: the upload limit plus 1 MiB for the rest of the form. */
  public static int bodyLimitMB(ResolvedSpec spec) {
    return spec.uploadLimitMB() + 1;
  }
}
