package org.loomio.operator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.loomio.operator.api.v1alpha1.LoomioDeploymentSpec;
import org.loomio.operator.testing.Fixtures;

/** The operator's own checks, one rule at a time (the corpus covers one bad input per rule). */
class SpecValidatorTest {

  private static List<Violation> validate(String specYaml) {
    return SpecValidator.validate(Fixtures.resource("team", specYaml));
  }

  private static String label(char c, int length) {
    return String.valueOf(c).repeat(length);
  }

  @Test
  void aHostLabelOf63CharactersIsADnsNameAndOf64IsNot() {
    assertThat(validate("host: " + label('a', 63) + ".example.org")).isEmpty();
    assertThat(validate("host: " + label('a', 64) + ".example.org"))
        .singleElement()
        .satisfies(v -> {
          assertThat(v.field()).isEqualTo("spec.host");
          assertThat(v.message()).contains("64 characters").contains("at most 63");
        });
  }

  @Test
  void theDerivedHocuspocusHostMustStayADnsName() {
    assertThat(LoomioDeploymentSpec.MAX_HOST_LENGTH_WITH_DERIVED_HOCUSPOCUS)
        .isEqualTo(
            LoomioDeploymentSpec.MAX_HOST_LENGTH - LoomioDeploymentSpec.HOCUSPOCUS_PREFIX.length());
    String longest = label('a', 60) + "." + label('b', 60) + "." + label('c', 60) + "."
        + label('d', 47) + ".example.org";
    assertThat(longest).hasSize(242);
    assertThat(validate("host: " + longest)).isEmpty();
    assertThat(validate("host: x" + longest)).singleElement().satisfies(v -> {
      assertThat(v.field()).isEqualTo("spec.host");
      assertThat(v.message()).isEqualTo(LoomioDeploymentSpec.HOST_TOO_LONG_FOR_HOCUSPOCUS);
    });
    assertThat(validate("host: x" + longest + "\nhocuspocusHost: collab.example.org"))
        .isEmpty();
  }

  @Test
  void aHostOver253CharactersIsRefused() {
    String host = (label('a', 63) + ".").repeat(4) + "org";
    assertThat(host.length()).isGreaterThan(253);
    assertThat(validate("host: " + host + "\nhocuspocusHost: collab.example.org"))
        .singleElement()
        .satisfies(v -> assertThat(v.toString())
            .isEqualTo("spec.host: has 259 characters; a DNS name has at most 253"));
  }

  @Test
  void theHocuspocusHostIsCheckedLikeTheHost() {
    assertThat(validate("host: a.example.org\nhocuspocusHost: " + label('h', 64) + ".example.org"))
        .extracting(Violation::field)
        .containsExactly("spec.hocuspocusHost");
    assertThat(validate("host: a.example.org\nhocuspocusHost: Collab.example.org"))
        .extracting(Violation::field)
        .containsExactly("spec.hocuspocusHost");
    assertThat(validate("host: a.example.org\nhocuspocusHost: a.example.org"))
        .extracting(Violation::toString)
        .containsExactly("spec.hocuspocusHost: must differ from spec.host (the edge"
            + " routes each host to one component)");
  }

  @Test
  void everyStorageSizeMustBeGreaterThanZero() {
    for (String zero : List.of("\"0\"", "0Gi", "\"0.0\"", "000Mi", "0.00Ti")) {
      assertThat(validate("host: a.example.org\nstorage: {volume: {size: " + zero + "}}\n"
              + "database: {embedded: {storage: {size: " + zero + "}}}\n"
              + "backup: {volume: {size: " + zero + "}, scratch: {size: " + zero + "}}"))
          .as(zero)
          .extracting(Violation::field)
          .containsExactly(
              "spec.storage.volume.size",
              "spec.database.embedded.storage.size",
              "spec.backup.volume.size",
              "spec.backup.scratch.size");
    }
    assertThat(validate("host: a.example.org\nstorage: {volume: {size: 0Gi}}"))
        .singleElement()
        .satisfies(v -> assertThat(v.message())
            .isEqualTo("must be a size greater than zero, for example 10Gi;" + " got '0Gi'"));
    for (String positive : List.of("1", "0.5Gi", "010Gi", "1.5Ti", "100M")) {
      assertThat(validate("host: a.example.org\nstorage: {volume: {size: \"" + positive + "\"}}\n"
              + "backup: {scratch: {size: \"" + positive + "\"}}"))
          .as(positive)
          .isEmpty();
    }
  }

