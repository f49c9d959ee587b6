package org.loomio.operator.testing;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/** The mock API server's CRUD dispatcher, recording every write (method and path) it serves. */
public final class CountingDispatcher extends KubernetesCrudDispatcher {

  private final ConcurrentLinkedQueue<String> writes = new ConcurrentLinkedQueue<>();

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String method = request.getMethod();
    if (!"GET".equals(method) && !"HEAD".equals(method) && !"OPTIONS".equals(method)) {
      writes.add(method + " " + request.getPath().replaceFirst("\\?.*$", ""));
    }
    return super.dispatch(request);
  }

  /** Writes since the last {@link #clear()}, in arrival order. */
  public List<String> writes() {
    return new ArrayList<>(writes);
  }

  public void clear() {
    writes.clear();
  }
}
