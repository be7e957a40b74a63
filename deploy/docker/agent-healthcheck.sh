#!/bin/sh
# Container health: the coordinator lists this agent as connected. The agent
# has no listener of its own; its link to the coordinator is what matters.
set -eu
id=${PROPWATCH_AGENT_ID:-$(hostname)}
set -- --timeout 5 --coordinator "$PROPWATCH_COORDINATOR"
[ "${PROPWATCH_INSECURE:-0}" = 1 ] && set -- "$@" --insecure
[ -n "${PROPWATCH_TLS_CA:-}" ] && set -- "$@" --tls-ca "$PROPWATCH_TLS_CA"
/usr/local/bin/propwatchctl "$@" agents --connected -o json | grep -q "\"agentId\": *\"$id\""
