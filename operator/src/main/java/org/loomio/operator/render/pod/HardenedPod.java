package org.loomio.operator.render.pod;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodAffinity;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.PodAntiAffinity;
import io.fabric8.kubernetes.api.model.PodAntiAffinityBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTermBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.loomio.operator.api.v1alpha1.PodOptions;
import org.loomio.operator.model.Component;
import org.loomio.operator.model.Defaults;
import org.loomio.operator.model.Labels;
import org.loomio.operator.model.Names;
import org.loomio.operator.model.Quantities;
import org.loomio.operator.model.SecretDigests;
import org.loomio.operator.render.base.RenderContext;

/**
 * The one way a pod template is made. Every workload hands its containers and writable paths to this
 * builder, which applies the hardening checklist (docs/hardening.md) whatever the workload asked for:
 *
 * <ul>
 *   <li>pod: non-root UID/GID 10001, fsGroup 10001, seccomp RuntimeDefault, no service-account token,
 *       no service links, its own ServiceAccount (R05-R10, R19, R20);
 *   <li>every container, init containers included: no privilege escalation, not privileged, read-only
 *       root filesystem, all capabilities dropped, non-root (its securityContext is replaced, not
 *       merged) (R04-R09, R14);
 *   <li>every writable path is a sized emptyDir ({@link Scratch}); resources are always set, and the
 *       ephemeral-storage limit follows the scratch volumes unless the user set it (R14-R16);
 *   <li>long-running pods spread over hosts and zones (R27, R28);
 *   <li>annotations with the hash of the settings and Secret keys the pod consumes, so a changed setting
 *       or secret rolls exactly the pods that read it;
 *   <li>no container refers to a variable in its command, args or env values ({@code $(VAR)}, which the
 *       kubelet expands) other than the operator's deliberate ones ({@link Expansion}): user strings are
 *       escaped, and a pod that holds an unescaped reference is not built.
 * </ul>
 *
 * The only departures are in {@link HardeningExceptions}.
 */
public final class HardenedPod {

  public static final long USER_ID = 10001L;
  public static final long GROUP_ID = 10001L;

  public static final String CONFIG_HASH_ANNOTATION = "loomio.org/config-hash";
  public static final String SECRET_HASH_ANNOTATION = "loomio.org/secret-hash";

  private final RenderContext ctx;
  private final Component component;
  private final List<Container> containers = new ArrayList<>();
  private final List<Container> initContainers = new ArrayList<>();
  private final List<Container> bareInitContainers = new ArrayList<>();
  private final List<Scratch> scratch = new ArrayList<>();
  private final List<Volume> volumes = new ArrayList<>();
  private final Map<String, String> extraLabels = new LinkedHashMap<>();
  private PodOptions options = new PodOptions();
  private String coLocationLabel;
  private boolean longRunning = true;
  private String restartPolicy;
  private Long terminationGracePeriodSeconds;

  private HardenedPod(RenderContext ctx, Component component) {
    this.ctx = ctx;
    this.component = component;
  }

  public static HardenedPod of(RenderContext ctx, Component component) {
    return new HardenedPod(ctx, component);
  }

  /** A main container. Its securityContext is replaced by the hardened one. */
  public HardenedPod container(Container c) {
    containers.add(c);
    return this;
  }

  /** An init container that sees the pod's scratch volumes, like the main containers. */
  public HardenedPod initContainer(Container c) {
    initContainers.add(c);
    return this;
  }

  /** An init container of another image that mounts only what it declares itself (no scratch volumes). */
  public HardenedPod bareInitContainer(Container c) {
    bareInitContainers.add(c);
    return this;
  }

  /** A writable path, mounted into the main containers and the (non-bare) init containers. */
  public HardenedPod scratch(Scratch s) {
    scratch.add(s);
    return this;
  }

  /** A data volume (PersistentVolumeClaim, Secret); containers mount it themselves. */
  public HardenedPod volume(Volume v) {
    volumes.add(v);
    return this;
  }

