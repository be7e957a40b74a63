#!/bin/sh
# Container health: grpc.health.v1 on the coordinator's own listener (no
# token needed, so it works with --control-tokens too).
# With TLS the address must match the certificate: set
# PROPWATCH_HEALTH_ADDRESS (default localhost:<port of PROPWATCH_LISTEN>).
set -eu
port=${PROPWATCH_LISTEN:-0.0.0.0:7411}
port=${port##*:}
set -- --timeout 3 --coordinator "${PROPWATCH_HEALTH_ADDRESS:-localhost:$port}"
if [ "${PROPWATCH_INSECURE:-0}" = 1 ]; then
  set -- "$@" --insecure
elif [ -n "${PROPWATCH_HEALTH_CA:-}" ]; then
  set -- "$@" --tls-ca "$PROPWATCH_HEALTH_CA"
fi
exec /usr/local/bin/propwatchctl "$@" health >/dev/null
