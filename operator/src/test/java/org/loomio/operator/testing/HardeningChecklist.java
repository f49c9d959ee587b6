package org.loomio.operator.testing;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.loomio.operator.model.ClusterCapabilities;
import org.loomio.operator.model.Labels;
import org.loomio.operator.render.Stack;
import org.loomio.operator.render.pod.HardeningExceptions;

/**
 * The hardening checklist (../shared/design/hardening-checklist.md, section 6, rules R02-R32) as code, applied
 * to a rendered stack independently of how it was rendered. The only departures it accepts are the ones
 * named in {@link HardeningExceptions}: each is marked "waiver" where it is accepted.
 */
public final class HardeningChecklist {

  private static final Set<String> ALLOWED_VOLUME_TYPES = Set.of(
      "configMap",
      "secret",
      "emptyDir",
      "projected",
      "downwardAPI",
      "persistentVolumeClaim",
      "ephemeral",
      "csi",
      "image");
  private static final Pattern SECRET_NAME = Pattern.compile(
      "(?i)(password|passwd|secret|token|bearer|api[_-]?key|private[_-]?key|_key$)");
  private static final Pattern DIGEST_IMAGE =
      Pattern.compile("^[^@]+:[^:@/]+@sha256:[a-f0-9]{64}$");
  private static final long MIN_ID = 10001;

  private final Stack stack;
  private final ClusterCapabilities cluster;
  private final boolean digestsPinned;
  private final List<String> failures = new ArrayList<>();

  private HardeningChecklist(Stack stack, ClusterCapabilities cluster, boolean digestsPinned) {
    // the v1beta1 CronJob and PodDisruptionBudget of clusters before 1.21 are checked as the same
    // object in v1
    this.stack = new Stack(
        stack.objects().stream().map(HardeningChecklist::asV1).toList(),
        stack.omissions(),
        stack.image(),
        stack.version(),
        stack.migrationJob());
    this.cluster = cluster;
    this.digestsPinned = digestsPinned;
  }

  /**
   * Every violation in the stack, as "Kind/name: Rnn ..." lines.
   *
   * @param digestsPinned whether every image of the spec is pinned by digest (then R17/R18 apply)
   */
  public static List<String> check(
      Stack stack, ClusterCapabilities cluster, boolean digestsPinned) {
    HardeningChecklist c = new HardeningChecklist(stack, cluster, digestsPinned);
    c.run();
    return c.failures;
  }

