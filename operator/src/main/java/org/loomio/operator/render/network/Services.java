package org.loomio.operator.render.network;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import java.util.ArrayList;
import java.util.List;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Labels;
import org.loomio.operator.model.Names;
import org.loomio.operator.render.base.ObjectMetas;
import org.loomio.operator.render.base.RenderContext;
import org.loomio.operator.render.edge.EdgeRoutes;
import org.loomio.operator.render.workload.HocuspocusDeployment;
import org.loomio.operator.render.workload.PostgresStatefulSet;
import org.loomio.operator.render.workload.RedisDeployment;
import org.loomio.operator.render.workload.WebDeployment;

/**
 * The Services, all ClusterIP (rule R32): web and hocuspocus on port 80 for the edge and for each other,
 * PostgreSQL and Redis on their own ports for their clients. Ports always name their protocol (server-side
 * apply of a port without one fails on older servers). The embedded PostgreSQL also has the headless
 * {@code <name>-postgres-headless} ({@code clusterIP: None}), which governs its StatefulSet as the StatefulSet
 * documentation asks of {@code spec.serviceName}; no client uses it. It does not publish a pod that is not
 * ready (nothing needs the DNS name of a database that does not accept connections yet).
 */
public final class Services {

  private Services() {}

  public static List<Service> render(RenderContext ctx) {
    List<Service> services = new ArrayList<>();
    services.add(service(ctx, Component.WEB, "http", 80, WebDeployment.HTTP_PORT_NAME));
    if (ctx.spec().hocuspocusEnabled()) {
      services.add(
          service(ctx, Component.HOCUSPOCUS, "http", 80, HocuspocusDeployment.HTTP_PORT_NAME));
    }
    if (ctx.spec().database().embedded()) {
      services.add(service(
          ctx,
          Component.POSTGRES,
          PostgresStatefulSet.PORT_NAME,
          PostgresStatefulSet.PORT,
          PostgresStatefulSet.PORT_NAME));
      Service headless = service(
          ctx,
          Component.POSTGRES,
          PostgresStatefulSet.PORT_NAME,
          PostgresStatefulSet.PORT,
          PostgresStatefulSet.PORT_NAME);
      headless.getMetadata().setName(Names.postgresHeadless(ctx.name()));
      headless.getSpec().setClusterIP("None");
      services.add(headless);
    }
    if (ctx.spec().redis().embedded()) {
      services.add(service(
          ctx,
          Component.REDIS,
          RedisDeployment.PORT_NAME,
          RedisDeployment.PORT,
          RedisDeployment.PORT_NAME));
    }
    if (EdgeRoutes.enabled(ctx.spec())) {
      // no pod carries component=closed: the edge's internal-only paths end here with a 503
      services.add(service(ctx, Component.CLOSED, "http", 80, "http"));
    }
    return services;
  }

  private static Service service(
      RenderContext ctx, Component component, String portName, int port, String targetPort) {
    return new ServiceBuilder()
        .withMetadata(ObjectMetas.of(ctx, component))
        .withNewSpec()
        .withType("ClusterIP")
        .withSelector(Labels.selector(ctx.name(), component))
        .withPorts(new ServicePortBuilder()
            .withName(portName)
            .withPort(port)
            .withProtocol("TCP")
            .withTargetPort(new IntOrString(targetPort))
            .build())
        .endSpec()
        .build();
  }
}
