package org.loomio.operator.render.workload;

import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import java.util.ArrayList;
import java.util.List;
import org.loomio.operator.model.Component;
import org.loomio.operator.render.base.ObjectMetas;
import org.loomio.operator.render.base.RenderContext;

/**
 * One ServiceAccount per component that runs pods, none of which may mount an API token (rules R19,
 * R20): Loomio never talks to the Kubernetes API, and backup and restore pods report through their
 * termination messages instead.
 */
public final class ServiceAccounts {

  private ServiceAccounts() {}

  public static List<ServiceAccount> render(RenderContext ctx) {
    List<ServiceAccount> accounts = new ArrayList<>();
    for (Component c : components(ctx)) {
      accounts.add(new ServiceAccountBuilder()
          .withMetadata(ObjectMetas.of(ctx, c))
          .withAutomountServiceAccountToken(false)
          .build());
    }
    return accounts;
  }

  static List<Component> components(RenderContext ctx) {
    List<Component> components =
        new ArrayList<>(List.of(Component.WEB, Component.WORKER, Component.MIGRATE));
    if (ctx.spec().hocuspocusEnabled()) {
      components.add(Component.HOCUSPOCUS);
    }
    if (ctx.spec().database().embedded()) {
      components.add(Component.POSTGRES);
      // kept while isolated, like every component's account: removing it would make clusters that
      // mint
      // ServiceAccount token Secrets delete one, and isolating must touch no Secret
      components.add(Component.DB_ROLES);
    }
    if (ctx.spec().redis().embedded()) {
      components.add(Component.REDIS);
    }
    // backup Jobs (scheduled or on demand) and restore Jobs can run whenever asked
    components.add(Component.BACKUP);
    components.add(Component.RESTORE);
    if (ctx.spec().drill().runs()) {
      components.add(Component.DRILL);
    }
    // day-2 Jobs, only while they are due
    if (ctx.upgradeGate().isPresent() && !ctx.isolated()) {
      components.add(Component.UPGRADE_GATE);
    }
    if (ctx.rotation().isPresent()) {
      components.add(Component.ROTATE);
    }
    return components;
  }
}