  private void run() {
    for (HasMetadata o : stack.objects()) {
      String id = o.getKind() + "/" + o.getMetadata().getName();
      String ns = o.getMetadata().getNamespace();
      if (ns == null || ns.isEmpty() || "default".equals(ns)) {
        fail(id, "R21", "namespace must be set and not 'default' (got " + ns + ")");
      }
      if (o instanceof Deployment d) {
        pod(id, d.getSpec().getTemplate(), true, component(o));
        workload(
            id,
            d.getSpec().getReplicas(),
            d.getSpec().getSelector(),
            d.getSpec().getTemplate(),
            component(o));
        String strategy =
            d.getSpec().getStrategy() == null ? null : d.getSpec().getStrategy().getType();
        if (hasService(component(o)) && strategy != null && !"RollingUpdate".equals(strategy)) {
          fail(
              id, "R29", "Service-backed Deployment must use RollingUpdate (got " + strategy + ")");
        }
      } else if (o instanceof StatefulSet s) {
        pod(id, s.getSpec().getTemplate(), true, component(o));
        workload(
            id,
            s.getSpec().getReplicas(),
            s.getSpec().getSelector(),
            s.getSpec().getTemplate(),
            component(o));
      } else if (o instanceof Job j) {
        pod(id, j.getSpec().getTemplate(), false, component(o));
        if ("backup".equals(component(o))) {
          noDecryptionIdentity(id, j.getSpec().getTemplate());
        }
        isolated(id, j.getSpec().getTemplate().getMetadata().getLabels());
        if (j.getSpec().getBackoffLimit() == null
            || j.getSpec().getActiveDeadlineSeconds() == null) {
          fail(id, "R39", "a Job needs an explicit backoffLimit and activeDeadlineSeconds");
        }
        String restart = j.getSpec().getTemplate().getSpec().getRestartPolicy();
        if (!"Never".equals(restart) && !"OnFailure".equals(restart)) {
          fail(id, "R39", "restartPolicy must be Never or OnFailure (got " + restart + ")");
        }
      } else if (o instanceof io.fabric8.kubernetes.api.model.batch.v1.CronJob cj) {
        var spec = cj.getSpec();
        var job = spec.getJobTemplate().getSpec();
        pod(id, job.getTemplate(), false, component(o));
        isolated(id, job.getTemplate().getMetadata().getLabels());
        if ("drill".equals(component(o))) {
          restoreDrill(id, job.getTemplate());
        } else {
          noDecryptionIdentity(id, job.getTemplate());
        }
        if (!"Forbid".equals(spec.getConcurrencyPolicy())) {
          fail(
              id,
              "R38",
              "concurrencyPolicy must be Forbid (got " + spec.getConcurrencyPolicy() + ")");
        }
        if (spec.getStartingDeadlineSeconds() == null || spec.getStartingDeadlineSeconds() < 10) {
          fail(id, "R38", "startingDeadlineSeconds must be set and >= 10");
        }
        if (cluster.atLeast(1, 27)
            && (spec.getTimeZone() == null || spec.getTimeZone().isEmpty())) {
          fail(id, "R38", "timeZone must be set");
        }
        if (spec.getSchedule().contains("TZ=")) {
          fail(id, "R38", "no TZ= or CRON_TZ= in the schedule");
        }
        if (spec.getSuccessfulJobsHistoryLimit() == null
            || spec.getFailedJobsHistoryLimit() == null) {
          fail(id, "R39", "history limits must be explicit");
        }
        if (job.getTtlSecondsAfterFinished() != null) {
          fail(id, "R39", "ttlSecondsAfterFinished must be unset");
        }
        if (job.getBackoffLimit() == null
            || job.getBackoffLimit() > 2
            || job.getActiveDeadlineSeconds() == null) {
          fail(id, "R39", "backoffLimit must be explicit and <= 2, activeDeadlineSeconds explicit");
        }
        String restart = job.getTemplate().getSpec().getRestartPolicy();
        if (!"Never".equals(restart) && !"OnFailure".equals(restart)) {
          fail(id, "R39", "restartPolicy must be Never or OnFailure (got " + restart + ")");
        }
      } else if (o instanceof ServiceAccount sa) {
        if (!Boolean.FALSE.equals(sa.getAutomountServiceAccountToken())) {
          fail(id, "R19", "ServiceAccount must set automountServiceAccountToken: false");
        }
      } else if (o instanceof Service svc) {
        if (!"ClusterIP".equals(svc.getSpec().getType())) {
          fail(id, "R32", "Service type must be ClusterIP (got " + svc.getSpec().getType() + ")");
        }
      } else if (o instanceof ConfigMap cm) {
        Map<String, String> data = cm.getData() == null ? Map.of() : cm.getData();
        data.forEach((k, v) -> {
          if (SECRET_NAME.matcher(k).find() || (v != null && v.contains("PRIVATE KEY"))) {
            fail(id, "R22", "ConfigMap key " + k + " looks secret");
          }
        });
      } else if (o instanceof io.fabric8.kubernetes.api.model.networking.v1.Ingress ing) {
        List<String> tlsHosts = ing.getSpec().getTls() == null
            ? List.of()
            : ing.getSpec().getTls().stream()
                .flatMap(t -> t.getHosts().stream())
                .toList();
        if (ing.getSpec().getTls() == null
            || ing.getSpec().getTls().isEmpty()
            || ing.getSpec().getTls().stream().anyMatch(t -> t.getSecretName() == null)) {
          fail(id, "R33", "TLS with a secretName is required");
        }
        ing.getSpec().getRules().forEach(r -> {
          if (!tlsHosts.contains(r.getHost())) {
            fail(id, "R33", "host " + r.getHost() + " has no TLS");
          }
        });
        Map<String, String> a = ing.getMetadata().getAnnotations() == null
            ? Map.of()
            : ing.getMetadata().getAnnotations();
        if ("false".equals(a.get("nginx.ingress.kubernetes.io/ssl-redirect"))) {
          fail(id, "R33", "ssl-redirect must not be false");
        }
        a.keySet().stream()
            .filter(k -> k.contains("snippet"))
            .forEach(k -> fail(id, "R34", "snippet annotation " + k));
      } else if (o instanceof PodDisruptionBudget pdb) {
        boolean hasMax = pdb.getSpec().getMaxUnavailable() != null;
        boolean hasMin = pdb.getSpec().getMinAvailable() != null;
        if (hasMax == hasMin) {
          fail(id, "R26", "exactly one of minAvailable/maxUnavailable");
        }
        IntOrString max = pdb.getSpec().getMaxUnavailable();
        if (max != null
            && (Objects.equals(max.getIntVal(), 0)
                || ("0".equals(max.getStrVal()) || "0%".equals(max.getStrVal())))) {
          fail(id, "R26", "maxUnavailable must not be 0");
        }
        if (cluster.hasPdbUnhealthyPodEvictionPolicy()
            && pdb.getSpec().getUnhealthyPodEvictionPolicy() == null) {
          fail(id, "R26", "unhealthyPodEvictionPolicy must be set");
        }
      }
    }
  }

