package org.loomio.operator.testing;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The mock API server's CRUD dispatcher, recording every request (method and path) it serves. It also
 * answers what a real API server computes and a CRUD store cannot: a SelfSubjectRulesReview (JOSDK asks one
 * before leader election) is answered with the Lease rules the Helm chart grants.
 */
public final class CountingDispatcher extends KubernetesCrudDispatcher {

  /**
   * What the mock tells discovery, like an API server of an older version: its version, the kinds each listed
   * group version serves, and the group versions it does not serve at all. Requests for a kind a listed group
   * version does not serve, or for an unserved group version, get 404 as from a real server. Null: the mock
   * answers everything (and discovery is not asked).
   *
   * @param minor the Kubernetes 1.x version {@code /version} reports
   * @param served group version to plural to kind, for example {@code batch/v1beta1 -> cronjobs -> CronJob}
   * @param absent group versions the server does not serve
   */
  public record Discovery(int minor, Map<String, Map<String, String>> served, Set<String> absent) {}

  private static final Pattern GROUP_VERSION = Pattern.compile("^/apis/([^/]+/[^/]+)/?$");
  private static final Pattern RESOURCE =
      Pattern.compile("^/apis/([^/]+/[^/]+)/(?:namespaces/[^/]+/)?([^/]+)");
  private static final String NOT_FOUND =
      "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
          + "\"message\":\"the server could not find the requested resource\",\"reason\":\"NotFound\",\"code\":404}";

  private final Discovery discovery;
  private final ConcurrentLinkedQueue<String> writes = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<String> requests = new ConcurrentLinkedQueue<>();

  public CountingDispatcher() {
    this(null);
  }

  public CountingDispatcher(Discovery discovery) {
    this.discovery = discovery;
  }

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
    if (discovery != null) {
      MockResponse answer = discovery(method, path);
      if (answer != null) {
        return answer;
      }
    }
    try {
      return super.dispatch(request);
    } catch (io.fabric8.zjsonpatch.JsonPatchException e) {
      // a JSON Patch whose test fails: the CRUD mock throws and never answers (the client waits for
      // its
      // timeout); a real API server answers 422
      return new MockResponse()
          .setResponseCode(422)
          .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
              + "\"message\":\"the server rejected our request due to an error in our request\","
              + "\"reason\":\"Invalid\",\"code\":422}");
    }
  }

  private MockResponse discovery(String method, String path) {
    if ("GET".equals(method) && path.equals("/version")) {
      return new MockResponse()
          .setResponseCode(200)
          .setBody("{\"major\":\"1\",\"minor\":\"" + discovery.minor() + "\",\"gitVersion\":\"v1."
              + discovery.minor() + ".0\"}");
    }
    Matcher gv = GROUP_VERSION.matcher(path);
    if ("GET".equals(method) && gv.matches()) {
      Map<String, String> kinds = discovery.served().get(gv.group(1));
      if (kinds == null) {
        return discovery.absent().contains(gv.group(1))
            ? new MockResponse().setResponseCode(404).setBody(NOT_FOUND)
            : null;
      }
      String resources = kinds.entrySet().stream()
          .map(e -> "{\"name\":\"" + e.getKey() + "\",\"singularName\":\"\","
              + "\"namespaced\":true,\"kind\":\"" + e.getValue()
              + "\",\"verbs\":[\"create\",\"delete\",\"get\",\"list\","
              + "\"patch\",\"update\",\"watch\"]}")
          .collect(Collectors.joining(","));
      return new MockResponse()
          .setResponseCode(200)
          .setBody("{\"kind\":\"APIResourceList\",\"apiVersion\":\"v1\"," + "\"groupVersion\":\""
              + gv.group(1) + "\",\"resources\":[" + resources + "]}");
    }
    Matcher resource = RESOURCE.matcher(path);
    if (resource.find()) {
      Map<String, String> kinds = discovery.served().get(resource.group(1));
      if (discovery.absent().contains(resource.group(1))
          || (kinds != null && !kinds.containsKey(resource.group(2)))) {
        return new MockResponse().setResponseCode(404).setBody(NOT_FOUND);
      }
    }
    return null;
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
