package org.loomio.operator.cli;

import java.util.Arrays;
import java.util.List;
import org.loomio.operator.model.ImageDefaults;
import org.loomio.operator.validation.TenantPolicy;
import picocli.CommandLine.Option;

/**
 * What a tenant (whoever may create a LoomioDeployment) may ask for, shared by run and render so that render
 * refuses exactly what the operator refuses. Each defaults to its environment variable (the chart's
 * {@code tenancy.*} values).
 */
public final class TenancyOptions {

  @Option(
      names = "--allowed-image-repositories",
      paramLabel = "REPO[,REPO...]",
      split = ",",
      defaultValue = "${env:ALLOWED_IMAGE_REPOSITORIES}",
      description =
          "Image repositories a stack may use besides the built-in ones and the default images'"
              + " (ALLOWED_IMAGE_REPOSITORIES). An entry ending in /* admits everything under it"
              + " (registry.example.org/mirror/*); * admits every repository.")
  String[] allowedImageRepositories;

  @Option(
      names = "--built-in-image-repositories",
      paramLabel = "BOOL",
      arity = "0..1",
      fallbackValue = "true",
      defaultValue = "${env:BUILT_IN_IMAGE_REPOSITORIES:-true}",
      description =
          "Admit Loomio's, PostgreSQL's and Redis' official repositories, the operator's own and"
              + " ghcr.io/cloudnative-pg/postgresql (BUILT_IN_IMAGE_REPOSITORIES; default ${DEFAULT-VALUE}). false:"
              + " only the default images' repositories and --allowed-image-repositories (an air-gapped mirror).")
  boolean builtInImageRepositories;

  @Option(
      names = "--allow-security-annotations",
      paramLabel = "BOOL",
      arity = "0..1",
      fallbackValue = "true",
      defaultValue = "${env:ALLOW_SECURITY_ANNOTATIONS:-false}",
      description =
          "Let pod annotations change the security profile: AppArmor, seccomp, *.security.* keys,"
              + " io.kubernetes.cri-o.* (ALLOW_SECURITY_ANNOTATIONS; default ${DEFAULT-VALUE}).")
  boolean allowSecurityAnnotations;

  @Option(
      names = "--allow-system-priority-classes",
      paramLabel = "BOOL",
      arity = "0..1",
      fallbackValue = "true",
      defaultValue = "${env:ALLOW_SYSTEM_PRIORITY_CLASSES:-false}",
      description =
          "Let pods use the system-* priority classes (ALLOW_SYSTEM_PRIORITY_CLASSES; default"
              + " ${DEFAULT-VALUE}).")
  boolean allowSystemPriorityClasses;

  @Option(
      names = "--allow-control-plane-tolerations",
      paramLabel = "BOOL",
      arity = "0..1",
      fallbackValue = "true",
      defaultValue = "${env:ALLOW_CONTROL_PLANE_TOLERATIONS:-false}",
      description =
          "Let pods tolerate the control-plane taints, or every taint with a toleration without key"
              + " (ALLOW_CONTROL_PLANE_TOLERATIONS; default ${DEFAULT-VALUE}).")
  boolean allowControlPlaneTolerations;

  @Option(
      names = "--allowed-pod-annotations",
      paramLabel = "KEY[,KEY...]",
      split = ",",
      defaultValue = "${env:ALLOWED_POD_ANNOTATIONS}",
      description =
          "Pod annotation keys a stack may set besides plain keys (no prefix, no dot) and prometheus.io/*"
              + " (ALLOWED_POD_ANNOTATIONS). An entry ending in /* admits every key with that prefix (example.org/*);"
              + " * admits every key. Never loomio.org/*; security-profile keys need --allow-security-annotations.")
  String[] allowedPodAnnotations;

  @Option(
      names = "--require-consent",
      paramLabel = "BOOL",
      arity = "0..1",
      fallbackValue = "true",
      defaultValue = "${env:REQUIRE_CONSENT:-true}",
      description =
          "Use a Secret or ConfigMap a stack references only when it carries its owner's consent, the"
              + " annotation loomio.org/allowed-stacks (REQUIRE_CONSENT; default ${DEFAULT-VALUE}). false only on"
              + " a cluster where whoever may create a LoomioDeployment may read every Secret of its namespace anyway.")
  boolean requireSecretConsent;

  @Option(
      names = "--nginx-controller-configmap",
      paramLabel = "NAMESPACE/NAME",
      defaultValue = "${env:NGINX_CONTROLLER_CONFIGMAP}",
      description =
          "The ingress-nginx controller ConfigMap the operator may read to check that the security"
              + " headers are allowed (NGINX_CONTROLLER_CONFIGMAP); a stack naming another one is not checked.")
  String nginxControllerConfigMap;

  /** The policy for an operator with these default images; a malformed entry is an IllegalArgumentException. */
  TenantPolicy policy(ImageDefaults images) {
    List<String> extra =
        allowedImageRepositories == null ? List.of() : Arrays.asList(allowedImageRepositories);
    List<String> annotations =
        allowedPodAnnotations == null ? List.of() : Arrays.asList(allowedPodAnnotations);
    return new TenantPolicy(
        images,
        extra,
        builtInImageRepositories,
        allowSecurityAnnotations,
        allowSystemPriorityClasses,
        allowControlPlaneTolerations,
        requireSecretConsent,
        nginxControllerConfigMap,
        annotations);
  }
}
