{{/*
The operator pod's securityContext: podSecurityContext, without the user and group keys when openshift is on.
*/}}
{{- define "strata.podSecurityContext" -}}
{{- $ctx := .Values.podSecurityContext | default dict }}
{{- if .Values.openshift }}
{{- $ctx = omit $ctx "runAsUser" "runAsGroup" "fsGroup" }}
{{- end }}
{{- with $ctx }}
{{- toYaml . }}
{{- end }}
{{- end }}

{{/*
The operator container's securityContext: securityContext, without the user and group keys when openshift is on.
*/}}
{{- define "strata.containerSecurityContext" -}}
{{- $ctx := .Values.securityContext | default dict }}
{{- if .Values.openshift }}
{{- $ctx = omit $ctx "runAsUser" "runAsGroup" }}
{{- end }}
{{- with $ctx }}
{{- toYaml . }}
{{- end }}
{{- end }}

{{/*
STRATA_RUNNER_UID: runner.uid, or empty (no user of Strata's choosing: the platform assigns one) when it is null or
openshift is on.
*/}}
{{- define "strata.runnerUid" -}}
{{- if and (not .Values.openshift) (not (kindIs "invalid" .Values.runner.uid)) }}
{{- .Values.runner.uid | int64 }}
{{- end }}
{{- end }}

{{/*
STRATA_RUNNER_DEFAULTS: runner.podDefaults without its empty fields, as JSON (the shape of a SnapshotStore's
spec.runner); empty when every field is.
*/}}
{{- define "strata.runnerPodDefaults" -}}
{{- $out := dict }}
{{- range $k, $v := .Values.runner.podDefaults | default dict }}
{{- if not (empty $v) }}
{{- $_ := set $out $k $v }}
{{- end }}
{{- end }}
{{- if $out }}
{{- toJson $out }}
{{- end }}
{{- end }}

{{/*
The job label Prometheus gives the operator's scrape: metrics.prometheusRule.job, else the Prometheus Operator's
default for the chart's monitor (a ServiceMonitor: the Service's name; a PodMonitor: namespace/name).
*/}}
{{- define "strata.metricsJob" -}}
{{- if .Values.metrics.prometheusRule.job }}
{{- .Values.metrics.prometheusRule.job }}
{{- else if .Values.metrics.podMonitor.enabled }}
{{- printf "%s/%s" .Release.Namespace (include "strata.fullname" .) }}
{{- else }}
{{- printf "%s-metrics" (include "strata.fullname" .) }}
{{- end }}
{{- end }}