  @Test
  void theSchemaPatternRefusesAZeroSizeToo() {
    for (String zero : List.of("0", "0Gi", "0.0", "000Mi", "0.00Ti")) {
      assertThat(zero)
          .doesNotMatch(org.loomio.operator.api.v1alpha1.VolumeClaimSpec.QUANTITY_PATTERN);
    }
    for (String positive : List.of("1", "0.5Gi", "010Gi", "1.5Ti", "100M", "10Gi")) {
      assertThat(positive)
          .matches(org.loomio.operator.api.v1alpha1.VolumeClaimSpec.QUANTITY_PATTERN);
    }
  }

  @Test
  void theTlsSecretNameMustBeASecretName() {
    assertThat(validate(
            "host: a.example.org\ningress: {className: nginx, tls: {secretName: Shop_TLS}}"))
        .extracting(Violation::toString)
        .containsExactly("spec.ingress.tls.secretName: must be a Secret name (a"
            + " lower-case DNS subdomain, at most 253 characters); got 'Shop_TLS'");
    assertThat(validate(
            "host: a.example.org\ningress: {className: nginx, tls: {secretName: shop.tls-1}}"))
        .isEmpty();
  }

  /** Names that make Ruby, Node, the dynamic linker or every HTTP client load a tenant's code or proxy: refused. */
  @Test
  void envNamesThatLoadCodeOrRedirectTrafficAreRefusedInAnyCase() {
    for (String name : List.of(
        "LD_PRELOAD",
        "LD_LIBRARY_PATH",
        "LD_AUDIT",
        "ld_preload",
        "BUNDLE_GEMFILE",
        "BUNDLE_PATH",
        "BUNDLER_ORIG_PATH",
        "RUBYOPT",
        "RUBYLIB",
        "RUBY_YJIT_ENABLE",
        "NODE_OPTIONS",
        "NODE_PATH",
        "NODE_EXTRA_CA_CERTS",
        "NODE_TLS_REJECT_UNAUTHORIZED",
        "HTTP_PROXY",
        "http_proxy",
        "Https_Proxy",
        "NO_PROXY",
        "no_proxy",
        "ALL_PROXY",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "SSLKEYLOGFILE",
        "OPENSSL_CONF",
        "GCONV_PATH",
        "PATH",
        "path",
        "GEM_HOME",
        "GEM_PATH",
        "GEMRC",
        "MALLOC_ARENA_MAX",
        "MALLOC_CONF",
        "JAVA_TOOL_OPTIONS",
        "JDK_JAVA_OPTIONS",
        "PYTHONPATH",
        "PYTHONSTARTUP",
        "PERL5LIB",
        "PERL5OPT",
        "BASH_ENV",
        "ENV",
        "HOSTALIASES",
        "RES_OPTIONS",
        "LOCALDOMAIN",
        "SECRET_KEY_BASE_DUMMY",
        "PGHOSTADDR",
        "PGOPTIONS",
        "pgservicefile",
        "BAD_GATEWAY_PAGE",
        "THRUSTER_BAD_GATEWAY_PAGE",
        "thruster_tls_domain",
        "TLS_DOMAIN",
        "ACME_DIRECTORY",
        "EAB_KID",
        "STORAGE_PATH",
        "HTTPS_PORT",
        "HTTP_IDLE_TIMEOUT",
        "X_SENDFILE_ENABLED",
        "H2C_ENABLED",
        "FORWARD_HEADERS",
        "DEBUG",
        "LOG_REQUESTS")) {
      assertThat(validate("host: a.example.org\nenv: [{name: A_SETTING, value: x}, {name: " + name
              + ", value: x}]"))
          .as(name)
          .anySatisfy(v -> {
            assertThat(v.field()).isEqualTo("spec.env[1].name");
            assertThat(v.message()).startsWith("loads code or reaches the network");
          });
      assertThat(validate("host: a.example.org\nsecretEnv: [{name: " + name
              + ", secretKeyRef: {name: s, key: k}}]"))
          .as(name)
          .anySatisfy(v -> {
            assertThat(v.field()).isEqualTo("spec.secretEnv[0].name");
            assertThat(v.message()).contains("loads code or reaches the network");
          });
    }
    assertThat(validate("""
        host: a.example.org
        env: [{name: THEME_PRIMARY_COLOR, value: "#000"}, {name: SENTRY_PUBLIC_DSN, value: x}, {name: PATHS, value: x},
          {name: HOMEPAGE, value: x}, {name: NODEJS_NOTE, value: x}, {name: GEMINI_MODEL, value: x}, {name: ENVIRONMENT, value: x}]
        secretEnv: [{name: OAUTH_APP_SECRET, secretKeyRef: {name: s, key: k}}, {name: GEMINI_API_KEY, secretKeyRef: {name: s, key: g}}]
        """)).isEmpty();
  }