  private static final io.fabric8.kubernetes.client.utils.KubernetesSerialization JSON =
      new io.fabric8.kubernetes.client.utils.KubernetesSerialization();

  /** A batch/v1beta1 CronJob or policy/v1beta1 PodDisruptionBudget as its v1 equivalent; anything else as is. */
  static HasMetadata asV1(HasMetadata o) {
    Class<? extends HasMetadata> v1;
    if (o instanceof io.fabric8.kubernetes.api.model.batch.v1beta1.CronJob) {
      v1 = io.fabric8.kubernetes.api.model.batch.v1.CronJob.class;
    } else if (o instanceof io.fabric8.kubernetes.api.model.policy.v1beta1.PodDisruptionBudget) {
      v1 = PodDisruptionBudget.class;
    } else {
      return o;
    }
    HasMetadata converted = JSON.unmarshal(JSON.asJson(o), v1);
    converted.setApiVersion(HasMetadata.getApiVersion(v1));
    return converted;
  }

  /** R40: a backup pod holds public keys (or, in Passphrase mode, the recorded exception), never a private key. */
  private void noDecryptionIdentity(String id, PodTemplateSpec template) {
    for (Volume v : template.getSpec().getVolumes() == null
        ? List.<Volume>of()
        : template.getSpec().getVolumes()) {
      if (v.getSecret() != null
          && (v.getSecret().getSecretName().endsWith("-backup-key")
              || (v.getSecret().getItems() != null
                  && v.getSecret().getItems().stream()
                      .anyMatch(i -> "private.asc".equals(i.getPath()))))) {
        fail(id, "R40", "the backup pod mounts a decryption key (volume " + v.getName() + ")");
      }
    }
    for (Container c : template.getSpec().getContainers()) {
      List<String> args = c.getArgs() == null ? List.of() : c.getArgs();
      if (args.contains("backup")
          && !args.contains("--recipients")
          && !args.contains("--passphrase-file")) {
        fail(
            id,
            "R40",
            "the backup agent must encrypt (to recipients, or with the recorded passphrase exception)");
      }
    }
  }

