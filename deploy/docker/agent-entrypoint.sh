#!/bin/sh
# propwatch-agent's flags from the environment; arguments given to the
# container are appended.
#   PROPWATCH_COORDINATOR     host:port of the coordinator (required)
#   PROPWATCH_AGENT_ID        stable id (default: the container's hostname)
#   PROPWATCH_REGION          e.g. eu-west (required)
#   PROPWATCH_PROVIDER        aws, gcp, azure, onprem... (default onprem)
#   PROPWATCH_LABELS          space- or comma-separated key=value labels
#   PROPWATCH_SYSTEM_RESOLVERS  space-separated ip[:port] (default /etc/resolv.conf)
#   PROPWATCH_TLS_CA, PROPWATCH_TLS_CERT, PROPWATCH_TLS_KEY, PROPWATCH_TOKEN_FILE
#   PROPWATCH_INSECURE=1      plaintext (only to a coordinator started with it)
#   PROPWATCH_STATE_DIR       outbox journal directory (e.g. /var/lib/propwatch-agent)
#   PROPWATCH_STATUS_FILE     link status for the health check (default /tmp/propwatch-agent.status)
#   PROPWATCH_LOG_LEVEL, PROPWATCH_MAX_IN_FLIGHT, PROPWATCH_SHUTDOWN_GRACE
set -eu
: "${PROPWATCH_COORDINATOR:?set PROPWATCH_COORDINATOR to the coordinator host:port}"
: "${PROPWATCH_REGION:?set PROPWATCH_REGION, e.g. eu-west}"
set -- --coordinator "$PROPWATCH_COORDINATOR" \
  --agent-id "${PROPWATCH_AGENT_ID:-$(hostname)}" \
  --region "$PROPWATCH_REGION" --provider "${PROPWATCH_PROVIDER:-onprem}" "$@"
for label in $(echo "${PROPWATCH_LABELS:-}" | tr ',' ' '); do set -- "$@" --label "$label"; done
for resolver in ${PROPWATCH_SYSTEM_RESOLVERS:-}; do set -- "$@" --system-resolver "$resolver"; done
[ -n "${PROPWATCH_TLS_CA:-}" ] && set -- "$@" --tls-ca "$PROPWATCH_TLS_CA"
[ -n "${PROPWATCH_TLS_CERT:-}" ] && set -- "$@" --tls-cert "$PROPWATCH_TLS_CERT"
[ -n "${PROPWATCH_TLS_KEY:-}" ] && set -- "$@" --tls-key "$PROPWATCH_TLS_KEY"
[ -n "${PROPWATCH_TOKEN_FILE:-}" ] && set -- "$@" --token-file "$PROPWATCH_TOKEN_FILE"
[ "${PROPWATCH_INSECURE:-0}" = 1 ] && set -- "$@" --insecure
[ -n "${PROPWATCH_STATE_DIR:-}" ] && set -- "$@" --state-dir "$PROPWATCH_STATE_DIR"
set -- "$@" --status-file "${PROPWATCH_STATUS_FILE:-/tmp/propwatch-agent.status}"
[ -n "${PROPWATCH_LOG_LEVEL:-}" ] && set -- "$@" --log-level "$PROPWATCH_LOG_LEVEL"
[ -n "${PROPWATCH_MAX_IN_FLIGHT:-}" ] && set -- "$@" --max-in-flight "$PROPWATCH_MAX_IN_FLIGHT"
[ -n "${PROPWATCH_SHUTDOWN_GRACE:-}" ] && set -- "$@" --shutdown-grace "$PROPWATCH_SHUTDOWN_GRACE"
exec /usr/local/bin/propwatch-agent "$@"
