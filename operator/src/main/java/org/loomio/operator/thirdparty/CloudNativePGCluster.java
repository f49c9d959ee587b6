package org.loomio.operator.thirdparty;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;
import java.util.Map;

/**
 * CloudNativePG's Cluster (postgresql.cnpg.io/v1), as a typed resource with a free-form spec and status. Typed, so
 * the client knows its plural without asking the server: clusters without CloudNativePG's CRDs (where the
 * dependent is not activated) must not be asked. Not ours: the CRD generator leaves this package out. The
 * operator writes its spec only; the status is CloudNativePG's, and the operator reads it for readiness.
 */
@Group("postgresql.cnpg.io")
@Version("v1")
@Kind("Cluster")
@Plural("clusters")
public class CloudNativePGCluster extends CustomResource<Map<String, Object>, Map<String, Object>>
    implements Namespaced {

  @Override
  protected Map<String, Object> initSpec() {
    return null;
  }

  @Override
  protected Map<String, Object> initStatus() {
    return null;
  }
}
