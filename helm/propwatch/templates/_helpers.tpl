{{/* Names, labels and the settings several templates share. */}}

{{- define "propwatch.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "propwatch.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "propwatch.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "propwatch.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "propwatch.selectorLabels" -}}
app.kubernetes.io/name: {{ include "propwatch.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "propwatch.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "propwatch.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: propwatch
{{- end -}}

{{- define "propwatch.image" -}}
{{- $root := index . 0 -}}{{- $name := index . 1 -}}
{{- $tag := default $root.Chart.AppVersion $root.Values.image.tag -}}
{{- if $root.Values.image.registry -}}
{{- printf "%s/%s:%s" $root.Values.image.registry $name $tag -}}
{{- else -}}
{{- printf "%s:%s" $name $tag -}}
{{- end -}}
{{- end -}}

{{- define "propwatch.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "propwatch.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "propwatch.coordinatorService" -}}
{{- printf "%s-coordinator" (include "propwatch.fullname" .) -}}
{{- end -}}

{{/* host:port agents and the gate dial. */}}
{{- define "propwatch.coordinatorAddress" -}}
{{- printf "%s.%s.svc:%d" (include "propwatch.coordinatorService" .) .Release.Namespace (int .Values.coordinator.port) -}}
{{- end -}}

{{- define "propwatch.tlsSecret" -}}
{{- default (printf "%s-coordinator-tls" (include "propwatch.fullname" .)) .Values.tls.secretName -}}
{{- end -}}

{{- define "propwatch.caSecret" -}}
{{- default (include "propwatch.tlsSecret" .) .Values.tls.caSecretName -}}
{{- end -}}

{{- define "propwatch.tokenSecret" -}}
{{- default (printf "%s-agent-tokens" (include "propwatch.fullname" .)) .Values.auth.tokenSecret -}}
{{- end -}}

{{/* The agent id of a regions entry (token/mtls auth): its name or region. */}}
{{- define "propwatch.agentName" -}}
{{- default .region .name | lower -}}
{{- end -}}

{{/* Refuse settings that cannot work, at render time. */}}
{{- define "propwatch.validate" -}}
{{- if not (has .Values.auth.mode (list "token" "mtls" "none")) -}}
{{- fail (printf "auth.mode must be token, mtls or none (got %q)" .Values.auth.mode) -}}
{{- end -}}
{{- if and (eq .Values.auth.mode "none") .Values.tls.enabled -}}
{{- fail "auth.mode=none (open agent identities) needs tls.enabled=false: the coordinator accepts unproven ids only with --insecure" -}}
{{- end -}}
{{- if and (eq .Values.auth.mode "mtls") (not .Values.tls.enabled) -}}
{{- fail "auth.mode=mtls needs tls.enabled=true" -}}
{{- end -}}
{{- if not .Values.agents.regions -}}
{{- fail "agents.regions is empty: list at least one region" -}}
{{- end -}}
{{- $seen := dict -}}
{{- range .Values.agents.regions -}}
{{- if not .region -}}{{- fail "every agents.regions entry needs a region" -}}{{- end -}}
{{- $n := include "propwatch.agentName" . -}}
{{- if hasKey $seen $n -}}{{- fail (printf "agents.regions: %q appears twice; give one entry a distinct name" $n) -}}{{- end -}}
{{- $_ := set $seen $n true -}}
{{- if and (ne $.Values.auth.mode "none") (gt (int (default 1 .replicas)) 1) -}}
{{- fail (printf "agents.regions %q: replicas > 1 with %s auth would give several pods one identity; add entries with distinct names instead" $n $.Values.auth.mode) -}}
{{- end -}}
{{- end -}}
{{- if and .Values.verify.enabled (not .Values.verify.hosts) -}}
{{- fail "verify.enabled needs verify.hosts" -}}
{{- end -}}
{{- end -}}

{{/* A labels map as the agent's PROPWATCH_LABELS: "k=v,k2=v2", sorted. */}}
{{- define "propwatch.agentLabels" -}}
{{- $out := list -}}
{{- range $k, $v := . -}}{{- $out = append $out (printf "%s=%s" $k $v) -}}{{- end -}}
{{- join "," $out -}}
{{- end -}}

{{/* propwatchctl's environment in the hook Job. */}}
{{- define "propwatch.cliEnv" -}}
- name: PROPWATCH_COORDINATOR
  value: {{ include "propwatch.coordinatorAddress" . | quote }}
{{- if not .Values.tls.enabled }}
- name: PROPWATCH_INSECURE
  value: "1"
{{- end }}
{{- with .Values.verify.tokenSecret }}
- name: PROPWATCH_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: token
{{- end }}
{{- end -}}

{{- define "propwatch.cliMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if .Values.tls.enabled }}
- name: ca
  mountPath: /etc/propwatch/ca
  readOnly: true
{{- end }}
{{- end -}}