  /**
   * Every variable the operator sets in a Loomio container (the settings ConfigMap, and env entries of every
   * Rails container of several stacks) is refused in spec.env and spec.secretEnv: a tenant cannot override one.
   */
  @Test
  void everyVariableTheOperatorSetsInARailsContainerIsRefused() {
    java.util.Set<String> names = new java.util.TreeSet<>();
    for (String spec : List.of("host: a.example.org", """
        host: a.example.org
        smtp: {host: smtp.example.org, username: u, passwordSecretRef: {name: smtp, key: p}}
        storage: {s3: {endpoint: https://s3.example.org, bucket: b, credentialsSecretRef: {name: s3}, caSecretRef: {name: ca, key: ca.crt}}}
        database: {external: {host: pg.example.org, passwordSecretRef: {name: pg, key: p}, caSecretRef: {name: ca, key: ca.crt}}}
        features: {disableCreateUser: true, allowRobots: true}
        redis: {mode: external, external: {urlSecretRef: {name: r, key: url}}}
        web: {replicas: 2}
        """)) {
      var stack = Fixtures.render(Fixtures.resource("team", spec));
      stack.all(io.fabric8.kubernetes.api.model.ConfigMap.class).stream()
          .filter(cm -> cm.getMetadata().getName().equals("team-config"))
          .forEach(cm -> names.addAll(cm.getData().keySet()));
      for (var o : stack.objects()) {
        io.fabric8.kubernetes.api.model.PodSpec pod =
            o instanceof io.fabric8.kubernetes.api.model.apps.Deployment d
                ? d.getSpec().getTemplate().getSpec()
                : o instanceof io.fabric8.kubernetes.api.model.batch.v1.Job j
                    ? j.getSpec().getTemplate().getSpec()
                    : null;
        if (pod == null) {
          continue;
        }
        List<io.fabric8.kubernetes.api.model.Container> all =
            new java.util.ArrayList<>(pod.getContainers());
        all.addAll(pod.getInitContainers());
        all.stream()
            .filter(c -> c.getEnvFrom() != null && !c.getEnvFrom().isEmpty())
            .forEach(c -> c.getEnv().forEach(e -> names.add(e.getName())));
      }
    }
    assertThat(names)
        .contains("DATABASE_URL", "PGPASSWORD", "HOME", "WEB_CONCURRENCY", "TASK", "SMTP_PASSWORD");
    for (String name : names) {
      assertThat(validate("host: a.example.org\nenv: [{name: " + name + ", value: x}]"))
          .as(name)
          .anySatisfy(v -> assertThat(v.field()).isEqualTo("spec.env[0].name"));
      assertThat(validate("host: a.example.org\nsecretEnv: [{name: " + name
              + ", secretKeyRef: {name: s, key: k}}]"))
          .as(name)
          .anySatisfy(v -> assertThat(v.field()).isEqualTo("spec.secretEnv[0].name"));
    }
  }

