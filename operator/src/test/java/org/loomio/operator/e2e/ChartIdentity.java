package org.loomio.operator.e2e;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.loomio.operator.chart.Chart;

/**
 * The operator's identity exactly as the Helm chart creates it: its ServiceAccount and RBAC (rendered by
 * the real Helm engine from {@code helm/loomio-operator}, default values), applied to the rig, and a
 * kubeconfig with a token of that ServiceAccount. An operator run with it has only the chart's rights,
 * so a missing rule fails the end-to-end suite with a 403.
 */
final class ChartIdentity {

  private final Path kubeconfig;
  private final String user;

  private ChartIdentity(Path kubeconfig, String user) {
    this.kubeconfig = kubeconfig;
    this.user = user;
  }

  /** Installs the chart's ServiceAccount and RBAC (cluster-wide mode) and writes a kubeconfig for it. */
  static ChartIdentity install(Rig rig, Path dir) throws IOException {
    KubernetesClient k = rig.admin();
    String ns = Chart.NAMESPACE;
    if (k.namespaces().withName(ns).get() == null) {
      k.namespaces()
          .resource(new NamespaceBuilder()
              .withNewMetadata()
              .withName(ns)
              .endMetadata()
              .build())
          .create();
    }
    List<HasMetadata> objects = Chart.template(null, "1.20.2");
    ServiceAccount account = null;
    for (HasMetadata o : objects) {
      if (o instanceof ServiceAccount sa) {
        account = sa;
      }
      if (o instanceof ServiceAccount
          || o instanceof ClusterRole
          || o instanceof ClusterRoleBinding
          || o instanceof Role
          || o instanceof RoleBinding) {
        k.resource(o).forceConflicts().serverSideApply();
      }
    }
    if (account == null) {
      throw new IllegalStateException("the chart renders no ServiceAccount");
    }
    TokenRequest request = new TokenRequestBuilder()
        .withNewSpec()
        .withExpirationSeconds(4L * 3600)
        .endSpec()
        .build();
    String token = k.serviceAccounts()
        .inNamespace(ns)
        .withName(account.getMetadata().getName())
        .tokenRequest(request)
        .getStatus()
        .getToken();
    Config admin = k.getConfiguration();
    String ca = admin.getCaCertData();
    if (ca == null && admin.getCaCertFile() != null) {
      ca = java.util.Base64.getEncoder()
          .encodeToString(Files.readAllBytes(Path.of(admin.getCaCertFile())));
    }
    Files.createDirectories(dir);
    Path file = dir.resolve("chart-operator.kubeconfig");
    Files.writeString(
        file, """
        apiVersion: v1
        kind: Config
        clusters:
        - name: rig
          cluster: {server: "%s", certificate-authority-data: "%s"}
        users:
        - name: operator
          user: {token: "%s"}
        contexts:
        - name: operator
          context: {cluster: rig, user: operator, namespace: %s}
        current-context: operator
        """.formatted(admin.getMasterUrl().replaceAll("/$", ""), ca, token, ns));
    return new ChartIdentity(
        file, "system:serviceaccount:" + ns + ":" + account.getMetadata().getName());
  }

  Path kubeconfig() {
    return kubeconfig;
  }

  /** The user name the audit log records for it. */
  String user() {
    return user;
  }
}
