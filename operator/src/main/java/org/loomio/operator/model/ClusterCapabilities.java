package org.loomio.operator.model;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What the target cluster can hold: its version and the APIs it serves. Rendering takes this as input so
 * that nothing newer than the server is ever sent (an unknown field makes server-side apply fail, and a
 * field the server drops makes the operator re-apply forever); what is left out is reported through the
 * APIAvailable condition.
 *
 * @param major Kubernetes major version
 * @param minor Kubernetes minor version
 * @param servedApis served kinds as {@code group/version/Kind} (core group: {@code v1/Kind})
 */
public record ClusterCapabilities(int major, int minor, Set<String> servedApis) {

  public static final String PDB_V1 = "policy/v1/PodDisruptionBudget";
  /** Served from 1.5 to 1.24: the PodDisruptionBudget API of clusters before 1.21. */
  public static final String PDB_V1BETA1 = "policy/v1beta1/PodDisruptionBudget";

  public static final String CRONJOB_V1 = "batch/v1/CronJob";
  /** Served from 1.8 to 1.24: the CronJob API of clusters before 1.21. */
  public static final String CRONJOB_V1BETA1 = "batch/v1beta1/CronJob";

  public static final String INGRESS_V1 = "networking.k8s.io/v1/Ingress";
  /** Gateway API and Traefik are CRDs: the CLI assumes them installed; the operator asks the server. */
  public static final String HTTPROUTE_V1 = "gateway.networking.k8s.io/v1/HTTPRoute";

  public static final String TRAEFIK_MIDDLEWARE = "traefik.io/v1alpha1/Middleware";
  /**
   * cert-manager's Certificate: nothing is rendered for it, but without it an issuer named in spec.ingress.tls
   * issues nothing (the Edge condition says so). The CLI assumes it installed; the operator asks the server.
   */
  public static final String CERT_MANAGER_CERTIFICATE = "cert-manager.io/v1/Certificate";

  /** CloudNativePG's Cluster (spec.database.cloudNativePG): the CLI assumes it installed; the operator asks the server. */
  public static final String CNPG_CLUSTER = "postgresql.cnpg.io/v1/Cluster";

  /** The newest version the render CLI knows; used when it is not told {@code --kube-version}. */
  public static final String NEWEST = "1.34";

  /** The oldest version the project supports (docs/api.md); older servers still get what they can hold. */
  public static final int OLDEST_SUPPORTED_MINOR = 27;

  /**
   * The oldest version the operator runs on, with the {@link #gaps()} of its version (the chart's
   * {@code kubeVersion}; {@code render} refuses older ones).
   */
  public static final int OLDEST_RUNNABLE_MINOR = 20;

  /**
   * The one supported-versions statement: docs/api.md, the chart README, the operator's log and the render
   * CLI say exactly this (SupportedVersionsTest).
   */
  public static final String SUPPORT_STATEMENT = "Supported: Kubernetes 1." + OLDEST_SUPPORTED_MINOR
      + " and newer. Kubernetes 1." + OLDEST_RUNNABLE_MINOR + " to 1."
      + (OLDEST_SUPPORTED_MINOR - 1)
      + " run with the documented gaps. Older versions are not supported.";

  /**
   * What a cluster older than {@code sinceMinor} lacks that the operator cannot make up for, and what that
   * costs. The render CLI warns with them, the operator logs them, docs/api.md lists them (SupportedVersionsTest).
   *
   * @param sinceMinor the first 1.x that has it
   * @param what the missing API, field or behaviour
   * @param consequence what the installation lacks on older clusters, or what to do
   */
  public record Gap(int sinceMinor, String what, String consequence) {
    @Override
    public String toString() {
      return what + " (1." + sinceMinor + "+): " + consequence;
    }
  }

  /** Every gap between the oldest runnable and the oldest supported version, oldest first. */
  public static final List<Gap> GAPS = List.of(
      new Gap(
          21,
          "the namespace label kubernetes.io/metadata.name",
          "the default DNS and ingress-nginx peers of the NetworkPolicies select namespaces by it: label"
              + " kube-system (and ingress-nginx) with it, or set spec.networkPolicy.dns and .edge"),
      new Gap(
          21,
          "the create-only guard of Services",
          "a Service is created after a read of its name instead of by a create that fails when it exists"),
      new Gap(
          25,
          "CEL validation rules (x-kubernetes-validations)",
          "install the CRDs from crds/legacy/; a spec that breaks a cross-field rule is admitted and then"
              + " refused by the operator (Degraded, InvalidSpec) instead of at admission"),
      new Gap(
          27,
          "CronJob spec.timeZone",
          "scheduled backups run in the kube-controller-manager's time zone, not spec.backup.timeZone"),
      new Gap(
          27,
          "PodDisruptionBudget spec.unhealthyPodEvictionPolicy",
          "an unhealthy web or hocuspocus pod can block a node drain"));

