{{- define "release-train.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "release-train.labels" -}}
app.kubernetes.io/part-of: release-train
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "release-train.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}{{ include "release-train.fullname" . }}{{- else -}}default{{- end -}}
{{- end -}}

{{/* deploy-service's own account: the only one the RoleBinding for Helm is given to */}}
{{- define "release-train.deployServiceAccountName" -}}
{{- if .Values.serviceAccount.create -}}{{ include "release-train.fullname" . }}-deploy{{- else -}}default{{- end -}}
{{- end -}}

{{/* An application property as the environment variable Quarkus reads it from: release-train.x-y -> RELEASE_TRAIN_X_Y */}}
{{- define "release-train.envName" -}}
{{- regexReplaceAll "[^A-Za-z0-9]" . "_" | upper -}}
{{- end -}}

{{/* A variable from a key of an existing Secret: dict "name" "key" "secret" "secretKey" */}}
{{- define "release-train.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ .secretKey }}
{{- end -}}
