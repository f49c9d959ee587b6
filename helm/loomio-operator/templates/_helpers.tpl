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
# the resources it reconciles: informers, finalizer and status by server-side apply
- apiGroups: ["loomio.org"]
  resources: ["loomiodeployments"]
  # get: the backup and restore controllers read the deployment they act on
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["loomio.org"]
  resources: ["loomiorestores"]
  verbs: ["list", "watch"]
# LoomioBackups: its own controller, and pre-upgrade backups created by the LoomioDeployment controller
- apiGroups: ["loomio.org"]
  resources: ["loomiobackups"]
  verbs: ["list", "watch", "create"]
- apiGroups: ["loomio.org"]
  resources: ["loomiodeployments/status", "loomiobackups/status", "loomiorestores/status"]
  verbs: ["patch"]
# owner references with blockOwnerDeletion (clusters with OwnerReferencesPermissionEnforcement)
- apiGroups: ["loomio.org"]
  resources: ["loomiodeployments/finalizers", "loomiobackups/finalizers", "loomiorestores/finalizers"]
  verbs: ["update"]
# owned objects: applied by server-side apply, deleted when the spec no longer wants them; get: before creating
# one, an object of its name that the informers do not hold is read, so that nothing the stack does not own is
# ever written over (a name conflict stops the stack instead)
- apiGroups: [""]
  resources: ["serviceaccounts", "services"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: [""]
  # get: referenced ConfigMaps (backup recipients) are read for their owner's consent; the one ingress-nginx
  # controller ConfigMap the installation names (tenancy.nginxControllerConfigMap) is read to check the headers
  resources: ["configmaps"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: [""]
  # data and backup claims: created once; data claims deleted only with deletionPolicy Delete, and only
  # those this LoomioDeployment made (read first); patch: the UID of a re-attached claim's new owner
  resources: ["persistentvolumeclaims"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: [""]
  # the generated credentials and backup key (read-check-write, never overwritten; credentials put back by
  # a restore when asked) and the Secrets a spec references; patch: the UID of a retained one's new owner
  resources: ["secrets"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: [""]
  # backup and restore pods report through their termination messages (they have no API token)
  resources: ["pods"]
  verbs: ["list", "watch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
- apiGroups: ["apps"]
  # get: a restore waits for web, worker and hocuspocus to stop and to start again; isolating a stack whose
  # spec cannot be applied scales them to zero (the client reads before it patches)
  resources: ["deployments"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: ["apps"]
  resources: ["statefulsets"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: ["batch"]
  # migration, on-demand backup and restore Jobs: created once, never changed; delete: finished Jobs of
  # LoomioBackups beyond the history (3 succeeded, 3 failed per stack), and a backup's Job whose stack was deleted
  resources: ["jobs"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: ["batch"]
  # the backup schedule; get: isolating a stack whose spec cannot be applied suspends it
  resources: ["cronjobs"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: ["networking.k8s.io"]
  resources: ["networkpolicies", "ingresses"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: ["gateway.networking.k8s.io"]
  resources: ["httproutes"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: ["traefik.io"]
  resources: ["middlewares"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: ["postgresql.cnpg.io"]
  # spec.database.cloudNativePG: the stack's CloudNativePG Cluster (its status is read for readiness)
  resources: ["clusters"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: ["cert-manager.io"]
  # with an issuer, an existing <name>-tls Secret is the stack's only when cert-manager issued it for a
  # Certificate the stack's own Ingress owns: that Certificate is read by name, never written
  resources: ["certificates"]
  verbs: ["get"]
{{- end -}}


{{/*
The API server's addresses, comma-separated: networkPolicy.apiServer.cidrs, else the endpoints of the Service
"kubernetes" in "default" as Helm finds them (unless networkPolicy.apiServer.lookup is false); empty where Helm
cannot look. The operator's own NetworkPolicy and the CloudNativePG instances of the stacks use them.
*/}}
{{- define "loomio-operator.apiServerCidrs" -}}
{{- $cidrs := list }}
{{- range .Values.networkPolicy.apiServer.cidrs }}
{{- $cidrs = append $cidrs . }}
{{- end }}
{{- if and (not $cidrs) .Values.networkPolicy.apiServer.lookup }}
{{- $endpoints := lookup "v1" "Endpoints" "default" "kubernetes" }}
{{- range (dig "subsets" list $endpoints) }}
{{- range (dig "addresses" list .) }}
{{- $cidrs = append $cidrs (printf "%s/%s" .ip (ternary "128" "32" (contains ":" .ip))) }}
{{- end }}
{{- end }}
{{- end }}
{{- join "," $cidrs }}
{{- end -}}