  /** Pod labels in the namespaces of Kubernetes, the operator and the meshes are refused, naming the key. */
  @Test
  void podLabelsInReservedNamespacesAreRefused() {
    for (String component :
        List.of("web", "worker", "hocuspocus", "database.embedded", "redis.embedded")) {
      String path = component.replace(".embedded", ": {embedded");
      String close = component.contains(".") ? "}" : "";
      for (String key : List.of(
          "app.kubernetes.io/name",
          "kubernetes.io/metadata.name",
          "node.k8s.io/x",
          "k8s.io/x",
          "loomio.org/uploads-volume",
          "backup.loomio.org/x",
          "sidecar.istio.io/inject",
          "istio.io/rev",
          "security.istio.io/tlsMode",
          "linkerd.io/control-plane-ns",
          "azure.workload.identity/use",
          "admission.datadoghq.com/enabled",
          "kuma.io/sidecar-injection",
          "dapr.io/enabled")) {
        assertThat(validate(
                "host: a.example.org\n" + path + ": {pod: {labels: {\"" + key + "\": x}}}" + close))
            .as(component + " " + key)
            .singleElement()
            .satisfies(v -> {
              assertThat(v.field()).isEqualTo("spec." + component + ".pod.labels");
              assertThat(v.message()).startsWith(key + " ");
            });
      }
      assertThat(validate("host: a.example.org\n" + path
              + ": {pod: {labels: {team: x, example.org/cost-center: \"42\","
              + " kubernetes.example.org/x: y}}}" + close))
          .as(component)
          .isEmpty();
    }
  }

  // --- spec.networkPolicy.egress: CIDRs, except entries, the metadata addresses ---

  @Test
  void everyCidrListRefusesARangeThatReachesAMetadataAddressNamingTheField() {
    for (String list : List.of("publicCIDRs", "smtp", "s3", "backupS3", "database", "redis")) {
      assertThat(validate("host: a.example.org\nnetworkPolicy: {egress: {" + list
              + ": [{cidr: 10.0.0.0/8}," + " {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}]}}"))
          .singleElement()
          .satisfies(v -> {
            assertThat(v.field()).isEqualTo("spec.networkPolicy.egress." + list + "[1].cidr");
            assertThat(v.message())
                .startsWith("0.0.0.0/0 reaches 169.254.169.254 and 100.100.100.200")
                .contains("except");
          });
    }
    assertThat(validate(
            "host: a.example.org\nnetworkPolicy: {egress: {s3: [{cidr: 169.254.169.254/32}]}}"))
        .extracting(Violation::field)
        .containsExactly("spec.networkPolicy.egress.s3[0].cidr");
    assertThat(
            validate(
                "host: a.example.org\nnetworkPolicy: {egress: {smtp: [{cidr: \"::/0\", except: [\"fc00::/8\"]}]}}"))
        .singleElement()
        .satisfies(v -> assertThat(v.message()).startsWith("::/0 reaches fd00:ec2::254"));
  }

  @Test
  void aRangeWhoseExceptLeavesTheMetadataAddressesOutPasses() {
    assertThat(validate("""
        host: a.example.org
        networkPolicy:
          egress:
            publicCIDRs:
            - {cidr: 0.0.0.0/0, except: [169.254.0.0/16, 100.64.0.0/10]}
            - {cidr: "::/0", except: ["fd00:ec2::254/128"]}
            database: [{cidr: 10.0.12.0/24}]
        """)).isEmpty();
  }

  @Test
  void backupS3IsValidatedLikeTheOtherLists() {
    assertThat(validate(
            "host: a.example.org\nnetworkPolicy: {egress: {backupS3: [{cidr: 203.0.113.0/24,"
                + " except: [10.0.0.0/8, nonsense]}]}}"))
        .extracting(Violation::toString)
        .containsExactly(
            "spec.networkPolicy.egress.backupS3[0].except[0]: 10.0.0.0/8 must lie strictly within cidr 203.0.113.0/24",
            "spec.networkPolicy.egress.backupS3[0].except[1]: not a CIDR: nonsense");
    assertThat(validate(
            "host: a.example.org\nnetworkPolicy: {egress: {backupS3: [{cidr: 999.1.1.1/8}]}}"))
        .extracting(Violation::field)
        .containsExactly("spec.networkPolicy.egress.backupS3[0].cidr");
  }

  @Test
  void anExceptMustBeAStrictSubsetOfItsCidr() {
    assertThat(validate(
            "host: a.example.org\nnetworkPolicy: {egress: {smtp: [{cidr: 10.0.0.0/8, except: [10.0.0.0/8,"
                + " \"fd00::/8\", 10.1.0.0/16]}]}}"))
        .extracting(Violation::field)
        .containsExactly(
            "spec.networkPolicy.egress.smtp[0].except[0]",
            "spec.networkPolicy.egress.smtp[0].except[1]");
  }

