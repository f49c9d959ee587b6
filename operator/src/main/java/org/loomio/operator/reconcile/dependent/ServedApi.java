package org.loomio.operator.reconcile.dependent;

import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import org.loomio.operator.api.v1alpha1.LoomioDeployment;
import org.loomio.operator.model.ClusterCapabilities;

/**
 * Activation conditions: a dependent whose API the cluster does not serve is not activated at all (its
 * informer would fail to start); the render reports the omission through APIAvailable instead.
 */
public abstract class ServedApi implements Condition<Object, LoomioDeployment> {

  protected abstract String api();

  @Override
  public boolean isMet(
      DependentResource<Object, LoomioDeployment> dependentResource,
      LoomioDeployment primary,
      Context<LoomioDeployment> context) {
    return served(DesiredStack.cluster(context));
  }

  /** Whether the stack's objects of this dependent are written in this API on that cluster. */
  protected boolean served(ClusterCapabilities cluster) {
    return cluster.serves(api());
  }

  /** policy/v1 PodDisruptionBudget (Kubernetes 1.21+). */
  public static final class PodDisruptionBudgets extends ServedApi {
    @Override
    protected String api() {
      return ClusterCapabilities.PDB_V1;
    }
  }

  /** batch/v1 CronJob (Kubernetes 1.21+). */
  public static final class CronJobs extends ServedApi {
    @Override
    protected String api() {
      return ClusterCapabilities.CRONJOB_V1;
    }
  }

  /** batch/v1beta1 CronJob, only where batch/v1 is not served (Kubernetes 1.20). */
  public static final class CronJobsV1beta1 extends ServedApi {
    @Override
    protected String api() {
      return ClusterCapabilities.CRONJOB_V1BETA1;
    }

    @Override
    protected boolean served(ClusterCapabilities cluster) {
      return cluster.cronJobApi().filter(api()::equals).isPresent();
    }
  }

  /** policy/v1beta1 PodDisruptionBudget, only where policy/v1 is not served (Kubernetes 1.20). */
  public static final class PodDisruptionBudgetsV1beta1 extends ServedApi {
    @Override
    protected String api() {
      return ClusterCapabilities.PDB_V1BETA1;
    }

    @Override
    protected boolean served(ClusterCapabilities cluster) {
      return cluster.podDisruptionBudgetApi().filter(api()::equals).isPresent();
    }
  }

  /** networking.k8s.io/v1 Ingress (Kubernetes 1.19+). */
  public static final class Ingresses extends ServedApi {
    @Override
    protected String api() {
      return ClusterCapabilities.INGRESS_V1;
    }
  }

  /** gateway.networking.k8s.io/v1 HTTPRoute (the Gateway API CRDs). */
  public static final class HttpRoutes extends ServedApi {
    @Override
    protected String api() {
      return ClusterCapabilities.HTTPROUTE_V1;
    }
  }

  /** traefik.io/v1alpha1 Middleware (Traefik's CRDs). */
  public static final class TraefikMiddlewares extends ServedApi {
    @Override
    protected String api() {
      return ClusterCapabilities.TRAEFIK_MIDDLEWARE;
    }
  }

  /** postgresql.cnpg.io/v1 Cluster (CloudNativePG's CRDs). */
  public static final class CloudNativePGClusters extends ServedApi {
    @Override
    protected String api() {
      return ClusterCapabilities.CNPG_CLUSTER;
    }
  }
}