  public HardenedPod options(PodOptions o) {
    options = o == null ? new PodOptions() : o;
    return this;
  }

  /** Pods carrying the same value of this label must share a node (a ReadWriteOnce uploads volume). */
  public HardenedPod requireSameNodeAs(String uploadsClaim) {
    coLocationLabel = uploadsClaim;
    extraLabels.put(Labels.UPLOADS_VOLUME, uploadsClaim);
    return this;
  }

  /** A Job pod: runs to completion, no spreading, restartPolicy Never. */
  public HardenedPod runToCompletion() {
    longRunning = false;
    restartPolicy = "Never";
    extraLabels.put(Labels.RUN_ONCE, "true");
    return this;
  }

  public HardenedPod terminationGracePeriodSeconds(long seconds) {
    terminationGracePeriodSeconds = seconds;
    return this;
  }

  public PodTemplateSpec build() {
    String instance = ctx.name();
    List<Volume> podVolumes = new ArrayList<>();
    List<VolumeMount> scratchMounts = new ArrayList<>();
    long scratchDiskMi = 0;
    for (Scratch s : scratch) {
      EmptyDirVolumeSource emptyDir =
          new EmptyDirVolumeSource(s.memory() ? "Memory" : null, new Quantity(s.sizeLimit()));
      podVolumes.add(
          new VolumeBuilder().withName(s.volume()).withEmptyDir(emptyDir).build());
      scratchMounts.add(new VolumeMountBuilder()
          .withName(s.volume())
          .withMountPath(s.mountPath())
          .build());
      if (!s.memory()) {
        scratchDiskMi += Quantities.mebibytes(s.sizeLimit());
      }
    }
    podVolumes.addAll(volumes);

    List<Container> inits = new ArrayList<>();
    for (Container c : bareInitContainers) {
      inits.add(harden(c, List.of(), 0));
    }
    for (Container c : initContainers) {
      inits.add(harden(c, scratchMounts, scratchDiskMi));
    }
    List<Container> mains = new ArrayList<>();
    for (Container c : containers) {
      mains.add(harden(c, scratchMounts, scratchDiskMi));
    }

    PodSpec pod = new PodSpec();
    pod.setServiceAccountName(Names.of(instance, component));
    pod.setAutomountServiceAccountToken(false);
    pod.setEnableServiceLinks(false);
    pod.setSecurityContext(podSecurityContext());
    pod.setImagePullSecrets(ctx.spec().imagePullSecrets());
    pod.setInitContainers(inits);
    pod.setContainers(mains);
    pod.setVolumes(podVolumes);
    pod.setRestartPolicy(restartPolicy);
    pod.setTerminationGracePeriodSeconds(terminationGracePeriodSeconds);
    if (!options.getNodeSelector().isEmpty()) {
      pod.setNodeSelector(new TreeMap<>(options.getNodeSelector()));
    }
    if (!options.getTolerations().isEmpty()) {
      pod.setTolerations(new ArrayList<>(options.getTolerations()));
    }
    pod.setPriorityClassName(options.getPriorityClassName());
    pod.setAffinity(affinity(instance));
    if (longRunning) {
      pod.setTopologySpreadConstraints(List.of(zoneSpread(instance)));
    }

    Map<String, String> labels = new LinkedHashMap<>(new TreeMap<>(options.getLabels()));
    labels.putAll(extraLabels);
    labels.putAll(Labels.of(instance, component));
    Map<String, String> annotations = new TreeMap<>(options.getAnnotations());
    inputHashes(mains, inits, podVolumes).forEach(annotations::put);

    PodTemplateSpec template = new PodTemplateSpec();
    template.setMetadata(new ObjectMetaBuilder()
        .withLabels(labels)
        .withAnnotations(annotations.isEmpty() ? null : annotations)
        .build());
    template.setSpec(pod);
    return template;
  }

