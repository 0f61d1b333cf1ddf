{{/* The app image: sha, then tag, then default (repository + ":release-X"). */}}
{{- define "posthog.image" -}}
{{- if .Values.image.sha -}}
{{ .Values.image.repository }}@{{ .Values.image.sha }}
{{- else if .Values.image.tag -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- else -}}
{{ .Values.image.repository }}{{ .Values.image.default }}
{{- end -}}
{{- end -}}