  /** An IPv4-mapped cidr is read as the IPv4 range it maps (Go's net.IPNet): refused, so it cannot pass as IPv6. */
  @Test
  void anIpv4MappedCidrIsRefused() {
    for (String cidr :
        List.of("::ffff:0:0/96", "::ffff:a9fe:a9fe/128", "0:0:0:0:0:ffff:a9fe:0/112")) {
      assertThat(validate(
              "host: a.example.org\nnetworkPolicy: {egress: {smtp: [{cidr: \"" + cidr + "\"}]}}"))
          .as(cidr)
          .singleElement()
          .satisfies(v -> {
            assertThat(v.field()).isEqualTo("spec.networkPolicy.egress.smtp[0].cidr");
            assertThat(v.message()).contains("IPv4-mapped").contains("write it as IPv4");
          });
    }
    assertThat(validate(
            "host: a.example.org\nnetworkPolicy: {egress: {smtp: [{cidr: \"2001:db8::/32\"}]}}"))
        .isEmpty();
  }

  /** The API server never counts an IPv4-mapped except as within an IPv6 cidr: refused before it is applied. */
  @Test
  void anIpv4MappedExceptUnderAnIpv6CidrIsRefused() {
    assertThat(
            validate(
                "host: a.example.org\nnetworkPolicy: {egress: {publicCIDRs: [{cidr: \"::/0\","
                    + " except: [\"fc00::/7\", \"::ffff:0:0/96\", \"::ffff:a9fe:a9fe/128\", \"fd00:ec2::254/128\"]}]}}"))
        .extracting(Violation::field)
        .containsExactly(
            "spec.networkPolicy.egress.publicCIDRs[0].except[1]",
            "spec.networkPolicy.egress.publicCIDRs[0].except[2]");
    assertThat(
            validate("host: a.example.org\nnetworkPolicy: {egress: {smtp: [{cidr: \"::/0\", except:"
                + " [\"::ffff:0:0/96\", \"fd00:ec2::254/128\"]}]}}"))
        .singleElement()
        .satisfies(
            v -> assertThat(v.message()).contains("IPv4-mapped").contains("write it as IPv4"));
  }

  @Test
  void anExternalRedisHostIsCheckedLikeTheDatabaseHost() {
    String redis =
        "host: a.example.org\nredis: {mode: external, external: {urlSecretRef: {name: r, key: url}, host: %s}}";
    assertThat(validate(redis.formatted("169.254.169.254")))
        .extracting(Violation::field)
        .containsExactly("spec.redis.external.host");
    assertThat(validate(redis.formatted("metadata.google.internal")))
        .extracting(Violation::field)
        .containsExactly("spec.redis.external.host");
    assertThat(validate(redis.formatted("redis-master.caches.svc"))).isEmpty();
  }

  /** A spec that names a Secret in every field that can name one (all at once; not a working stack). */
  private static String everySecretField(String secret) {
    return "host: a.example.org\n"
        + "secrets: {existingSecret: " + secret + "}\n"
        + "database: {external: {host: db.example.org, passwordSecretRef: {name: " + secret
        + ", key: k},"
        + " caSecretRef: {name: " + secret + ", key: k}}}\n"
        + "redis: {mode: external, external: {urlSecretRef: {name: " + secret + ", key: k}}}\n"
        + "smtp: {host: smtp.example.org, username: u, passwordSecretRef: {name: " + secret
        + ", key: k}}\n"
        + "storage: {s3: {endpoint: 'https://s3.example.org', bucket: b, credentialsSecretRef: {name: "
        + secret + "},"
        + " caSecretRef: {name: " + secret + ", key: k}}}\n"
        + "backup: {s3: {endpoint: 'https://s3.example.org', bucket: b, credentialsSecretRef: {name: "
        + secret + "}},"
        + " encryption: {mode: Passphrase, passphraseSecretRef: {name: " + secret + ", key: k},"
        + " recipientsSecretRef: {name: " + secret + ", key: k}}}\n"
        + "secretEnv: [{name: OAUTH_APP_SECRET, secretKeyRef: {name: " + secret + ", key: k}}]\n"
        + "imagePullSecrets: [{name: " + secret + "}]\n"
        + "ingress: {className: nginx, tls: {secretName: " + secret + "}}\n";
  }

