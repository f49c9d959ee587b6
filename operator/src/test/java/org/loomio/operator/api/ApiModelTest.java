package org.loomio.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.generator.annotation.Default;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.BackupEncryptionSpec;
import org.loomio.operator.api.v1alpha1.BackupRetentionSpec;
import org.loomio.operator.api.v1alpha1.BackupScratchSpec;
import org.loomio.operator.api.v1alpha1.BackupSpec;
import org.loomio.operator.api.v1alpha1.BackupVolumeSpec;
import org.loomio.operator.api.v1alpha1.EmbeddedDatabaseSpec;
import org.loomio.operator.api.v1alpha1.EmbeddedRedisSpec;
import org.loomio.operator.api.v1alpha1.EnvNames;
import org.loomio.operator.api.v1alpha1.ExternalDatabaseSpec;
import org.loomio.operator.api.v1alpha1.FeatureFlag;
import org.loomio.operator.api.v1alpha1.FeaturesSpec;
import org.loomio.operator.api.v1alpha1.HocuspocusSpec;
import org.loomio.operator.api.v1alpha1.ImageSpec;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.api.v1alpha1.LoomioDeploymentSpec;
import org.loomio.operator.api.v1alpha1.LoomioRestoreSpec;
import org.loomio.operator.api.v1alpha1.RedisSpec;
import org.loomio.operator.api.v1alpha1.S3BucketSpec;
import org.loomio.operator.api.v1alpha1.SmtpSpec;
import org.loomio.operator.api.v1alpha1.UploadsVolumeSpec;
import org.loomio.operator.api.v1alpha1.WebSpec;
import org.loomio.operator.api.v1alpha1.WorkerSpec;
import org.loomio.operator.validation.CrdSchema;

/** The model keeps its promises: one default per field, every field described, every flag owned. */
class ApiModelTest {

  private static final List<Class<?>> WITH_DEFAULTS = List.of(
      LoomioDeploymentSpec.class,
      ImageSpec.class,
      WebSpec.class,
      WorkerSpec.class,
      HocuspocusSpec.class,
      EmbeddedDatabaseSpec.class,
      ExternalDatabaseSpec.class,
      RedisSpec.class,
      EmbeddedRedisSpec.class,
      UploadsVolumeSpec.class,
      S3BucketSpec.class,
      SmtpSpec.class,
      BackupSpec.class,
      BackupEncryptionSpec.class,
      BackupVolumeSpec.class,
      BackupRetentionSpec.class,
      BackupScratchSpec.class,
      LoomioRestoreSpec.class);

  /** The CRD's default (what the API server fills in) and the Java initializer (what the renderer uses) agree. */
  @Test
  void schemaDefaultsEqualFieldInitializers() throws Exception {
    List<String> checked = new ArrayList<>();
    for (Class<?> type : WITH_DEFAULTS) {
      Object fresh = type.getDeclaredConstructor().newInstance();
      for (Field f : type.getDeclaredFields()) {
        Default d = f.getAnnotation(Default.class);
        if (d == null) {
          continue;
        }
        f.setAccessible(true);
        Object value = f.get(fresh);
        assertThat(value)
            .as(type.getSimpleName() + "." + f.getName() + " has @Default but no initializer")
            .isNotNull();
        String text = value instanceof Enum<?> e ? jsonName(e) : value.toString();
        assertThat(text).as(type.getSimpleName() + "." + f.getName()).isEqualTo(d.value());
        checked.add(type.getSimpleName() + "." + f.getName());
      }
    }
    assertThat(checked).hasSizeGreaterThan(20);
  }

  /**
   * JOSDK applies a fresh instance to add its finalizer (server-side apply): it must carry no spec, or the
   * operator would overwrite user fields with defaults.
   */
  @Test
  void aFreshResourceCarriesNoSpecAndNoStatus() {
    String json = io.fabric8.kubernetes.client.utils.Serialization.asJson(new LoomioDeployment());
    assertThat(json).doesNotContain("\"spec\"").doesNotContain("\"status\"");
  }

