package org.loomio.operator.client;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.utils.HttpClientUtils;
import io.fabric8.kubernetes.client.utils.TokenRefreshInterceptor;
import java.util.function.Consumer;

/**
 * The Kubernetes client of {@code run}: the configuration fabric8 finds by itself (in a pod its ServiceAccount,
 * elsewhere {@code KUBECONFIG} or {@code ~/.kube/config}), fabric8's default HTTP client, and its token
 * interceptor replaced by {@link CertificateAwareTokenRefresh}.
 */
public final class OperatorClient {

  private OperatorClient() {}

  /** @param http more settings of the HTTP client (interceptors, the HTTP version) */
  public static KubernetesClient build(Consumer<HttpClient.Builder> http) {
    // what KubernetesClientBuilder uses when given nothing, made explicit so that the interceptor
    // shares the client's configuration
    Config config = new ConfigBuilder().build();
    HttpClient.Factory factory = HttpClientUtils.getHttpClientFactory();
    return new KubernetesClientBuilder()
        .withConfig(config)
        .withHttpClientFactory(factory)
        .withHttpClientBuilderConsumer(b -> {
          b.addOrReplaceInterceptor(
              TokenRefreshInterceptor.NAME, new CertificateAwareTokenRefresh(config, factory));
          http.accept(b);
        })
        .build();
  }
}