  private PodSecurityContext podSecurityContext() {
    PodSecurityContextBuilder b = new PodSecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withRunAsUser(USER_ID)
        .withRunAsGroup(GROUP_ID)
        .withFsGroup(GROUP_ID)
        .withFsGroupChangePolicy("OnRootMismatch")
        .withSeccompProfile(new SeccompProfile(null, "RuntimeDefault"));
    if (component == Component.HOCUSPOCUS) {
      b.withSysctls(new Sysctl(
          HardeningExceptions.HOCUSPOCUS_PORT_SYSCTL,
          HardeningExceptions.HOCUSPOCUS_PORT_SYSCTL_VALUE));
    }
    return b.build();
  }

  /** The container security context every container gets, whatever it asked for. */
  public static SecurityContext containerSecurityContext() {
    return new SecurityContextBuilder()
        .withAllowPrivilegeEscalation(false)
        .withPrivileged(false)
        .withReadOnlyRootFilesystem(true)
        .withRunAsNonRoot(true)
        .withCapabilities(new Capabilities(null, List.of("ALL")))
        .build();
  }

  private Container harden(
      Container original, List<VolumeMount> scratchMounts, long scratchDiskMi) {
    Container c = new ContainerBuilder(original).build();
    Expansion.check(c);
    c.setSecurityContext(containerSecurityContext());
    List<VolumeMount> mounts = new ArrayList<>(scratchMounts);
    if (original.getVolumeMounts() != null) {
      mounts.addAll(original.getVolumeMounts());
    }
    c.setVolumeMounts(mounts);
    c.setResources(withEphemeralStorage(original.getResources(), scratchDiskMi));
    if (c.getEnv() != null && c.getEnv().isEmpty()) {
      c.setEnv(null);
    }
    return c;
  }

  private static ResourceRequirements withEphemeralStorage(
      ResourceRequirements given, long scratchDiskMi) {
    if (given == null) {
      throw new IllegalStateException(
          "every container must declare resources (hardening rule R15)");
    }
    ResourceRequirements r = Quantities.copy(given);
    r.getLimits()
        .computeIfAbsent(
            "ephemeral-storage",
            k -> Quantities.ofMebibytes(scratchDiskMi + Defaults.EPHEMERAL_HEADROOM_MI));
    r.getRequests()
        .computeIfAbsent("ephemeral-storage", k -> new Quantity(Defaults.EPHEMERAL_REQUEST));
    Quantity request = r.getRequests().get("ephemeral-storage");
    Quantity limit = r.getLimits().get("ephemeral-storage");
    if (request.getNumericalAmount().compareTo(limit.getNumericalAmount()) > 0) {
      r.getRequests().put("ephemeral-storage", limit);
    }
    return r;
  }

  private Affinity affinity(String instance) {
    Affinity user = options.getAffinity();
    AffinityBuilder b = new AffinityBuilder();
    if (user != null && user.getNodeAffinity() != null) {
      b.withNodeAffinity(user.getNodeAffinity());
    }
    List<PodAffinityTerm> requiredTogether = new ArrayList<>();
    List<WeightedPodAffinityTerm> preferredTogether = new ArrayList<>();
    if (user != null && user.getPodAffinity() != null) {
      PodAffinity pa = user.getPodAffinity();
      if (pa.getRequiredDuringSchedulingIgnoredDuringExecution() != null) {
        requiredTogether.addAll(pa.getRequiredDuringSchedulingIgnoredDuringExecution());
      }
      if (pa.getPreferredDuringSchedulingIgnoredDuringExecution() != null) {
        preferredTogether.addAll(pa.getPreferredDuringSchedulingIgnoredDuringExecution());
      }
    }
    if (coLocationLabel != null) {
      LabelSelector sameVolume =
          new LabelSelector(null, Map.of(Labels.UPLOADS_VOLUME, coLocationLabel));
      PodAffinityTerm term = new PodAffinityTerm();
      term.setLabelSelector(sameVolume);
      term.setTopologyKey("kubernetes.io/hostname");
      requiredTogether.add(term);
    }
    if (!requiredTogether.isEmpty() || !preferredTogether.isEmpty()) {
      PodAffinity pa = new PodAffinity();
      pa.setRequiredDuringSchedulingIgnoredDuringExecution(
          requiredTogether.isEmpty() ? null : requiredTogether);
      pa.setPreferredDuringSchedulingIgnoredDuringExecution(
          preferredTogether.isEmpty() ? null : preferredTogether);
      b.withPodAffinity(pa);
    }
    if (user != null && user.getPodAntiAffinity() != null) {
      b.withPodAntiAffinity(user.getPodAntiAffinity());
    } else if (longRunning) {
      b.withPodAntiAffinity(spreadOverHosts(instance));
    }
    Affinity a = b.build();
    boolean empty =
        a.getNodeAffinity() == null && a.getPodAffinity() == null && a.getPodAntiAffinity() == null;
    return empty ? null : a;
  }

