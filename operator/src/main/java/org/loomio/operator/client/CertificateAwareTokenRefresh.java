package org.loomio.operator.client;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.utils.TokenRefreshInterceptor;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * fabric8's token interceptor ({@link TokenRefreshInterceptor}), without its cost when the client has no token
 * to refresh: one that authenticates with a client certificate only (a kubeconfig with {@code
 * client-certificate-data}, as kind, k3s, kubeadm's admin.kubeconfig and the test rig give; {@link
 * #certificateOnly}).
 *
 * <p>Why: fabric8 7.5's interceptor re-reads the configuration ({@link Config#refresh()}: the kubeconfig file,
 * parsed as YAML) before a request when its last successful refresh is more than a minute old, and counts a
 * refresh as successful only when it yields a token. With a certificate there is never a token, so after the
 * first minute every request re-read and re-parsed the kubeconfig: 10 % of the operator's CPU samples while 100
 * stacks converged on the rig (docs/performance.md, "Fourth round"). In a cluster (a ServiceAccount token) and
 * with token, exec or OIDC credentials nothing changes: the token is there, so every call goes to fabric8's
 * interceptor as before (its refresh once a minute, the Authorization header on every request).
 *
 * <p>What is kept without a token: basic auth (its header comes from fabric8's interceptor, so a configuration
 * with a user name or password always goes there), and the refresh after a 401, which is where a token that
 * appeared later (a kubeconfig rewritten with one) is picked up; from then on the token is there and every
 * request goes to fabric8's interceptor. (A refresh never changed the client's certificate or CA anyway: fabric8
 * builds its TLS settings once, with the client; a rotated certificate needs a restart, with or without this.)
 */
public final class CertificateAwareTokenRefresh implements Interceptor {

  private final Config config;
  private final TokenRefreshInterceptor fabric8;

  public CertificateAwareTokenRefresh(Config config, HttpClient.Factory factory) {
    this(config, new TokenRefreshInterceptor(config, factory, Instant.now()));
  }

  /** Around a given fabric8 interceptor of the same configuration (the tests set its last refresh). */
  CertificateAwareTokenRefresh(Config config, TokenRefreshInterceptor fabric8) {
    this.config = config;
    this.fabric8 = fabric8;
  }

  @Override
  public void before(BasicBuilder headerBuilder, HttpRequest request, RequestTags tags) {
    if (!certificateOnly(config)) {
      fabric8.before(headerBuilder, request, tags);
    }
  }

  /**
   * Whether the client authenticates with a client certificate and nothing else. Only then is fabric8's
   * interceptor skipped before a request. A configuration with no credential at all (an exec plugin that failed
   * at start, a ServiceAccount token file not written yet) keeps fabric8's re-read once a minute: that is how it
   * finds its token later, since a cluster with anonymous access answers 403, not 401, and so never triggers the
   * refresh after a failure.
   */
  static boolean certificateOnly(Config config) {
    boolean certificate = present(config.getClientCertData())
        || present(config.getClientCertFile())
        || present(config.getKeyStoreFile());
    return certificate && !hasCredentialsBesidesCertificate(config);
  }

  @Override
  public CompletableFuture<Boolean> afterFailure(
      BasicBuilder headerBuilder, HttpResponse<?> response, RequestTags tags) {
    return fabric8.afterFailure(headerBuilder, response, tags);
  }

  /**
   * Whether fabric8's interceptor has anything to do before a request: a user name or password (basic auth), a
   * token of any kind (given, read from a ServiceAccount's file or from an exec plugin at configuration, or from
   * a token provider), or an auth provider (OIDC). Read per request: a refresh after a 401 can add a token.
   */
  static boolean hasCredentialsBesidesCertificate(Config config) {
    return present(config.getUsername())
        || present(config.getPassword())
        || present(config.getOauthToken())
        || present(config.getAutoOAuthToken())
        || config.getOauthTokenProvider() != null
        || config.getAuthProvider() != null;
  }

  private static boolean present(String s) {
    return s != null && !s.isEmpty();
  }
}
