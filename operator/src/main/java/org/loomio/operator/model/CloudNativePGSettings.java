package org.loomio.operator.model;

import java.util.List;
import java.util.Objects;
import org.loomio.operator.api.v1alpha1.CidrBlock;

/**
 * What the installation (the chart, not the tenant) says about CloudNativePG for every stack in
 * spec.database.cloudNativePG mode.
 *
 * @param operatorNamespace the namespace CloudNativePG's operator runs in (chart value
 *     {@code cloudNativePG.operatorNamespace}, upstream default {@value #DEFAULT_OPERATOR_NAMESPACE}): its pods may
 *     reach the instances on 8000 and 5432
 * @param podMonitor whether the chart's monitoring is on: the Cluster then asks CloudNativePG for a PodMonitor,
 *     and Prometheus may reach the instances' metrics port
 * @param monitoringNamespaces the namespaces Prometheus runs in (the chart's {@code networkPolicy.ingressNamespaces})
 * @param apiServer the API server's addresses (the chart's {@code networkPolicy.apiServer.cidrs}): the instances'
 *     instance manager talks to it; empty: no rule (the NetworkPolicies condition says the instances cannot reach it)
 * @param apiServerPorts the ports of those addresses
 */
public record CloudNativePGSettings(
    String operatorNamespace,
    boolean podMonitor,
    List<String> monitoringNamespaces,
    List<CidrBlock> apiServer,
    List<Integer> apiServerPorts) {

  public static final String DEFAULT_OPERATOR_NAMESPACE = "cnpg-system";

  /** The chart's defaults, with no API server address known. */
  public static final CloudNativePGSettings DEFAULTS = new CloudNativePGSettings(
      DEFAULT_OPERATOR_NAMESPACE, false, List.of(), List.of(), List.of(443, 6443));

  public CloudNativePGSettings {
    operatorNamespace = operatorNamespace == null || operatorNamespace.isBlank()
        ? DEFAULT_OPERATOR_NAMESPACE
        : operatorNamespace.strip();
    monitoringNamespaces =
        List.copyOf(Objects.requireNonNull(monitoringNamespaces, "monitoringNamespaces"));
    apiServer = List.copyOf(Objects.requireNonNull(apiServer, "apiServer"));
    apiServerPorts = List.copyOf(
        apiServerPorts == null || apiServerPorts.isEmpty() ? List.of(443, 6443) : apiServerPorts);
    for (CidrBlock b : apiServer) {
      if (b.getCidr().endsWith("/0")) {
        throw new IllegalArgumentException("the API server's address range must not be "
            + b.getCidr() + ": give the addresses of its endpoints");
      }
    }
  }
}