  private PodAntiAffinity spreadOverHosts(String instance) {
    PodAffinityTerm term = new PodAffinityTerm();
    term.setLabelSelector(new LabelSelector(null, Labels.selector(instance, component)));
    term.setTopologyKey("kubernetes.io/hostname");
    WeightedPodAffinityTerm weighted = new WeightedPodAffinityTermBuilder()
        .withWeight(100)
        .withPodAffinityTerm(term)
        .build();
    return new PodAntiAffinityBuilder()
        .withPreferredDuringSchedulingIgnoredDuringExecution(weighted)
        .build();
  }

  private TopologySpreadConstraint zoneSpread(String instance) {
    return new TopologySpreadConstraintBuilder()
        .withMaxSkew(1)
        .withTopologyKey("topology.kubernetes.io/zone")
        .withWhenUnsatisfiable("ScheduleAnyway")
        .withLabelSelector(new LabelSelector(null, Labels.selector(instance, component)))
        .build();
  }

  /**
   * Hashes of what the pod reads: the settings ConfigMap (if any container loads it) and the digests of
   * exactly the Secret keys its containers and volumes reference.
   */
  private Map<String, String> inputHashes(
      List<Container> mains, List<Container> inits, List<Volume> podVolumes) {
    String configMap = Names.of(ctx.name(), Component.CONFIG);
    boolean readsSettings = false;
    TreeSet<String> secretKeys = new TreeSet<>();
    List<Container> all = new ArrayList<>(inits);
    all.addAll(mains);
    for (Container c : all) {
      for (EnvFromSource from :
          c.getEnvFrom() == null ? List.<EnvFromSource>of() : c.getEnvFrom()) {
        if (from.getConfigMapRef() != null
            && configMap.equals(from.getConfigMapRef().getName())) {
          readsSettings = true;
        }
      }
      for (EnvVar e : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
        if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
          var ref = e.getValueFrom().getSecretKeyRef();
          secretKeys.add(ref.getName() + "/" + ref.getKey());
        }
      }
    }
    for (Volume v : podVolumes) {
      if (v.getSecret() != null && v.getSecret().getItems() != null) {
        v.getSecret()
            .getItems()
            .forEach(i -> secretKeys.add(v.getSecret().getSecretName() + "/" + i.getKey()));
      }
    }
    Map<String, String> hashes = new TreeMap<>();
    if (readsSettings) {
      StringBuilder text = new StringBuilder();
      new TreeMap<>(ctx.settings())
          .forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
      hashes.put(CONFIG_HASH_ANNOTATION, SecretDigests.sha256(text.toString()).substring(0, 16));
    }
    if (!secretKeys.isEmpty()) {
      StringBuilder text = new StringBuilder();
      for (String ref : secretKeys) {
        int slash = ref.indexOf('/');
        String digest = ctx.digests()
            .digest(ref.substring(0, slash), ref.substring(slash + 1))
            .orElse("absent");
        text.append(ref).append('=').append(digest).append('\n');
      }
      hashes.put(SECRET_HASH_ANNOTATION, SecretDigests.sha256(text.toString()).substring(0, 16));
    }
    return hashes;
  }
}