  @Test
  void everyFeatureFlagIsAnOwnedPresenceVariable() {
    int flags = 0;
    for (Field f : FeaturesSpec.class.getDeclaredFields()) {
      FeatureFlag flag = f.getAnnotation(FeatureFlag.class);
      if (f.isSynthetic() || java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
        continue;
      }
      assertThat(flag).as(f.getName() + " names its variable").isNotNull();
      assertThat(EnvNames.isOwned(flag.value())).as(flag.value()).isTrue();
      assertThat(f.getType()).isEqualTo(Boolean.class);
      flags++;
    }
    assertThat(flags).isEqualTo(20);
  }

  @Test
  void ownedNamesAndTheSecretPatternParse() {
    assertThat(EnvNames.OWNED)
        .contains(
            "DATABASE_URL",
            "SECRET_KEY_BASE",
            "FORCE_SSL",
            "ALLOW_ROBOTS",
            "REDIS_QUEUE_URL",
            "THRUSTER_HTTP_PORT")
        .hasSize(93);
    assertThat(EnvNames.looksSecret("OAUTH_APP_SECRET")).isTrue();
    assertThat(EnvNames.looksSecret("TURNSTILE_SITE_KEY")).isTrue();
    assertThat(EnvNames.looksSecret("SENTRY_PUBLIC_DSN")).isFalse();
    assertThat(EnvNames.looksSecret("THEME_PRIMARY_COLOR")).isFalse();
  }

  /** One list for the CRD and the operator: the CEL rule is the Java pattern's text, on env and secretEnv alike. */
  @Test
  void deniedNamesAreOneListForCelAndTheOperator() throws Exception {
    assertThat(EnvNames.CEL_NOT_DENIED)
        .contains("'" + EnvNames.DENIED_REGEX + "'")
        .doesNotContain("\\");
    for (String field : List.of("env", "secretEnv")) {
      var rules = LoomioDeploymentSpec.class
          .getDeclaredField(field)
          .getAnnotationsByType(io.fabric8.generator.annotation.ValidationRule.class);
      assertThat(rules).as(field).anySatisfy(r -> {
        assertThat(r.value()).isEqualTo(EnvNames.CEL_NOT_DENIED);
        assertThat(r.message()).isEqualTo("spec." + field + "[*].name: " + EnvNames.DENIED_MESSAGE);
      });
    }
    assertThat(EnvNames.isDenied("Http_Proxy")).isTrue();
    assertThat(EnvNames.isDenied("PATHS")).isFalse();
    assertThat(EnvNames.isDenied("HOME")).isTrue();
  }

  /** kubectl explain shows a description for every field of the spec. */
  @Test
  void everySpecFieldIsDescribed() {
    JsonNode spec =
        CrdSchema.get().crd().at("/spec/versions/0/schema/openAPIV3Schema/properties/spec");
    List<String> undocumented = new ArrayList<>();
    walk("spec", spec, undocumented);
    assertThat(undocumented).isEmpty();
  }

  private static void walk(String path, JsonNode schema, List<String> undocumented) {
    JsonNode properties = schema.path("properties");
    properties.fieldNames().forEachRemaining(name -> {
      String p = path + "." + name;
      JsonNode child = properties.get(name);
      boolean kubernetesType = p.contains(".affinity")
          || p.contains(".tolerations")
          || p.contains(".resources.")
          || p.contains("imagePullSecrets")
          || p.contains("Selector.");
      if (!kubernetesType && !child.has("description")) {
        undocumented.add(p);
      }
      if (!kubernetesType) {
        walk(p, child, undocumented);
        if (child.has("items")) {
          walk(p + "[]", child.get("items"), undocumented);
        }
      }
    });
  }

  private static String jsonName(Enum<?> e) {
    try {
      var prop = e.getDeclaringClass()
          .getField(e.name())
          .getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
      return prop == null ? e.name() : prop.value();
    } catch (NoSuchFieldException ex) {
      throw new IllegalStateException(ex);
    }
  }
}
