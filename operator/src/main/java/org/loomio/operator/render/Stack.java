package org.loomio.operator.render;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.loomio.operator.render.base.Omission;

/**
 * The whole desired state of one LoomioDeployment, in a stable order (ServiceAccounts, Secret,
 * ConfigMap, claims, Services, workloads, the migration Job, PodDisruptionBudgets), plus what was left
 * out for the cluster's sake and a few facts the status needs.
 *
 * @param objects every object, in apply order
 * @param omissions what the cluster cannot hold (APIAvailable)
 * @param image the Loomio image reference the stack runs
 * @param version the Loomio image tag
 * @param migrationJob name of the current migration Job
 */
public record Stack(
    List<HasMetadata> objects,
    List<Omission> omissions,
    String image,
    String version,
    String migrationJob) {

  public Stack {
    objects = Collections.unmodifiableList(new ArrayList<>(objects));
    omissions = List.copyOf(omissions);
  }

  public <T extends HasMetadata> List<T> all(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  public <T extends HasMetadata> Optional<T> get(Class<T> type, String name) {
    return all(type).stream()
        .filter(o -> o.getMetadata().getName().equals(name))
        .findFirst();
  }
}
