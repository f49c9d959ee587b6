package org.loomio.operator.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.utils.TokenRefreshInterceptor;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What happens before a request to the kubeconfig and the Authorization header, with fabric8's token interceptor
 * as it is and with {@link CertificateAwareTokenRefresh} around it. Each interceptor starts with its last refresh
 * long ago, as it is a minute after the operator's start.
 */
class CertificateAwareTokenRefreshTest {

  @TempDir
  Path dir;

  /** A kubeconfig whose user is given by {@code user} (YAML lines under {@code user:}). */
  private File kubeconfig(String user) throws Exception {
    Path file = dir.resolve("kubeconfig");
    Files.writeString(file, """
        apiVersion: v1
        kind: Config
        clusters:
        - name: rig
          cluster:
            server: https://127.0.0.1:6443
        users:
        - name: operator
          user:
        %s
        contexts:
        - name: rig
          context:
            cluster: rig
            user: operator
        current-context: rig
        """.formatted(user.indent(4).stripTrailing()));
    return file.toFile();
  }

  private static final String CERTIFICATE_ONLY =
      "client-certificate-data: Y2VydA==\nclient-key-data: a2V5";

  /** A configuration read from a kubeconfig, and the interceptor around fabric8's for it. */
  private record Started(Config config, CertificateAwareTokenRefresh interceptor) {}

  /**
   * The interceptor of a kubeconfig whose user is {@code user}, started, after which the file gets the token
   * {@code later} in place of {@code replaced}.
   */
  private Started withTokenLater(String user, String replaced) throws Exception {
    File file = kubeconfig(user);
    Config config = Config.fromKubeconfig(file);
    Started started =
        new Started(config, new CertificateAwareTokenRefresh(config, fabric8(config)));
    tokenLater(file, replaced);
    return started;
  }

  /** The kubeconfig rewritten with the token {@code later} in place of {@code replaced}. */
  private static void tokenLater(File file, String replaced) throws Exception {
    Files.writeString(
        file.toPath(), Files.readString(file.toPath()).replace(replaced, "token: later"));
  }

  private static TokenRefreshInterceptor fabric8(Config config) {
    return new TokenRefreshInterceptor(config, Instant.EPOCH, c -> {
      throw new AssertionError("no remote (OIDC) refresh in these tests");
    });
  }

  /** The headers a request would carry after {@code before}. */
  private static final class Headers implements BasicBuilder {
    final Map<String, String> set = new LinkedHashMap<>();

    @Override
    public BasicBuilder uri(URI uri) {
      return this;
    }

    @Override
    public BasicBuilder header(String name, String value) {
      set.put(name, value);
      return this;
    }

    @Override
    public BasicBuilder setHeader(String name, String value) {
      set.put(name, value);
      return this;
    }
  }

  private static HttpResponse<Object> status(int code) {
    return new HttpResponse<>() {
      @Override
      public int code() {
        return code;
      }

      @Override
      public Object body() {
        return null;
      }

      @Override
      public HttpRequest request() {
        return null;
      }

      @Override
      public Optional<HttpResponse<?>> previousResponse() {
        return Optional.empty();
      }

      @Override
      public List<String> headers(String key) {
        return List.of();
      }

      @Override
      public Map<String, List<String>> headers() {
        return Map.of();
      }
    };
  }

  @Test
  void fabric8sOwnInterceptorReadsACertificateOnlyKubeconfigBeforeEveryRequest() throws Exception {
    // the premise of the class: if fabric8 stops re-reading, this fails and the class can go
    File file = kubeconfig(CERTIFICATE_ONLY);
    Config config = Config.fromKubeconfig(file);
    TokenRefreshInterceptor plain = fabric8(config);
    tokenLater(file, "client-key-data: a2V5");
    Headers headers = new Headers();
    plain.before(headers, null, null);
    assertThat(headers.set)
        .as("the file was read again")
        .containsEntry("Authorization", "Bearer later");
  }

  @Test
  void withACertificateOnlyNothingIsReadBeforeARequest() throws Exception {
    Started started = withTokenLater(CERTIFICATE_ONLY, "client-key-data: a2V5");
    Headers headers = new Headers();
    for (int i = 0; i < 3; i++) {
      started.interceptor().before(headers, null, null);
    }
    assertThat(headers.set).isEmpty();
    assertThat(started.config().getAutoOAuthToken()).isNull();
    assertThat(CertificateAwareTokenRefresh.certificateOnly(started.config())).isTrue();
  }

  @Test
  void withoutAnyCredentialFabric8sReReadStays() throws Exception {
    // an exec plugin that failed at the start, a token file not written yet: the re-read finds the
    // token later (a cluster with anonymous access answers 403, so no 401 would trigger a refresh)
    Started started = withTokenLater("{}", "{}");
    assertThat(CertificateAwareTokenRefresh.certificateOnly(started.config())).isFalse();
    Headers headers = new Headers();
    started.interceptor().before(headers, null, null);
    assertThat(headers.set).containsEntry("Authorization", "Bearer later");
  }

  @Test
  void aRefusalStillRefreshesAndTheTokenIsUsedFromThenOn() throws Exception {
    Started started = withTokenLater(CERTIFICATE_ONLY, "client-key-data: a2V5");
    CertificateAwareTokenRefresh interceptor = started.interceptor();
    Headers retry = new Headers();
    assertThat(interceptor.afterFailure(retry, status(401), null))
        .succeedsWithin(java.time.Duration.ofSeconds(5))
        .isEqualTo(true);
    assertThat(retry.set).containsEntry("Authorization", "Bearer later");
    Headers next = new Headers();
    interceptor.before(next, null, null);
    assertThat(next.set).containsEntry("Authorization", "Bearer later");
  }

  @Test
  void aTokenGoesOnEveryRequestAsWithFabric8Alone() throws Exception {
    Config config = Config.fromKubeconfig(kubeconfig("token: abc"));
    CertificateAwareTokenRefresh interceptor =
        new CertificateAwareTokenRefresh(config, fabric8(config));
    Headers headers = new Headers();
    interceptor.before(headers, null, null);
    assertThat(headers.set).containsEntry("Authorization", "Bearer abc");
  }

  @Test
  void basicAuthGoesOnEveryRequestAsWithFabric8Alone() {
    Config config = new ConfigBuilder(Config.empty())
        .withMasterUrl("https://127.0.0.1:6443")
        .withUsername("admin")
        .withPassword("secret")
        .build();
    CertificateAwareTokenRefresh interceptor =
        new CertificateAwareTokenRefresh(config, fabric8(config));
    Headers headers = new Headers();
    interceptor.before(headers, null, null);
    assertThat(headers.set).containsKey("Authorization");
    assertThat(headers.set.get("Authorization")).startsWith("Basic ");
  }
}