  /**
   * R43: the restore drill is a CronJob of its own, with its own ServiceAccount and a NetworkPolicy that admits
   * nothing in and lets it reach neither the database nor Redis; the decryption identity it holds is the only one
   * outside a restore, and it holds nothing of the live stack: no credentials Secret, no database or Redis
   * password, no uploads volume, no writable backups volume.
   */
  private void restoreDrill(String id, PodTemplateSpec template) {
    var spec = template.getSpec();
    if (spec.getServiceAccountName() == null || !spec.getServiceAccountName().endsWith("-drill")) {
      fail(
          id,
          "R43",
          "the drill runs under its own ServiceAccount (got " + spec.getServiceAccountName() + ")");
    }
    for (Volume v : spec.getVolumes() == null ? List.<Volume>of() : spec.getVolumes()) {
      if (v.getSecret() != null && v.getSecret().getSecretName().endsWith("-secrets")) {
        fail(id, "R43", "the drill mounts the stack's credentials (volume " + v.getName() + ")");
      }
      if (v.getPersistentVolumeClaim() != null
          && !(v.getPersistentVolumeClaim().getClaimName().endsWith("-backups")
              && Boolean.TRUE.equals(v.getPersistentVolumeClaim().getReadOnly()))) {
        fail(
            id,
            "R43",
            "the drill mounts a claim other than the backups, read-only (volume " + v.getName()
                + ")");
      }
    }
    List<Container> all = new ArrayList<>(spec.getContainers());
    if (spec.getInitContainers() != null) {
      all.addAll(spec.getInitContainers());
    }
    for (Container c : all) {
      for (var e :
          c.getEnv() == null ? List.<io.fabric8.kubernetes.api.model.EnvVar>of() : c.getEnv()) {
        if (e.getValueFrom() != null && !e.getName().startsWith("AWS_")) {
          fail(
              id,
              "R43",
              "container " + c.getName() + " reads " + e.getName() + " from the cluster");
        }
        if (e.getName().startsWith("PG") || e.getName().startsWith("REDIS")) {
          fail(
              id,
              "R43",
              "container " + c.getName() + " is given " + e.getName() + " of the live stack");
        }
      }
    }
    var policies = stack.all(io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class);
    for (var p : policies) {
      if (!"drill".equals(p.getSpec().getPodSelector().getMatchLabels().get(Labels.COMPONENT))) {
        continue;
      }
      if (p.getSpec().getIngress() != null && !p.getSpec().getIngress().isEmpty()) {
        fail(id, "R43", "the drill's NetworkPolicy admits ingress");
      }
      for (var rule : p.getSpec().getEgress()) {
        for (var port : rule.getPorts() == null
            ? List.<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort>of()
            : rule.getPorts()) {
          if (port.getPort() != null
              && (port.getPort().getIntVal() != null
                  && (port.getPort().getIntVal() == 5432 || port.getPort().getIntVal() == 6379))) {
            fail(id, "R43", "the drill's NetworkPolicy reaches a database or Redis port");
          }
        }
      }
    }
  }

  /** R30/R31 (with the recorded exceptions: selection by instance, and by instance + component). */
  private void isolated(String id, Map<String, String> labels) {
    List<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy> policies =
        stack.all(io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class);
    if (policies.isEmpty()) {
      return; // switched off by the spec (spec.networkPolicy.enabled: false)
    }
    boolean denied = policies.stream()
        .anyMatch(p -> subset(p.getSpec().getPodSelector().getMatchLabels(), labels)
            && p.getSpec().getPolicyTypes().containsAll(List.of("Ingress", "Egress"))
            && (p.getSpec().getIngress() == null || p.getSpec().getIngress().isEmpty())
            && (p.getSpec().getEgress() == null || p.getSpec().getEgress().isEmpty()));
    boolean allowed = policies.stream()
        .anyMatch(p -> subset(p.getSpec().getPodSelector().getMatchLabels(), labels)
            && p.getSpec().getPodSelector().getMatchLabels().containsKey(Labels.COMPONENT)
            && p.getSpec().getPolicyTypes().containsAll(List.of("Ingress", "Egress"))
            && p.getSpec().getEgress() != null
            && !p.getSpec().getEgress().isEmpty());
    if (!denied) {
      fail(id, "R30", "no default-deny NetworkPolicy selects the pods");
    }
    if (!allowed) {
      fail(id, "R31", "no allow NetworkPolicy (Ingress and Egress, egress rules) selects the pods");
    }
  }

  private void workload(
      String id,
      Integer replicas,
      LabelSelector selector,
      PodTemplateSpec template,
      String component) {
    Map<String, String> labels = template.getMetadata().getLabels();
    isolated(id, labels);
    if (!subset(selector.getMatchLabels(), labels)) {
      fail(id, "R29", "selector must match the template labels");
    }
    // R29 "instance label equals the object name" is a recorded waiver: instance is the
    // LoomioDeployment's name.
    int n = replicas == null ? 1 : replicas;
    PodSpec pod = template.getSpec();
    List<TopologySpreadConstraint> spread = pod.getTopologySpreadConstraints();
    if (spread == null || spread.isEmpty()) {
      fail(id, "R28", "at least one topologySpreadConstraint");
    } else {
      for (TopologySpreadConstraint t : spread) {
        if (t.getMaxSkew() == null
            || t.getMaxSkew() < 1
            || t.getTopologyKey() == null
            || !Set.of("ScheduleAnyway", "DoNotSchedule").contains(t.getWhenUnsatisfiable())
            || t.getLabelSelector() == null
            || !subset(t.getLabelSelector().getMatchLabels(), labels)) {
          fail(
              id,
              "R28",
              "topologySpreadConstraint must select own pods with maxSkew >= 1 and a valid policy");
        }
      }
    }
    if (n >= 2) {
      boolean antiAffinity = pod.getAffinity() != null
          && pod.getAffinity().getPodAntiAffinity() != null
          && antiAffinityTerms(pod).stream()
              .anyMatch(t -> "kubernetes.io/hostname".equals(t.getTopologyKey())
                  && t.getLabelSelector() != null
                  && subset(t.getLabelSelector().getMatchLabels(), labels));
      if (!antiAffinity) {
        fail(
            id,
            "R27",
            replicas
                + " replicas need a podAntiAffinity term on kubernetes.io/hostname selecting own pods");
      }
      if (cluster.podDisruptionBudgetApi().isPresent()) {
        boolean covered = stack.all(PodDisruptionBudget.class).stream()
            .anyMatch(p -> subset(p.getSpec().getSelector().getMatchLabels(), labels));
        if (!covered) {
          fail(id, "R26", replicas + " replicas need a PodDisruptionBudget");
        }
      }
    }
  }

