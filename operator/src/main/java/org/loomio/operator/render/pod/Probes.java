package org.loomio.operator.render.pod;

import io.fabric8.kubernetes.api.model.ExecAction;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.TCPSocketAction;
import java.util.List;

/**
 * Probe shapes. Liveness always differs from readiness (another port or another check, rule R23): a
 * readiness failure takes a pod out of its Service, a liveness failure restarts it, and the two must not
 * trip together on one slow request. Every probe names a declared container port (R24).
 */
public final class Probes {

  private Probes() {}

  public static Probe httpGet(
      String path, String port, int periodSeconds, int timeoutSeconds, int failureThreshold) {
    HTTPGetAction get = new HTTPGetAction();
    get.setPath(path);
    get.setPort(new IntOrString(port));
    get.setScheme("HTTP");
    return new ProbeBuilder()
        .withHttpGet(get)
        .withPeriodSeconds(periodSeconds)
        .withTimeoutSeconds(timeoutSeconds)
        .withFailureThreshold(failureThreshold)
        .withSuccessThreshold(1)
        .build();
  }

  public static Probe tcp(
      String port, int periodSeconds, int timeoutSeconds, int failureThreshold) {
    TCPSocketAction tcp = new TCPSocketAction();
    tcp.setPort(new IntOrString(port));
    return new ProbeBuilder()
        .withTcpSocket(tcp)
        .withPeriodSeconds(periodSeconds)
        .withTimeoutSeconds(timeoutSeconds)
        .withFailureThreshold(failureThreshold)
        .withSuccessThreshold(1)
        .build();
  }

  public static Probe exec(
      List<String> command, int periodSeconds, int timeoutSeconds, int failureThreshold) {
    return new ProbeBuilder()
        .withExec(new ExecAction(command))
        .withPeriodSeconds(periodSeconds)
        .withTimeoutSeconds(timeoutSeconds)
        .withFailureThreshold(failureThreshold)
        .withSuccessThreshold(1)
        .build();
  }
}
