{{/* The release's full name, at most 63 characters. */}}
{{- define "loomio-operator.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels that select the operator's pods. */}}
{{- define "loomio-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{/* Labels of every object of the chart. */}}
{{- define "loomio-operator.labels" -}}
{{ include "loomio-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{- define "loomio-operator.serviceAccountName" -}}
{{- default (include "loomio-operator.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{/* repository:tag, plus @digest when pinned. */}}
{{- define "loomio-operator.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.image.digest -}}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{- define "loomio-operator.pullPolicy" -}}
{{- if .Values.image.pullPolicy -}}
{{- .Values.image.pullPolicy -}}
{{- else if .Values.image.digest -}}
Always
{{- else -}}
IfNotPresent
{{- end -}}
{{- end -}}

{{/* "true" when the operator holds a Lease before reconciling. */}}
{{- define "loomio-operator.leaderElection" -}}
{{- if kindIs "bool" .Values.leaderElection.enabled -}}
{{- .Values.leaderElection.enabled -}}
{{- else -}}
{{- gt (int .Values.replicaCount) 1 -}}
{{- end -}}
{{- end -}}

{{/*
The rules the operator needs in every namespace it watches. They are exactly
org.loomio.operator.reconcile.OperatorPermissions#inWatchedNamespaces (a test compares them): no
wildcards, no pods/exec, no escalate, bind or impersonate. Reads of other Secrets are needed because a
LoomioDeployment references Secrets by name (SMTP, S3, external database).
*/}}
{{- define "loomio-operator.rules" -}}
# the resource it reconciles: informer, finalizer and status by server-side apply
- apiGroups: ["loomio.org"]
  resources: ["loomiodeployments"]
  verbs: ["list", "watch", "patch"]
- apiGroups: ["loomio.org"]
  resources: ["loomiodeployments/status"]
  verbs: ["patch"]
# owner references with blockOwnerDeletion (clusters with OwnerReferencesPermissionEnforcement)
- apiGroups: ["loomio.org"]
  resources: ["loomiodeployments/finalizers"]
  verbs: ["update"]
# owned objects: applied by server-side apply, deleted when the spec no longer wants them
- apiGroups: [""]
  resources: ["serviceaccounts", "services"]
  verbs: ["list", "watch", "create", "patch", "delete"]
- apiGroups: [""]
  # also: the ingress-nginx controller's ConfigMap is read to check the security headers are allowed
  resources: ["configmaps"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: [""]
  # data claims: created once, deleted only with deletionPolicy Delete
  resources: ["persistentvolumeclaims"]
  verbs: ["list", "watch", "create", "patch", "delete"]
- apiGroups: [""]
  # the generated credentials (read-check-write, never overwritten) and the Secrets a spec references
  resources: ["secrets"]
  verbs: ["get", "list", "watch", "create", "update", "delete"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
- apiGroups: ["apps"]
  resources: ["deployments", "statefulsets"]
  verbs: ["list", "watch", "create", "patch", "delete"]
- apiGroups: ["batch"]
  # migration Jobs: created once per image and database, never changed
  resources: ["jobs"]
  verbs: ["list", "watch", "create", "patch"]
- apiGroups: ["networking.k8s.io"]
  resources: ["networkpolicies", "ingresses"]
  verbs: ["list", "watch", "create", "patch", "delete"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["list", "watch", "create", "patch", "delete"]
- apiGroups: ["gateway.networking.k8s.io"]
  resources: ["httproutes"]
  verbs: ["list", "watch", "create", "patch", "delete"]
- apiGroups: ["traefik.io"]
  resources: ["middlewares"]
  verbs: ["list", "watch", "create", "patch", "delete"]
{{- end -}}
