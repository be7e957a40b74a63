#!/bin/sh
# propwatch-coordinator's flags from the environment; arguments given to the
# container are appended (so `... --log-level debug` works too).
#   PROPWATCH_LISTEN          host:port              (default 0.0.0.0:7411)
#   PROPWATCH_DATA_DIR        RocksDB directory       (default /var/lib/propwatch)
#   PROPWATCH_TLS_CERT, PROPWATCH_TLS_KEY             certificate the coordinator presents
#   PROPWATCH_TLS_CA          CA verifying agents' client certificates (mTLS)
#   PROPWATCH_AGENT_TOKENS    file of 'agent_id token' lines
#   PROPWATCH_CONTROL_TOKENS  file of 'name token [read|write]' lines (control API)
#   PROPWATCH_INSECURE=1      plaintext (labs and demos only)
#   PROPWATCH_ALLOW_TARGETS   space-separated hostname patterns (--allow-target)
#   PROPWATCH_ALLOW_PRIVATE_TARGETS=1, PROPWATCH_RETENTION_DAYS,
#   PROPWATCH_HEARTBEAT_INTERVAL, PROPWATCH_LOG_LEVEL
set -eu
set -- --listen "${PROPWATCH_LISTEN:-0.0.0.0:7411}" \
  --data-dir "${PROPWATCH_DATA_DIR:-/var/lib/propwatch}" "$@"
[ -n "${PROPWATCH_TLS_CERT:-}" ] && set -- "$@" --tls-cert "$PROPWATCH_TLS_CERT"
[ -n "${PROPWATCH_TLS_KEY:-}" ] && set -- "$@" --tls-key "$PROPWATCH_TLS_KEY"
[ -n "${PROPWATCH_TLS_CA:-}" ] && set -- "$@" --tls-ca "$PROPWATCH_TLS_CA"
[ -n "${PROPWATCH_AGENT_TOKENS:-}" ] && set -- "$@" --agent-tokens "$PROPWATCH_AGENT_TOKENS"
[ -n "${PROPWATCH_CONTROL_TOKENS:-}" ] && set -- "$@" --control-tokens "$PROPWATCH_CONTROL_TOKENS"
[ "${PROPWATCH_INSECURE:-0}" = 1 ] && set -- "$@" --insecure
[ "${PROPWATCH_ALLOW_PRIVATE_TARGETS:-0}" = 1 ] && set -- "$@" --allow-private-targets
for pattern in ${PROPWATCH_ALLOW_TARGETS:-}; do set -- "$@" --allow-target "$pattern"; done
[ -n "${PROPWATCH_RETENTION_DAYS:-}" ] && set -- "$@" --retention-days "$PROPWATCH_RETENTION_DAYS"
[ -n "${PROPWATCH_HEARTBEAT_INTERVAL:-}" ] && set -- "$@" --heartbeat-interval "$PROPWATCH_HEARTBEAT_INTERVAL"
[ -n "${PROPWATCH_LOG_LEVEL:-}" ] && set -- "$@" --log-level "$PROPWATCH_LOG_LEVEL"
exec /usr/local/bin/propwatch-coordinator "$@"