  private static List<PodAffinityTerm> antiAffinityTerms(PodSpec pod) {
    List<PodAffinityTerm> terms = new ArrayList<>();
    var anti = pod.getAffinity().getPodAntiAffinity();
    if (anti.getRequiredDuringSchedulingIgnoredDuringExecution() != null) {
      terms.addAll(anti.getRequiredDuringSchedulingIgnoredDuringExecution());
    }
    if (anti.getPreferredDuringSchedulingIgnoredDuringExecution() != null) {
      anti.getPreferredDuringSchedulingIgnoredDuringExecution()
          .forEach(w -> terms.add(w.getPodAffinityTerm()));
    }
    return terms;
  }

  private void pod(String id, PodTemplateSpec template, boolean longRunning, String component) {
    PodSpec pod = template.getSpec();
    if (Boolean.TRUE.equals(pod.getHostNetwork())
        || Boolean.TRUE.equals(pod.getHostPID())
        || Boolean.TRUE.equals(pod.getHostIPC())) {
      fail(id, "R02", "no host namespaces");
    }
    PodSecurityContext psc = pod.getSecurityContext();
    if (psc == null) {
      fail(id, "R06", "pod securityContext missing");
      return;
    }
    if (psc.getWindowsOptions() != null
        && Boolean.TRUE.equals(psc.getWindowsOptions().getHostProcess())) {
      fail(id, "R02", "no hostProcess");
    }
    if (!Boolean.TRUE.equals(psc.getRunAsNonRoot())) {
      fail(id, "R06", "pod runAsNonRoot must be true");
    }
    if (psc.getFsGroup() == null || psc.getFsGroup() < MIN_ID) {
      fail(id, "R08", "fsGroup must be >= " + MIN_ID);
    }
    if (psc.getSupplementalGroups() != null && psc.getSupplementalGroups().contains(0L)) {
      fail(id, "R08", "no supplemental group 0");
    }
    if (psc.getSeccompProfile() == null
        || !"RuntimeDefault".equals(psc.getSeccompProfile().getType())) {
      fail(id, "R10", "pod seccompProfile must be RuntimeDefault");
    }
    if (psc.getAppArmorProfile() != null
        && "Unconfined".equals(psc.getAppArmorProfile().getType())) {
      fail(id, "R11", "AppArmor must not be Unconfined");
    }
    if (psc.getSeLinuxOptions() != null) {
      fail(id, "R12", "no seLinuxOptions");
    }
    if (psc.getSysctls() != null && !psc.getSysctls().isEmpty()) {
      boolean waived = "hocuspocus".equals(component)
          && psc.getSysctls().size() == 1
          && HardeningExceptions.HOCUSPOCUS_PORT_SYSCTL.equals(
              psc.getSysctls().get(0).getName())
          && HardeningExceptions.HOCUSPOCUS_PORT_SYSCTL_VALUE.equals(
              psc.getSysctls().get(0).getValue());
      if (!waived) {
        fail(
            id,
            "R12",
            "no sysctls (only the recorded hocuspocus port waiver): " + psc.getSysctls());
      }
    }
    if (!Boolean.FALSE.equals(pod.getAutomountServiceAccountToken())) {
      fail(id, "R19", "pod automountServiceAccountToken must be false");
    }
    String sa = pod.getServiceAccountName();
    if (sa == null || sa.isEmpty() || "default".equals(sa)) {
      fail(id, "R20", "serviceAccountName must be set and not 'default'");
    } else if (stack.get(ServiceAccount.class, sa).isEmpty()) {
      fail(id, "R20", "ServiceAccount " + sa + " is not part of the stack");
    } else if (!Boolean.FALSE.equals(
        stack.get(ServiceAccount.class, sa).get().getAutomountServiceAccountToken())) {
      fail(id, "R19", "ServiceAccount " + sa + " must not automount its token");
    }
    for (Volume v : pod.getVolumes() == null ? List.<Volume>of() : pod.getVolumes()) {
      String type = volumeType(v);
      if (!ALLOWED_VOLUME_TYPES.contains(type)) {
        fail(id, "R03", "volume " + v.getName() + " has type " + type);
      }
      if (v.getEmptyDir() != null && v.getEmptyDir().getSizeLimit() == null) {
        fail(id, "R16", "emptyDir " + v.getName() + " needs a sizeLimit");
      }
    }
    List<Container> all = new ArrayList<>();
    if (pod.getInitContainers() != null) {
      all.addAll(pod.getInitContainers());
    }
    all.addAll(pod.getContainers());
    for (Container c : all) {
      container(id + " container " + c.getName(), c, psc);
    }
    if (longRunning) {
      for (Container c : pod.getContainers()) {
        probes(id + " container " + c.getName(), c, component);
      }
    }
  }

