package org.loomio.operator.status;

/** Reasons of Edge: whether the Ingress or HTTPRoutes, their TLS and their headers are in place. */
public enum EdgeReason implements ConditionReason {
  EDGE_READY("EdgeReady"),
  /** No spec.ingress or spec.gateway: the user routes to the Services. */
  NOT_CONFIGURED("NotConfigured"),
  API_MISSING("APIMissing"),
  EDGE_OBJECTS_MISSING("EdgeObjectsMissing"),
  TLS_SECRET_MISSING("TLSSecretMissing"),
  /** An issuer is named, but the cluster serves no cert-manager Certificate. */
  CERT_MANAGER_MISSING("CertManagerMissing"),
  CERTIFICATE_PENDING("CertificatePending"),
  HEADERS_UNVERIFIED("HeadersUnverified"),
  HEADERS_NOT_ALLOWED("HeadersNotAllowed"),
  ROUTE_NOT_ACCEPTED("RouteNotAccepted"),
  ROUTE_PENDING("RoutePending"),
  /** The edge is removed while the stack is isolated. */
  ISOLATED("Isolated");

  private final String value;

  EdgeReason(String value) {
    this.value = value;
  }

  @Override
  public String type() {
    return Conditions.EDGE;
  }

  @Override
  public String value() {
    return value;
  }

  @Override
  public String toString() {
    return value;
  }
}
