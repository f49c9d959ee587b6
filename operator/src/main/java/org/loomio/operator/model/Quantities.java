package org.loomio.operator.model;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.Map;

/** Quantity arithmetic in the canonical forms the API server stores (so applied objects compare equal). */
public final class Quantities {

  private static final BigDecimal MI = BigDecimal.valueOf(1024L * 1024L);

  private Quantities() {}

  /** Whole mebibytes, rounded up. */
  public static long mebibytes(Quantity q) {
    return q.getNumericalAmount().divide(MI, 0, RoundingMode.CEILING).longValueExact();
  }

  public static long mebibytes(String quantity) {
    return mebibytes(new Quantity(quantity));
  }

  /** Canonical memory quantity: Gi when whole, else Mi. */
  public static Quantity ofMebibytes(long mi) {
    return new Quantity(mi % 1024 == 0 ? (mi / 1024) + "Gi" : mi + "Mi");
  }

  public static long bytes(String quantity) {
    return new Quantity(quantity)
        .getNumericalAmount()
        .setScale(0, RoundingMode.CEILING)
        .longValueExact();
  }

  /** Millicores, rounded up. */
  public static long millicores(Quantity q) {
    return q.getNumericalAmount()
        .movePointRight(3)
        .setScale(0, RoundingMode.CEILING)
        .longValueExact();
  }

  /**
   * Merges user resources over defaults, key by key (a key the user sets wins). A default request above a
   * user-set limit is lowered to that limit, so a smaller limit alone is enough to shrink a pod.
   */
  public static ResourceRequirements merge(
      ResourceRequirements user, ResourceRequirements defaults) {
    Map<String, Quantity> requests = new LinkedHashMap<>(copy(defaults.getRequests()));
    Map<String, Quantity> limits = new LinkedHashMap<>(copy(defaults.getLimits()));
    Map<String, Quantity> userRequests = user == null ? Map.of() : nonNull(user.getRequests());
    Map<String, Quantity> userLimits = user == null ? Map.of() : nonNull(user.getLimits());
    requests.putAll(userRequests);
    limits.putAll(userLimits);
    for (var e : userLimits.entrySet()) {
      Quantity request = requests.get(e.getKey());
      if (!userRequests.containsKey(e.getKey())
          && request != null
          && request.getNumericalAmount().compareTo(e.getValue().getNumericalAmount()) > 0) {
        requests.put(e.getKey(), e.getValue());
      }
    }
    ResourceRequirements merged = new ResourceRequirements();
    merged.setRequests(requests);
    merged.setLimits(limits);
    return merged;
  }

  public static ResourceRequirements copy(ResourceRequirements r) {
    ResourceRequirements c = new ResourceRequirements();
    c.setRequests(new LinkedHashMap<>(copy(r.getRequests())));
    c.setLimits(new LinkedHashMap<>(copy(r.getLimits())));
    return c;
  }

  private static Map<String, Quantity> copy(Map<String, Quantity> m) {
    Map<String, Quantity> c = new LinkedHashMap<>();
    nonNull(m).forEach((k, v) -> c.put(k, new Quantity(v.getAmount(), v.getFormat())));
    return c;
  }

  private static Map<String, Quantity> nonNull(Map<String, Quantity> m) {
    return m == null ? Map.of() : m;
  }
}