  private static final List<String> SECRET_FIELDS = List.of(
      "spec.secrets.existingSecret",
      "spec.database.external.passwordSecretRef.name",
      "spec.database.external.caSecretRef.name",
      "spec.redis.external.urlSecretRef.name",
      "spec.smtp.passwordSecretRef.name",
      "spec.storage.s3.credentialsSecretRef.name",
      "spec.storage.s3.caSecretRef.name",
      "spec.backup.s3.credentialsSecretRef.name",
      "spec.backup.encryption.passphraseSecretRef.name",
      "spec.backup.encryption.recipientsSecretRef.name",
      "spec.secretEnv[0].secretKeyRef.name",
      "spec.imagePullSecrets[0].name",
      "spec.ingress.tls.secretName");

  @Test
  void noFieldMayNameASecretTheOperatorGeneratesForTheStack() {
    for (String generated : List.of(
        "team-secrets",
        "team-secrets-rotation",
        "team-backup-key",
        "team-backup-signing-key",
        "team-postgres-superuser")) {
      List<Violation> refused = validate(everySecretField(generated)).stream()
          .filter(v ->
              v.message().startsWith(org.loomio.operator.api.v1alpha1.GeneratedSecretNames.REFUSED))
          .toList();
      assertThat(refused)
          .as(generated)
          .extracting(Violation::field)
          .containsExactlyElementsOf(SECRET_FIELDS);
      assertThat(refused).allSatisfy(v -> assertThat(v.message()).endsWith("(" + generated + ")"));
    }
    // a Secret of the user's own, another stack's name form, or the stack's own TLS Secret: not a
    // generated one
    for (String ok : List.of(
        "app-secrets",
        "team-tls",
        "other-backup-key",
        "teams-secrets",
        "other-postgres-superuser")) {
      assertThat(validate(everySecretField(ok)))
          .as(ok)
          .noneSatisfy(v -> assertThat(v.message())
              .startsWith(org.loomio.operator.api.v1alpha1.GeneratedSecretNames.REFUSED));
    }
  }

