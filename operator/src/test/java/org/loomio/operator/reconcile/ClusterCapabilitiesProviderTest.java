package org.loomio.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.testing.MovableClock;

/** The discovery's cache, and its first run in the background while the informers list. */
class ClusterCapabilitiesProviderTest {

  private static final ClusterCapabilities V120 = ClusterCapabilities.forVersion("1.20");
  private static final ClusterCapabilities V130 = ClusterCapabilities.forVersion("1.30");

  /** Counts its calls; each call waits for the gate, then answers what {@code answer} holds. */
  private static final class Discovery implements Supplier<ClusterCapabilities> {
    final AtomicInteger calls = new AtomicInteger();
    final CountDownLatch gate;
    volatile ClusterCapabilities answer = V120;
    volatile RuntimeException failure;
    /** Answers for this one from now on (a server that changes while the operator runs). */
    volatile Supplier<ClusterCapabilities> delegate;

    Discovery(CountDownLatch gate) {
      this.gate = gate;
    }

    @Override
    public ClusterCapabilities get() {
      if (delegate != null) {
        return delegate.get();
      }
      calls.incrementAndGet();
      try {
        if (!gate.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the test never opened the gate");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      if (failure != null) {
        throw failure;
      }
      return answer;
    }
  }

  @Test
  void aReconcileThatAsksWhileTheBackgroundDiscoveryRunsWaitsForItAndAsksTheServerNoSecondTime()
      throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    Discovery discovery = new Discovery(gate);
    ClusterCapabilitiesProvider provider =
        ClusterCapabilitiesProvider.of(discovery, Duration.ofMinutes(10), Clock.systemUTC());

    provider.discoverInBackground();
    await().atMost(Duration.ofSeconds(30)).until(() -> discovery.calls.get() == 1);
    CompletableFuture<ClusterCapabilities> reconcile = new CompletableFuture<>();
    Thread reconciler = new Thread(() -> reconcile.complete(provider.get()), "reconciler");
    reconciler.start();
    // the reconcile waits for the discovery under way
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> reconciler.getState() == Thread.State.BLOCKED);
    gate.countDown();

