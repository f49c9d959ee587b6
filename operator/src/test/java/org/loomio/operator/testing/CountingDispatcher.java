package org.loomio.operator.testing;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The mock API server's CRUD dispatcher, recording every request (method and path) it serves. It also
 * answers what a real API server computes and a CRUD store cannot: a SelfSubjectRulesReview (JOSDK asks one
 * before leader election) is answered with the Lease rules the Helm chart grants.
 */
public final class CountingDispatcher extends KubernetesCrudDispatcher {

  private final ConcurrentLinkedQueue<String> writes = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<String> requests = new ConcurrentLinkedQueue<>();

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String method = request.getMethod();
    String path = request.getPath().replaceFirst("\\?.*$", "");
    requests.add(method + " " + request.getPath());
    if (!"GET".equals(method) && !"HEAD".equals(method) && !"OPTIONS".equals(method)) {
      writes.add(method + " " + path);
    }
    if ("POST".equals(method) && path.endsWith("/selfsubjectrulesreviews")) {
      return new MockResponse().setResponseCode(201).setBody(LEASE_RULES);
    }
    return super.dispatch(request);
  }

  private static final String LEASE_RULES = "{\"apiVersion\":\"authorization.k8s.io/v1\","
      + "\"kind\":\"SelfSubjectRulesReview\",\"spec\":{},\"status\":{\"incomplete\":false,"
      + "\"nonResourceRules\":[],\"resourceRules\":[{\"apiGroups\":[\"coordination.k8s.io\"],"
      + "\"resources\":[\"leases\"],\"verbs\":[\"create\",\"get\",\"update\"]}]}}";

  /** Every request since the last {@link #clear()}: method and path with query, in arrival order. */
  public List<String> requests() {
    return new ArrayList<>(requests);
  }

  /** Writes since the last {@link #clear()}, in arrival order. */
  public List<String> writes() {
    return new ArrayList<>(writes);
  }

  public void clear() {
    writes.clear();
    requests.clear();
  }
}