  private static final Pattern VERSION = Pattern.compile("^v?(\\d+)\\.(\\d+)(\\D.*)?$");

  public ClusterCapabilities {
    servedApis = Set.copyOf(servedApis);
  }

  /** The APIs an upstream Kubernetes of this version serves (for the CLI; the operator asks the server). */
  public static ClusterCapabilities forVersion(String version) {
    Matcher m = VERSION.matcher(version.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "not a Kubernetes version: '" + version + "' (expected e.g. 1.30)");
    }
    int major = Integer.parseInt(m.group(1));
    int minor = Integer.parseInt(m.group(2));
    Set<String> served = new HashSet<>(
        Set.of(HTTPROUTE_V1, TRAEFIK_MIDDLEWARE, CERT_MANAGER_CERTIFICATE, CNPG_CLUSTER));
    boolean newer = major > 1;
    if (newer || minor >= 19) {
      served.add(INGRESS_V1);
    }
    if (newer || minor >= 21) {
      served.add(PDB_V1);
      served.add(CRONJOB_V1);
    }
    if (!newer && minor <= 24) {
      served.add(PDB_V1BETA1);
      served.add(CRONJOB_V1BETA1);
    }
    return new ClusterCapabilities(major, minor, served);
  }

  public static ClusterCapabilities newest() {
    return forVersion(NEWEST);
  }

  public boolean serves(String groupVersionKind) {
    return servedApis.contains(groupVersionKind);
  }

  /** The CronJob API to write: batch/v1, else batch/v1beta1 (Kubernetes before 1.21), else none. */
  public Optional<String> cronJobApi() {
    return first(CRONJOB_V1, CRONJOB_V1BETA1);
  }

  /** The PodDisruptionBudget API to write: policy/v1, else policy/v1beta1 (before 1.21), else none. */
  public Optional<String> podDisruptionBudgetApi() {
    return first(PDB_V1, PDB_V1BETA1);
  }

  private Optional<String> first(String... apis) {
    return Arrays.stream(apis).filter(this::serves).findFirst();
  }

  /** Older than the oldest version the operator runs on: render refuses it, the operator logs an error. */
  public boolean runnable() {
    return atLeast(1, OLDEST_RUNNABLE_MINOR);
  }

  /** At least the oldest supported version: no {@link #gaps()}. */
  public boolean supported() {
    return atLeast(1, OLDEST_SUPPORTED_MINOR);
  }

  /** The gaps of this version (empty from the oldest supported version on). */
  public List<Gap> gaps() {
    return GAPS.stream().filter(g -> !atLeast(1, g.sinceMinor())).toList();
  }

  /**
   * What this version means for the operator, in one line: the {@link #SUPPORT_STATEMENT} and, for older
   * versions, the gaps that apply (the operator's log and the render CLI's warning).
   */
  public String support() {
    if (supported()) {
      return "Kubernetes " + version() + " is supported. " + SUPPORT_STATEMENT;
    }
    if (!runnable()) {
      return "Kubernetes " + version() + " is older than 1." + OLDEST_RUNNABLE_MINOR
          + ", the oldest version the operator runs on. " + SUPPORT_STATEMENT;
    }
    return "Kubernetes " + version() + " runs with these gaps: "
        + gaps().stream().map(Gap::toString).collect(Collectors.joining("; "))
        + ". "
        + SUPPORT_STATEMENT;
  }

  public boolean atLeast(int wantedMajor, int wantedMinor) {
    return major > wantedMajor || (major == wantedMajor && minor >= wantedMinor);
  }

  /** {@code PodDisruptionBudget.spec.unhealthyPodEvictionPolicy}: beta and on by default from 1.27. */
  public boolean hasPdbUnhealthyPodEvictionPolicy() {
    return atLeast(1, 27);
  }

  public String version() {
    return major + "." + minor;
  }
}