    assertThat(reconcile.get(30, TimeUnit.SECONDS)).isEqualTo(V120);
    assertThat(provider.get()).isEqualTo(V120);
    assertThat(discovery.calls).as("one request round for all of them").hasValue(1);
  }

  @Test
  void aFailedBackgroundDiscoveryLeavesNothingCachedAndTheFirstReconcileAsksAgain() {
    CountDownLatch open = new CountDownLatch(0);
    Discovery discovery = new Discovery(open);
    discovery.failure = new IllegalStateException("connection refused");
    ClusterCapabilitiesProvider provider =
        ClusterCapabilitiesProvider.of(discovery, Duration.ofMinutes(10), Clock.systemUTC());

    provider.discoverInBackground();
    await().atMost(Duration.ofSeconds(30)).until(() -> discovery.calls.get() == 1);
    // the failed attempt ends, whoever asks next gets the same failure until the server answers
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> assertThatThrownBy(provider::get).hasMessageContaining("connection refused"));
    discovery.failure = null;

    assertThat(provider.get()).isEqualTo(V120);
  }

  @Test
  void anAnswerOlderThanMaxAgeIsRefreshedOnceInTheBackgroundWhileReconcilesGetTheLastOne() {
    CountDownLatch gate = new CountDownLatch(1);
    Discovery discovery = new Discovery(new CountDownLatch(0));
    MovableClock clock = new MovableClock("2026-12-07T10:00:00Z");
    ClusterCapabilitiesProvider provider =
        ClusterCapabilitiesProvider.of(discovery, Duration.ofMinutes(10), clock);
    assertThat(provider.get()).isEqualTo(V120);
    clock.advance(Duration.ofMinutes(10));
    assertThat(provider.get()).as("within maxAge: the cached answer").isEqualTo(V120);
    assertThat(discovery.calls).hasValue(1);

    // the server now answers 1.30, and slowly
    Discovery slow = new Discovery(gate);
    slow.answer = V130;
    discovery.delegate = slow;
    clock.advance(Duration.ofSeconds(1));
    for (int i = 0; i < 5; i++) {
      assertThat(provider.get()).as("stale: the last answer, at once").isEqualTo(V120);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> slow.calls.get() == 1);
    assertThat(provider.get()).as("while the refresh runs").isEqualTo(V120);
    gate.countDown();
    await().atMost(Duration.ofSeconds(30)).until(() -> provider.get().equals(V130));
    assertThat(slow.calls)
        .as("one refresh for all the calls that found it stale")
        .hasValue(1);
  }

  @Test
  void aFailedRefreshKeepsTheLastAnswerAndIsTriedAgainLater() {
    MovableClock clock = new MovableClock("2026-12-07T10:00:00Z");
    Discovery discovery = new Discovery(new CountDownLatch(0));
    ClusterCapabilitiesProvider provider =
        ClusterCapabilitiesProvider.of(discovery, Duration.ofMinutes(10), clock);
    assertThat(provider.get()).isEqualTo(V120);

    discovery.failure = new IllegalStateException("connection refused");
    clock.advance(Duration.ofMinutes(11));
    assertThat(provider.get()).isEqualTo(V120);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> discovery.calls.get() == 2 && !provider.refreshInProgress());
    clock.advance(ClusterCapabilitiesProvider.RETRY_AFTER_FAILURE.minusSeconds(1));
    assertThat(provider.get()).as("the last answer, kept").isEqualTo(V120);
    assertThat(provider.refreshInProgress())
        .as("no new attempt before the retry time")
        .isFalse();
    assertThat(discovery.calls).hasValue(2);

    discovery.failure = null;
    discovery.answer = V130;
    clock.advance(Duration.ofSeconds(2));
    await().atMost(Duration.ofSeconds(30)).until(() -> provider.get().equals(V130));
    assertThat(discovery.calls).hasValue(3);
  }

  /**
   * A group version the server does not serve answers 404; any other failure of a probe (here RBAC's 403)
   * fails the discovery instead of counting as "not served", which would make every stack leave out that
   * API's objects until the next discovery.
   */
  @Test
  void onlyA404MeansNotServedAnyOtherFailureFailsTheDiscovery() {
    for (int policyV1 : new int[] {404, 403}) {
      KubernetesMockServer server = new KubernetesMockServer(
          new Context(),
          new MockWebServer(),
          new HashMap<>(),
          new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
              String path = request.getPath();
              if (path.equals("/version")) {
                return new MockResponse()
                    .setResponseCode(200)
                    .setBody("{\"major\":\"1\",\"minor\":\"20\"}");
              }
              if (path.equals("/apis/networking.k8s.io/v1")) {
                return new MockResponse()
                    .setResponseCode(200)
                    .setBody("{\"kind\":\"APIResourceList\",\"groupVersion\":"
                        + "\"networking.k8s.io/v1\",\"resources\":[{\"name\":\"ingresses\","
                        + "\"kind\":\"Ingress\",\"namespaced\":true,\"verbs\":[\"get\"]}]}");
              }
              int code = path.equals("/apis/policy/v1") ? policyV1 : 404;
              return new MockResponse()
                  .setResponseCode(code)
                  .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                      + "\"code\":" + code + "}");
            }
          },
          false);
      server.init();
      try (KubernetesClient client = server.createClient()) {
        if (policyV1 == 404) {
          ClusterCapabilities found = ClusterCapabilitiesProvider.discover(client);
          assertThat(found.servedApis()).containsExactly("networking.k8s.io/v1/Ingress");
        } else {
          assertThatThrownBy(() -> ClusterCapabilitiesProvider.discover(client))
              .isInstanceOf(KubernetesClientException.class)
              .satisfies(
                  e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(403));
        }
      } finally {
        server.destroy();
      }
    }
  }
}
