package org.loomio.operator.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class HttpVersionChoiceTest {

  private static Properties property(String value) {
    Properties p = new Properties();
    p.setProperty(HttpVersionChoice.PROPERTY, value);
    return p;
  }

  @Test
  void http11UnlessTheUserChoseWithFabric8sOwnSetting() {
    assertThat(HttpVersionChoice.preferHttp11(Map.of(), new Properties())).isTrue();
    // the user's choice either way is left to fabric8, which reads the same setting
    assertThat(HttpVersionChoice.preferHttp11(
            Map.of("KUBERNETES_HTTP2_DISABLE", "false"), new Properties()))
        .isFalse();
    assertThat(HttpVersionChoice.preferHttp11(
            Map.of("KUBERNETES_HTTP2_DISABLE", "true"), new Properties()))
        .isFalse();
    assertThat(HttpVersionChoice.preferHttp11(Map.of(), property("false"))).isFalse();
  }
}
