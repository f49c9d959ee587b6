package org.loomio.operator.render.workload;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Credentials;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.render.base.ObjectMetas;
import org.loomio.operator.render.base.RenderContext;

/**
 * The generated credentials Secret {@code <name>-secrets} (absent with spec.secrets.existingSecret). It
 * has no owner reference: like the data volumes it outlives the LoomioDeployment (unless
 * deletionPolicy is Delete), because a restored or re-attached database is useless without the
 * credentials that match it.
 */
public final class GeneratedSecret {

  private GeneratedSecret() {}

  /** The Secret holding {@code values}; the operator writes it only to add missing keys. */
  public static Secret render(ResolvedSpec spec, Map<String, String> values) {
    return render(spec, spec.generatedSecretName(), values);
  }

  /** A credentials Secret of the stack under another name (the pending values of a rotation). */
  public static Secret render(ResolvedSpec spec, String name, Map<String, String> values) {
    Map<String, String> data = new LinkedHashMap<>();
    values.forEach((k, v) ->
        data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    return new SecretBuilder()
        .withMetadata(ObjectMetas.retained(
            spec.namespace(), spec.name(), spec.uid(), name, Component.SECRETS))
        .withType("Opaque")
        .withData(data)
        .build();
  }

  /** As the CLI prints it: placeholders in stringData, so no value, real or encoded, is shown. */
  public static Secret renderPlaceholders(RenderContext ctx) {
    Map<String, String> data = new LinkedHashMap<>();
    ctx.credentials().values().keySet().forEach(k -> data.put(k, Credentials.PLACEHOLDER));
    return new SecretBuilder()
        .withMetadata(ObjectMetas.of(ctx, ctx.spec().generatedSecretName(), Component.SECRETS))
        .withType("Opaque")
        .withStringData(data)
        .build();
  }
}