  private void container(String id, Container c, PodSecurityContext psc) {
    SecurityContext sc = c.getSecurityContext();
    if (sc == null) {
      fail(id, "R05", "container securityContext missing");
      return;
    }
    if (Boolean.TRUE.equals(sc.getPrivileged())) {
      fail(id, "R04", "must not be privileged");
    }
    if (!Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
      fail(id, "R05", "allowPrivilegeEscalation must be explicitly false");
    }
    if (Boolean.FALSE.equals(sc.getRunAsNonRoot())) {
      fail(id, "R06", "must not set runAsNonRoot false");
    }
    Long uid = sc.getRunAsUser() != null ? sc.getRunAsUser() : psc.getRunAsUser();
    Long gid = sc.getRunAsGroup() != null ? sc.getRunAsGroup() : psc.getRunAsGroup();
    if (uid == null || uid < MIN_ID || gid == null || gid < MIN_ID) {
      fail(
          id,
          "R07",
          "effective runAsUser and runAsGroup must be >= " + MIN_ID + " (got " + uid + "/" + gid
              + ")");
    }
    if (sc.getCapabilities() == null
        || sc.getCapabilities().getDrop() == null
        || !sc.getCapabilities().getDrop().contains("ALL")) {
      fail(id, "R09", "capabilities.drop must contain ALL");
    }
    if (sc.getCapabilities() != null
        && sc.getCapabilities().getAdd() != null
        && !sc.getCapabilities().getAdd().isEmpty()) {
      fail(id, "R09", "capabilities.add must be empty");
    }
    if (sc.getSeccompProfile() != null
        && "Unconfined".equals(sc.getSeccompProfile().getType())) {
      fail(id, "R10", "no Unconfined seccomp");
    }
    if (sc.getProcMount() != null && !"Default".equals(sc.getProcMount())) {
      fail(id, "R12", "procMount must be Default");
    }
    if (sc.getSeLinuxOptions() != null) {
      fail(id, "R12", "no seLinuxOptions");
    }
    if (!Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem())) {
      fail(id, "R14", "readOnlyRootFilesystem must be true");
    }
    for (ContainerPort p : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
      if (p.getHostPort() != null) {
        fail(id, "R13", "no hostPort key");
      }
    }
    var r = c.getResources();
    if (r == null || r.getRequests() == null || r.getLimits() == null) {
      fail(id, "R15", "requests and limits required");
    } else {
      for (String key : List.of("cpu", "memory", "ephemeral-storage")) {
        Quantity request = r.getRequests().get(key);
        Quantity limit = r.getLimits().get(key);
        String rule = "ephemeral-storage".equals(key) ? "R16" : "R15";
        if (request == null
            || limit == null
            || request.getNumericalAmount().signum() <= 0
            || limit.getNumericalAmount().signum() <= 0) {
          fail(id, rule, key + " request and limit must be set and > 0");
        } else if (request.getNumericalAmount().compareTo(limit.getNumericalAmount()) > 0) {
          fail(id, rule, key + " request " + request + " exceeds limit " + limit);
        }
      }
    }
    if (digestsPinned) {
      if (!DIGEST_IMAGE.matcher(c.getImage()).matches()) {
        fail(id, "R17", "image must be repository:tag@sha256:... (got " + c.getImage() + ")");
      }
      if (!"Always".equals(c.getImagePullPolicy())) {
        fail(
            id,
            "R18",
            "imagePullPolicy must be Always with a digest (got " + c.getImagePullPolicy() + ")");
      }
    } else if (c.getImage().endsWith(":latest") || !c.getImage().contains(":")) {
      fail(id, "R17", "image needs an explicit tag other than latest (got " + c.getImage() + ")");
    }
    for (EnvVar e : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
      if (e.getValue() != null
          && (SECRET_NAME.matcher(e.getName()).find() || e.getValue().contains("PRIVATE KEY"))) {
        fail(id, "R22", "env " + e.getName() + " must not hold a literal secret");
      }
    }
    for (Probe p : new Probe[] {c.getLivenessProbe(), c.getReadinessProbe(), c.getStartupProbe()}) {
      if (p == null) {
        continue;
      }
      IntOrString port = p.getHttpGet() != null
          ? p.getHttpGet().getPort()
          : p.getTcpSocket() != null ? p.getTcpSocket().getPort() : null;
      String host = p.getHttpGet() != null
          ? p.getHttpGet().getHost()
          : p.getTcpSocket() != null ? p.getTcpSocket().getHost() : null;
      if (host != null && !host.isEmpty()) {
        fail(id, "R12", "probe host must be empty");
      }
      if (port != null && !declared(c, port)) {
        fail(id, "R24", "probe port " + port + " is not a declared container port");
      }
    }
  }

  private void probes(String id, Container c, String component) {
    if ("worker".equals(component)) {
      return; // waiver R23: the worker has no health endpoint (HardeningExceptions)
    }
    if (c.getReadinessProbe() == null
        || c.getLivenessProbe() == null
        || c.getStartupProbe() == null) {
      fail(id, "R23", "readiness, liveness and startup probes required");
      return;
    }
    if (sameCheck(c.getReadinessProbe(), c.getLivenessProbe())) {
      fail(id, "R23", "liveness must differ from readiness");
    }
  }

  private static boolean sameCheck(Probe a, Probe b) {
    return Objects.equals(a.getHttpGet(), b.getHttpGet())
        && Objects.equals(a.getTcpSocket(), b.getTcpSocket())
        && Objects.equals(a.getExec(), b.getExec())
        && Objects.equals(a.getGrpc(), b.getGrpc());
  }

  private static boolean declared(Container c, IntOrString port) {
    for (ContainerPort p : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
      if (port.getStrVal() != null
          ? port.getStrVal().equals(p.getName())
          : Objects.equals(port.getIntVal(), p.getContainerPort())) {
        return true;
      }
    }
    return false;
  }

  private static String volumeType(Volume v) {
    if (v.getConfigMap() != null) return "configMap";
    if (v.getSecret() != null) return "secret";
    if (v.getEmptyDir() != null) return "emptyDir";
    if (v.getProjected() != null) return "projected";
    if (v.getDownwardAPI() != null) return "downwardAPI";
    if (v.getPersistentVolumeClaim() != null) return "persistentVolumeClaim";
    if (v.getEphemeral() != null) return "ephemeral";
    if (v.getCsi() != null) return "csi";
    if (v.getImage() != null) return "image";
    if (v.getHostPath() != null) return "hostPath";
    return "other";
  }

  private boolean hasService(String component) {
    return stack.all(Service.class).stream()
        .anyMatch(s -> component.equals(s.getMetadata().getLabels().get(Labels.COMPONENT)));
  }

  private static String component(HasMetadata o) {
    return o.getMetadata().getLabels().get(Labels.COMPONENT);
  }

  private static boolean subset(Map<String, String> selector, Map<String, String> labels) {
    return selector != null
        && !selector.isEmpty()
        && labels != null
        && selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }

  private void fail(String id, String rule, String message) {
    failures.add(id + ": " + rule + " " + message);
  }
}
