package org.loomio.operator.client;

import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.HttpURLConnection;
import java.util.Objects;

/**
 * Writes that apply only to the very object the operator read and judged to be its own: a delete carries a
 * UID precondition (the API server refuses it if the name now belongs to another object), a patch starts with
 * a JSON Patch {@code test} of the UID. So an object that was replaced between the read and the write (a
 * stale cache, someone re-creating the name) is never touched.
 */
public final class Preconditioned {

  private Preconditioned() {}

  /**
   * Deletes {@code actual} (background propagation) if it is still the object with its UID.
   *
   * @return false when it was already gone
   * @throws KubernetesClientException 409 when the name now holds another object
   */
  public static boolean delete(KubernetesClient client, HasMetadata actual) {
    String uid = Objects.requireNonNull(
        actual.getMetadata().getUid(), "a delete needs the UID of what was read");
    var options = new DeleteOptionsBuilder()
        .withApiVersion("v1")
        .withKind("DeleteOptions")
        .withPropagationPolicy("Background")
        .withNewPreconditions()
        .withUid(uid)
        .endPreconditions()
        .build();
    try {
      client.raw(ObjectPaths.of(actual), "DELETE", options);
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
        return false;
      }
      throw e;
    }
  }

  /**
   * Applies JSON Patch operations to {@code actual} after a {@code test} that its UID is unchanged.
   *
   * @param operations JSON Patch operations, without the enclosing brackets
   */
  public static <T extends HasMetadata> T patch(
      KubernetesClient client, T actual, String operations) {
    String uid = Objects.requireNonNull(
        actual.getMetadata().getUid(), "a patch needs the UID of what was read");
    String patch = "[{\"op\":\"test\",\"path\":\"/metadata/uid\",\"value\":\"" + uid + "\"},"
        + operations + "]";
    return client.resource(actual).patch(PatchContext.of(PatchType.JSON), patch);
  }

  /**
   * Sets one annotation on {@code actual}, if it is still the object with its UID and unchanged since it was read
   * (its resourceVersion): the annotation records a judgement made from that copy (whose object it is), so a copy
   * from a cache that has not seen a later change (labels, another owner's mark) is refused (422) and read again.
   */
  public static <T extends HasMetadata> T annotate(
      KubernetesClient client, T actual, String key, String value) {
    String quoted = "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    String version = actual.getMetadata().getResourceVersion();
    String unchanged = version == null
        ? ""
        : "{\"op\":\"test\",\"path\":\"/metadata/resourceVersion\",\"value\":\"" + version + "\"},";
    String op = unchanged
        + (actual.getMetadata().getAnnotations() == null
            ? "{\"op\":\"add\",\"path\":\"/metadata/annotations\",\"value\":{\"" + key + "\":"
                + quoted + "}}"
            : "{\"op\":\"add\",\"path\":\"/metadata/annotations/"
                + key.replace("~", "~0").replace("/", "~1") + "\"," + "\"value\":" + quoted + "}");
    return patch(client, actual, op);
  }
}
