package org.loomio.operator.render;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
  public static final String CRONJOB_V1 = "batch/v1/CronJob";
  public static final String INGRESS_V1 = "networking.k8s.io/v1/Ingress";
  /** Gateway API and Traefik are CRDs: the CLI assumes them installed; the operator asks the server. */
  public static final String HTTPROUTE_V1 = "gateway.networking.k8s.io/v1/HTTPRoute";
  public static final String TRAEFIK_MIDDLEWARE = "traefik.io/v1alpha1/Middleware";
  /**
   * cert-manager's Certificate: nothing is rendered for it, but without it an issuer named in spec.ingress.tls
   * issues nothing (the Edge condition says so). The CLI assumes it installed; the operator asks the server.
   */
  public static final String CERT_MANAGER_CERTIFICATE = "cert-manager.io/v1/Certificate";

  /** The newest version the render CLI knows; used when it is not told {@code --kube-version}. */
  public static final String NEWEST = "1.34";

  /** The oldest version the project supports (docs/api.md); older servers still get what they can hold. */
  public static final int OLDEST_SUPPORTED_MINOR = 27;

  private static final Pattern VERSION = Pattern.compile("^v?(\\d+)\\.(\\d+)(\\D.*)?$");

  public ClusterCapabilities {
    servedApis = Set.copyOf(servedApis);
  }

  /** The APIs an upstream Kubernetes of this version serves (for the CLI; the operator asks the server). */
  public static ClusterCapabilities forVersion(String version) {
    Matcher m = VERSION.matcher(version.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("not a Kubernetes version: '" + version + "' (expected e.g. 1.30)");
    }
    int major = Integer.parseInt(m.group(1));
    int minor = Integer.parseInt(m.group(2));
    java.util.Set<String> served = new java.util.HashSet<>(Set.of(HTTPROUTE_V1, TRAEFIK_MIDDLEWARE,
        CERT_MANAGER_CERTIFICATE));
    if (major > 1 || minor >= 19) {
      served.add(INGRESS_V1);
    }
    if (major > 1 || minor >= 21) {
      served.add(PDB_V1);
      served.add(CRONJOB_V1);
    }
    return new ClusterCapabilities(major, minor, served);
  }

  public static ClusterCapabilities newest() {
    return forVersion(NEWEST);
  }

  public boolean serves(String groupVersionKind) {
    return servedApis.contains(groupVersionKind);
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
