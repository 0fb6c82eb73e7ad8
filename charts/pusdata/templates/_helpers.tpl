{{/*
Names. Pusdata runs once per cluster: the ClusterRoles, webhook configurations and admission
policies the code refers to carry fixed names (operator/src/chart, pusdata_core::tenancy), so
the fullname is the chart's name, not the release's, and every object keeps the name the
code and the committed deploy/ manifests know.
*/}}
{{- define "pusdata.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "pusdata.fullname" -}}
{{- include "pusdata.name" . }}
{{- end }}

{{/* Name of a component's objects: pusdata-operator, pusdata-webhook, pusdata-agent. */}}
{{- define "pusdata.componentName" -}}
{{- printf "%s-%s" (include "pusdata.fullname" .ctx) .component | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The ServiceAccount of a component (the RBAC bindings name the same). */}}
{{- define "pusdata.serviceAccountName" -}}
{{- include "pusdata.componentName" . }}
{{- end }}

{{- define "pusdata.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels of a component: (dict "ctx" $ "component" "operator"). */}}
{{- define "pusdata.selectorLabels" -}}
app.kubernetes.io/name: {{ include "pusdata.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Labels of every object, of a component when the dict names one. */}}
{{- define "pusdata.labels" -}}
app.kubernetes.io/name: {{ include "pusdata.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
{{- with .component }}
app.kubernetes.io/component: {{ . }}
{{- end }}
helm.sh/chart: {{ include "pusdata.chart" .ctx }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
app.kubernetes.io/part-of: pusdata
{{- end }}

{{/*
The one image of every Pusdata process and Job: repository@digest when a digest is set,
else repository:tag, the tag defaulting to the chart's appVersion.
*/}}
{{- define "pusdata.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
{{- end }}

{{/*
Pod-level settings shared by the operator, webhook and agent pods, from the component's
values: (dict "ctx" $ "values" .Values.operator).
*/}}
{{- define "pusdata.podScheduling" -}}
{{- with .ctx.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.topologySpreadConstraints }}
topologySpreadConstraints:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* Pod template metadata: selector labels, the site role, podLabels and podAnnotations. */}}
{{- define "pusdata.podMetadata" -}}
{{- with .values.podAnnotations }}
annotations:
  {{- toYaml . | nindent 2 }}
{{- end }}
labels:
  {{- include "pusdata.selectorLabels" . | nindent 2 }}
  app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
  app.kubernetes.io/part-of: pusdata
  pusdata.io/role: {{ .ctx.Values.role }}
  {{- with .values.podLabels }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end }}