  /** The single fields are refused at admission too (CEL in the generated CRD, with the same field first). */
  @Test
  void theSingleSecretFieldsAreCelRulesOfTheCrdToo() throws Exception {
    var yaml = new com.fasterxml.jackson.databind.ObjectMapper(
        new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
    var crd = yaml.readTree(
        java.nio.file.Path.of("../crds/loomiodeployments.loomio.org-v1.yml").toFile());
    List<String> messages = new java.util.ArrayList<>();
    crd.at("/spec/versions/0/schema/openAPIV3Schema/x-kubernetes-validations")
        .forEach(r -> messages.add(r.path("message").asText()));
    for (String field : SECRET_FIELDS) {
      // spec.secretEnv and spec.imagePullSecrets: the operator's check only (the API server's CEL
      // cost estimate)
      assertThat(messages.contains(
              field + ": " + org.loomio.operator.api.v1alpha1.GeneratedSecretNames.REFUSED))
          .as(field)
          .isEqualTo(!field.contains("["));
    }
  }

  @Test
  void aRestoresVerificationKeyIsNeverAGeneratedSecretAndUnsignedBackupsOnlyByName() {
    var rs = new org.loomio.operator.api.v1alpha1.LoomioRestoreSpec();
    rs.setDeploymentName("team");
    for (String generated : List.of(
        "team-secrets",
        "team-secrets-rotation",
        "team-backup-key",
        "team-backup-signing-key",
        "team-postgres-superuser")) {
      rs.setVerificationKeySecretRef(
          new org.loomio.operator.api.v1alpha1.SecretKeyRef(generated, "public.asc"));
      assertThat(SpecValidator.validateRestore(rs)).singleElement().satisfies(v -> {
        assertThat(v.field()).isEqualTo("spec.verificationKeySecretRef.name");
        assertThat(v.message()).contains("names a Secret the operator generates", generated);
      });
    }
    rs.setVerificationKeySecretRef(
        new org.loomio.operator.api.v1alpha1.SecretKeyRef("old-cluster-signing", "k"));
    assertThat(SpecValidator.validateRestore(rs)).isEmpty();

    rs.setAllowUnsigned(true);
    assertThat(SpecValidator.validateRestore(rs))
        .singleElement() // backupName defaults to latest
        .satisfies(v -> assertThat(v.field()).isEqualTo("spec.allowUnsigned"));
    rs.setBackupName("team-20250105T020000Z");
    assertThat(SpecValidator.validateRestore(rs)).isEmpty();
  }

  @Test
  void aRestoresKeyMayBeABackupKeyButNeverTheStacksCredentials() {
    var rs = new org.loomio.operator.api.v1alpha1.LoomioRestoreSpec();
    rs.setDeploymentName("team");
    for (String credentials : List.of(
        "team-secrets",
        "team-secrets-rotation",
        "team-backup-signing-key",
        "team-postgres-superuser")) {
      rs.setPrivateKeySecretRef(
          new org.loomio.operator.api.v1alpha1.SecretKeyRef(credentials, "k"));
      assertThat(SpecValidator.validateRestore(rs))
          .singleElement()
          .satisfies(v -> assertThat(v.field()).isEqualTo("spec.privateKeySecretRef.name"));
    }
    for (String key : List.of("team-backup-key", "other-backup-key", "my-key", "other-secrets")) {
      rs.setPrivateKeySecretRef(new org.loomio.operator.api.v1alpha1.SecretKeyRef(key, "k"));
      assertThat(SpecValidator.validateRestore(rs)).as(key).isEmpty();
    }
  }

  @Test
  void theReplyHostnameIsADnsName() {
    assertThat(validate("host: a.example.org\nreplyHostname: reply.example.org"))
        .isEmpty();
    assertThat(validate("host: a.example.org\nreplyHostname: \"Reply.Example.org\""))
        .singleElement()
        .satisfies(v -> assertThat(v.field()).isEqualTo("spec.replyHostname"));
  }

  @Test
  void aReleaseOlderThanTheOldestServedIsRefusedUnlessItIsAMigrateOnlyStone() {
    assertThat(validate("host: a.example.org\nimage: {tag: \"3.0.12\"}"))
        .singleElement()
        .satisfies(v -> {
          assertThat(v.field()).isEqualTo("spec.image.tag");
          assertThat(v.message())
              .contains("Loomio 3.0.12")
              .contains("3.1.0 or later")
              .contains("migrate-only");
        });
    assertThat(validate("host: a.example.org\nimage: {tag: \"2.17\"}"))
        .singleElement()
        .satisfies(v -> assertThat(v.field()).isEqualTo("spec.image.tag"));
    assertThat(validate("host: a.example.org\nimage: {tag: \"2.17.1\"}")).isEmpty();
    assertThat(validate("host: a.example.org\nimage: {tag: \"3.1\"}")).isEmpty();
    assertThat(validate("host: a.example.org\nimage: {tag: latest}")).isEmpty();
  }

  @Test
  void aBackupPrefixIsTheStacksOwnAndHasNoDotDotOrEmptySegment() {
    String s3 = "host: a.example.org\nbackup: {s3: {endpoint: https://s3.example.org, bucket: bk,"
        + " credentialsSecretRef: {name: s3}, prefix: \"%s\"}}";
    // Fixtures put stack team in namespace loomio
    for (String ok : List.of("loomio/team", "prod/loomio/team", "cluster-a/x.y/loomio/team")) {
      assertThat(validate(s3.formatted(ok))).as(ok).isEmpty();
    }
    for (String bad : List.of(
        "loomio/other",
        "team",
        "other/team",
        "loomio/team/..",
        "../loomio/team",
        "a/../loomio/team",
        "a//loomio/team",
        "/loomio/team",
        "loomio/team/",
        "./loomio/team",
        "a..b/loomio/team",
        "xloomio/team",
        "loomio/xteam",
        "")) {
      assertThat(validate(s3.formatted(bad)))
          .as(bad)
          .singleElement()
          .satisfies(v -> assertThat(v.toString())
              .startsWith(
                  "spec.backup.s3.prefix: must be <namespace>/<name> or end with /<namespace>/<name>")
              .contains("('loomio/team' here)")
              .endsWith("got '" + bad + "'"));
    }
    // the CRD's pattern refuses the '..', '.' and empty segments already
    for (String bad :
        List.of("a/../loomio/team", "a//loomio/team", "./loomio/team", "a..b/loomio/team", "")) {
      assertThat(bad).doesNotMatch(org.loomio.operator.api.v1alpha1.BackupS3Spec.PREFIX_PATTERN);
    }
  }
}
