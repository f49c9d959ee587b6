package org.loomio.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.EnvNames;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.render.Stack;
import org.loomio.operator.render.workload.HocuspocusDeployment;
import org.loomio.operator.testing.Fixtures;

/**
 * docs/api.md's environment evidence table names every variable the operator gives Loomio's containers, each with
 * the file that reads it: a variable cannot be added to the render without its evidence, and the table holds no
 * variable the operator neither sets nor keeps for itself.
 */
class EnvironmentEvidenceTest {

  private static final Path DOCS =
      Path.of(System.getProperty("examples.dir", "../examples")).resolveSibling("docs");

  /** Stacks that together set every variable: each mode of database, Redis, storage and mail, every flag. */
  private static final List<String> SPECS = List.of("host: a.example.org", """
      host: a.example.org
      replyHostname: reply.example.org
      supportEmail: help@example.org
      siteName: Decisions
      smtp: {host: smtp.example.org, port: 465, username: u, passwordSecretRef: {name: smtp, key: password}, fromAddress: n@example.org}
      storage: {s3: {endpoint: https://minio.example.org, bucket: up, forcePathStyle: true, credentialsSecretRef: {name: s3}, caSecretRef: {name: ca, key: c}}}
      database: {external: {host: pg.example.org, sslMode: verify-full, passwordSecretRef: {name: p, key: k}, caSecretRef: {name: ca, key: c}, version: 16}}
      redis: {mode: external, external: {urlSecretRef: {name: r, key: url}}}
      env: [{name: SENTRY_PUBLIC_DSN, value: "https://k@sentry.example.org/1"}, {name: THEME_PRIMARY_COLOR, value: red}]
      secretEnv: [{name: SENTRY_DSN, secretKeyRef: {name: sentry, key: dsn}}, {name: OPENAI_API_KEY, secretKeyRef: {name: ai, key: k}}]
      features: {disableCreateUser: true, disableCreateGroup: true, disableHelpLink: true, disableEmailLogin: true,
        disablePublicGroups: true, disableExampleContent: true, disableThreadFromMail: true,
        disableScrubAnonymousStances: true, demoGroups: true, explorePublicGroups: true, templateGallery: true,
        newThreadButton: true, showContact: true, showContactConsent: true, trials: true,
        graySidebarLogoInDarkMode: true, restrictExploreToSignedInUsers: true, verifyParticipantsAdminOnly: true,
        ssoForceUserAttrs: true, allowRobots: true}
      """);

  /** The table's rows: variable -> the file column. */
  static Map<String, String> table() throws IOException {
    String doc = Files.readString(DOCS.resolve("api.md"));
    int start = doc.indexOf("### Environment evidence");
    assertThat(start).as("docs/api.md has a section '### Environment evidence'").isNotNegative();
    int end = doc.indexOf("\n#", start + 5);
    Map<String, String> rows = new LinkedHashMap<>();
    // a cell: anything but an unescaped '|' (Markdown writes a pipe inside a cell as \\|)
    String cell = "((?:[^|\\\\]|\\\\.)*)";
    Pattern row = Pattern.compile(
        "^\\| `([A-Z][A-Z0-9_]*)` \\|" + cell + "\\|" + cell + "\\|" + cell + "\\|",
        Pattern.MULTILINE);
    Matcher m = row.matcher(doc.substring(start, end < 0 ? doc.length() : end));
    while (m.find()) {
      assertThat(rows.put(m.group(1), m.group(3).trim()))
          .as(m.group(1) + " has one row")
          .isNull();
      assertThat(m.group(4).trim()).as(m.group(1) + ": versions").isNotEmpty();
    }
    return rows;
  }

  /** What the operator sets in the containers that run the Loomio image, and in the settings ConfigMap. */
  static TreeSet<String> rendered() {
    TreeSet<String> names = new TreeSet<>();
    for (String spec : SPECS) {
      LoomioDeployment resource = Fixtures.resource("team", spec);
      Stack stack = Fixtures.render(resource);
      List<String> users = new ArrayList<>();
      resource.getSpec().getEnv().forEach(e -> users.add(e.getName()));
      resource.getSpec().getSecretEnv().forEach(e -> users.add(e.getName()));
      users.removeAll(HocuspocusDeployment.ERROR_REPORTING);
      stack.all(ConfigMap.class).stream()
          .filter(c -> c.getMetadata().getName().equals("team-config"))
          .forEach(c -> names.addAll(c.getData().keySet()));
      List<PodSpec> pods = new ArrayList<>();
      stack
          .all(Deployment.class)
          .forEach(d -> pods.add(d.getSpec().getTemplate().getSpec()));
      stack.all(Job.class).forEach(j -> pods.add(j.getSpec().getTemplate().getSpec()));
      for (PodSpec pod : pods) {
        List<Container> containers = new ArrayList<>(pod.getContainers());
        if (pod.getInitContainers() != null) {
          containers.addAll(pod.getInitContainers());
        }
        for (Container c : containers) {
          if (!c.getImage().startsWith("loomio/loomio:") || c.getEnv() == null) {
            continue;
          }
          c.getEnv().stream().map(EnvVar::getName).forEach(names::add);
        }
      }
      names.removeAll(users);
    }
    return names;
  }

  @Test
  void everyVariableTheOperatorSetsHasItsEvidence() throws IOException {
    Map<String, String> table = table();
    TreeSet<String> rendered = rendered();
    assertThat(rendered)
        .contains(
            "FORCE_SSL",
            "REDIS_URL",
            "REPLY_HOSTNAME",
            "LOOMIO_SYSTEM_RELOAD",
            "BOOTSNAP_READONLY",
            "HTTP_READ_TIMEOUT",
            "HTTP_WRITE_TIMEOUT",
            "SENTRY_DSN",
            "SENTRY_PUBLIC_DSN");
    assertThat(rendered)
        .as("variables without a row in docs/api.md's evidence table")
        .allSatisfy(name -> assertThat(table).containsKey(name));
    table.forEach((name, file) -> assertThat(file)
        .as(name + ": the file that reads it")
        .matches(".*`[^`]*(/|\\.rb|\\.mjs|\\.sh|\\.yml|\\.md|Dockerfile)[^`]*`.*"));
  }

  @Test
  void theTableNamesNothingTheOperatorNeitherSetsNorKeeps() throws IOException {
    TreeSet<String> rendered = rendered();
    assertThat(table().keySet())
        .allSatisfy(name -> assertThat(rendered.contains(name) || EnvNames.isOwned(name))
            .as(name + " is rendered or owned")
            .isTrue());
  }
}
