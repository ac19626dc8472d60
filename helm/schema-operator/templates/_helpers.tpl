{{/* The chart's name, or nameOverride. */}}
{{- define "schema-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's full name: the prefix of every object the chart creates. */}}
{{- define "schema-operator.fullname" -}}
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

{{- define "schema-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every object. */}}
{{- define "schema-operator.labels" -}}
helm.sh/chart: {{ include "schema-operator.chart" . }}
{{ include "schema-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Labels that select the operator's pods. */}}
{{- define "schema-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "schema-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "schema-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "schema-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The operator's image: repository@digest, else repository:tag (tag defaults to appVersion). */}}
{{- define "schema-operator.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
The operator's RBAC rules, the single source shared with the operator's tests. Rendered as is:
the file is a YAML list of PolicyRules.
*/}}
{{- define "schema-operator.operatorRules" -}}
{{ .Files.Get "files/operator-rules.yaml" }}
{{- end }}

{{- define "schema-operator.leaderElectionRules" -}}
{{ .Files.Get "files/leader-election-rules.yaml" }}
{{- end }}

{{/* Security context of every container: the "restricted" Pod Security Standard. */}}
{{- define "schema-operator.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/*
The name of the release's ValidatingAdmissionPolicy and its binding, a cluster-wide name unique per
release: <fullname>.<release namespace>. Its grant ClusterRoles add .custom-image and
.job-service-account.
*/}}
{{- define "schema-operator.admissionPolicyName" -}}
{{- printf "%s.%s" (include "schema-operator.fullname" .) (default "default" .Release.Namespace) }}
{{- end }}
