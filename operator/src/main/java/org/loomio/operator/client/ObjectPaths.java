package org.loomio.operator.client;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * An object's URL path on the API server, as its model class declares its group, version and plural (the object's
 * own apiVersion first: a CronJob rendered for {@code batch/v1beta1} is asked for there). For requests fabric8's DSL
 * cannot make: a delete with preconditions ({@link Preconditioned}), a read from the watch cache.
 */
public final class ObjectPaths {

  private ObjectPaths() {}

  public static String of(HasMetadata object) {
    String apiVersion = object.getApiVersion() != null
        ? object.getApiVersion()
        : HasMetadata.getApiVersion(object.getClass());
    String base = apiVersion.contains("/") ? "/apis/" + apiVersion : "/api/" + apiVersion;
    String plural = HasMetadata.getPlural(object.getClass());
    String ns = object.getMetadata().getNamespace();
    return base + (ns == null ? "" : "/namespaces/" + encode(ns)) + "/" + plural + "/"
        + encode(object.getMetadata().getName());
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8);
  }
}
