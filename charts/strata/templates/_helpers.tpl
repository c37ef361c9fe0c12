{{/*
The chart's name, or nameOverride.
*/}}
{{- define "strata.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The release's full name, used for every object the chart creates (cluster-scoped ones included). A release whose
name already contains the chart's name is not repeated ("strata", not "strata-strata").
*/}}
{{- define "strata.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "strata.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels on every object. app.kubernetes.io/managed-by is Helm here; the operator labels its runner Jobs
managed-by=strata-operator, so the two never mix.
*/}}
{{- define "strata.labels" -}}
helm.sh/chart: {{ include "strata.chart" . }}
{{ include "strata.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: strata
{{- end }}

{{/*
Selector labels of the operator's pods (immutable in a Deployment: never add to them).
*/}}
{{- define "strata.selectorLabels" -}}
app.kubernetes.io/name: {{ include "strata.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{- define "strata.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "strata.fullname" .) .Values.serviceAccount.name }}
{{- else if .Values.serviceAccount.name }}
{{- .Values.serviceAccount.name }}
{{- else }}
{{- fail "serviceAccount.name must name an existing ServiceAccount when serviceAccount.create is false" }}
{{- end }}
{{- end }}

{{- define "strata.operatorImage" -}}
{{- printf "%s:%s" .Values.images.operator.repository (default .Chart.AppVersion .Values.images.operator.tag) }}
{{- end }}

{{- define "strata.runnerImage" -}}
{{- printf "%s:%s" .Values.images.runner.repository (default .Chart.AppVersion .Values.images.runner.tag) }}
{{- end }}

{{/*
The Lease the operator elects its leader with. The name is fixed in the operator (StrataOperator.java).
*/}}
{{- define "strata.leaseName" -}}
strata-operator
{{- end }}

{{/*
What the operator's admission webhook creates itself (fixed names in WebhookSettings.java), and the Service the API
server calls it through.
*/}}
{{- define "strata.webhookConfigurationName" -}}
strata-restore-policy
{{- end }}

{{- define "strata.webhookSecretName" -}}
strata-webhook-tls
{{- end }}

{{- define "strata.webhookServiceName" -}}
{{- printf "%s-webhook" (include "strata.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The rules the operator needs on the resources it handles, in every namespace it watches. Used by the ClusterRole
(watchNamespaces empty) or by one Role per watched namespace. Each rule says which code needs it; the test
dev.strata.e2e.chart.ChartRbacTest compares these with its own list, so a change here is deliberate.
Nothing else is granted: runner pods get no permission at all (RunnerPodTemplate sets
automountServiceAccountToken: false on them and they run as the namespace's default ServiceAccount).
*/}}
{{- define "strata.namespacedRules" -}}
# StateSnapshots: list+watch for the informers of StateSnapshotReconciler (its primary), SnapshotScheduleReconciler,
# RetentionPolicyReconciler (label-selected), StateRestoreReconciler (resolving a restore's source) and
# SnapshotStoreReconciler (which snapshots of the bucket have one); create in SnapshotScheduleReconciler (a due run)
# and CatalogSync (a snapshot of the bucket that has none here is imported); delete in SnapshotScheduleReconciler
# (concurrencyPolicy Replace), RetentionPolicyReconciler (expired snapshots), StateSnapshotReconciler (spec.ttl) and
# CatalogSync (an imported one whose snapshot left the bucket); patch for the finalizer (java-operator-sdk adds and
# removes it) and for the labels StateSnapshotReconciler mirrors (server-side apply, with the status). get only for
# the framework: everything else is read from the informers, but when a finalizer patch meets a conflict (the object
# changed since the cache saw it) java-operator-sdk re-reads the StateSnapshot from the API server
# (ReconciliationDispatcher.conflictRetryingPatch); refused, the finalizer stayed until a retry, with an error.
- apiGroups: ["strata.dev"]
  resources: ["statesnapshots"]
  verbs: ["get", "list", "watch", "create", "delete", "patch"]
# StateSnapshot status: UpdateControl.patchStatus in StateSnapshotReconciler (server-side apply to /status).
- apiGroups: ["strata.dev"]
  resources: ["statesnapshots/status"]
  verbs: ["patch"]
# Backup Jobs carry an ownerReference to their StateSnapshot with blockOwnerDeletion: true (RunnerJobBuilder); where
# the OwnerReferencesPermissionEnforcement admission plugin is on (OpenShift, hardened clusters), creating such a Job
# needs update on the owner's finalizers subresource.
- apiGroups: ["strata.dev"]
  resources: ["statesnapshots/finalizers"]
  verbs: ["update"]
# SnapshotStores: list+watch for the primary informer of SnapshotStoreReconciler, the secondary informers of
# StateSnapshotReconciler and StateRestoreReconciler, and the webhook's informers. No get: all from the informers.
- apiGroups: ["strata.dev"]
  resources: ["snapshotstores"]
  verbs: ["list", "watch"]
# SnapshotStore status: UpdateControl.patchStatus in SnapshotStoreReconciler (Ready, Healthy, last garbage collection,
# last verification, catalog).
- apiGroups: ["strata.dev"]
  resources: ["snapshotstores/status"]
  verbs: ["patch"]
# SnapshotSchedules: list+watch for the primary informer of SnapshotScheduleReconciler.
- apiGroups: ["strata.dev"]
  resources: ["snapshotschedules"]
  verbs: ["list", "watch"]
# SnapshotSchedule status: UpdateControl.patchStatus in SnapshotScheduleReconciler.
- apiGroups: ["strata.dev"]
  resources: ["snapshotschedules/status"]
  verbs: ["patch"]
# RetentionPolicies: list+watch for the primary informer of RetentionPolicyReconciler.
- apiGroups: ["strata.dev"]
  resources: ["retentionpolicies"]
  verbs: ["list", "watch"]
# RetentionPolicy status: UpdateControl.patchStatus in RetentionPolicyReconciler.
- apiGroups: ["strata.dev"]
  resources: ["retentionpolicies/status"]
  verbs: ["patch"]
# RestorePolicies: list+watch for the primary informer of RestorePolicyReconciler, and for the admission webhook's own
# informers (InformerPolicyLookup) when it is enabled.
- apiGroups: ["strata.dev"]
  resources: ["restorepolicies"]
  verbs: ["list", "watch"]
# RestorePolicy status: UpdateControl.patchStatus in RestorePolicyReconciler (Ready, restores done per source).
- apiGroups: ["strata.dev"]
  resources: ["restorepolicies/status"]
  verbs: ["patch"]
# StateRestores: list+watch for the primary informer of StateRestoreReconciler, and list by label for a group
# restore's member restores; create in StateRestoreReconciler (a group restore makes one StateRestore per member).
- apiGroups: ["strata.dev"]
  resources: ["staterestores"]
  verbs: ["list", "watch", "create"]
# StateRestore status: UpdateControl.patchStatus in StateRestoreReconciler (the pinned snapshot, progress, result).
- apiGroups: ["strata.dev"]
  resources: ["staterestores/status"]
  verbs: ["patch"]
# Restore Jobs carry an ownerReference to their StateRestore with blockOwnerDeletion: true (RestoreJobBuilder): the
# same admission check as for backup Jobs.
- apiGroups: ["strata.dev"]
  resources: ["staterestores/finalizers"]
  verbs: ["update"]
# Runner Jobs (backup, restore, garbage collection, verification): create in StateSnapshotReconciler,
# StateRestoreReconciler and SnapshotStoreReconciler (the one owner of collectors and verifications; a Job created is
# handed to the informer's cache, so it is never
# read back); list+watch for the Job informers of the snapshot, restore and store reconcilers; delete once a success
# is recorded (RunnerJobs.release) and in StateSnapshotReconciler.cleanup (stops a running backup before its snapshot
# goes); patch removes the strata.dev/result finalizer (RunnerJobs.letGo) once a backup's or restore's end is
# recorded, or its owner is gone: it keeps an expired Job until its result is read.
- apiGroups: ["batch"]
  resources: ["jobs"]
  verbs: ["create", "delete", "list", "watch", "patch"]
# Pods: list+watch for the pod informers of StateSnapshotReconciler and StateRestoreReconciler (RunPods: indexed by
# claim, the pod that mounts a snapshot's source or a restore's target, so a ReadWriteOnce volume is mounted on its
# node; by Job, a runner's termination message, listed once when the informer has not seen it yet) and for
# RestorePolicyReconciler's informer of the pods the webhook labelled (their restore results); get in RunPods.userOf
# (the user, group and fsGroup of that pod, for a Restricted runner; the informer keeps no container specs); patch
# removes the strata.dev/result finalizer from a runner's pods (RunnerJobs.letGo), whose termination message is the
# result, once it is recorded.
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch", "patch"]
# PVCs: get in RunPods.claimUse (a snapshot's source, a restore's target must exist and be Bound) and in a group
# restore (which members' claims exist); create in StateRestoreReconciler (a restore target from
# spec.target.claimTemplate); list in SnapshotScheduleReconciler (a grouped schedule's PVCs: a StatefulSet's claims, or
# those spec.pvcSelector matches), when a run is due, its spec changed, or its last look found none.
- apiGroups: [""]
  resources: ["persistentvolumeclaims"]
  verbs: ["get", "create", "list"]
# StatefulSets: get in SnapshotScheduleReconciler (spec.statefulSet: its replicas and volumeClaimTemplates name the
# claims a run snapshots). Nothing else of a workload is read.
- apiGroups: ["apps"]
  resources: ["statefulsets"]
  verbs: ["get"]
# Secrets: get in KubernetesStoreConnector.open (a store's credentials and CA bundle, read when the operator checks
# the bucket, reads progress and removes deleted snapshots); list+watch for the Secret informer of
# SnapshotStoreReconciler (a changed Secret re-checks its stores at once).
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch"]
# ConfigMaps: get in KubernetesStoreConnector (a CA bundle in a ConfigMap); list+watch for the ConfigMap informer of
# SnapshotStoreReconciler.
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "list", "watch"]
# ServiceAccounts: get in KubernetesStoreConnector (a web identity store's runner ServiceAccount must exist, or no
# runner pod could be created; the store is not Ready until it does). Never a token: the operator mints none.
- apiGroups: [""]
  resources: ["serviceaccounts"]
  verbs: ["get"]
# Events: EventRecorder.record on StateSnapshots, SnapshotStores (imports, verifications), SnapshotSchedules,
# RetentionPolicies, StateRestores, RestorePolicies and the pods a RestorePolicy restored creates events.k8s.io/v1 Events.
- apiGroups: ["events.k8s.io"]
  resources: ["events"]
  verbs: ["create"]
{{- end }}

{{/*
The file name of the operator's token for a web identity audience (OperatorTokens.fileName in the operator): every
character but letters, digits, '.', '_' and '-' becomes '_', and so does a leading '.'.
*/}}
{{- define "strata.tokenFileName" -}}
{{- regexReplaceAll "^\\." (regexReplaceAll "[^A-Za-z0-9._-]" . "_") "_" -}}
{{- end }}

{{/*
With hooks.enabled: what the operator needs to run a StateSnapshot's hooks (spec.hooks) in the pod that uses its PVC.
Exec lets the operator run any command in any container of the pods of these namespaces: grant it only where hooks
are used (hooks.namespaces).
*/}}
{{- define "strata.hookRules" -}}
# pods/exec: KubernetesPodExec runs a hook's command as kubectl exec does, over a WebSocket. The upgrade is an HTTP
# GET, which API servers up to 1.34 authorize as get; from 1.35 (AuthorizePodWebsocketUpgradeCreatePermission) they
# also require create, the verb SPDY's POST always needed.
- apiGroups: [""]
  resources: ["pods/exec"]
  verbs: ["get", "create"]
{{- end }}
