#!/usr/bin/env bash
# A gRPC client this project did not write talks to a real coordinator:
# `buf curl` lists the services through server reflection and calls
# grpc.health.v1.Health/Check. Usage: foreign_client_test.sh PATH/TO/propwatch-coordinator
set -euo pipefail
coordinator_bin=$1
work=$(mktemp -d)
coordinator_pid=
cleanup() {
  if [ -n "$coordinator_pid" ]; then kill "$coordinator_pid" 2>/dev/null || true; wait "$coordinator_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$coordinator_bin" --insecure --listen 127.0.0.1:0 --data-dir "$work/db" --port-file "$work/port" 2>"$work/log" &
coordinator_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")
addr="127.0.0.1:$port"

buf=""
for candidate in "${PROPWATCH_TOOLS:-/opt/propwatch-tools}/node_modules/.bin/buf" "$(command -v buf || true)"; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then buf=$candidate; break; fi
done

if [ -z "$buf" ]; then
  echo "buf is not installed: run scripts/install-deps.sh (it puts buf in /opt/propwatch-tools)" >&2
  exit 1
fi
echo "client: $buf ($("$buf" --version))"
services=$("$buf" curl --protocol grpc --http2-prior-knowledge --list-services "http://$addr")
echo "$services"
grep -qx 'propwatch.v1.AgentService' <<<"$services"
grep -qx 'propwatch.v1.ControlService' <<<"$services"
grep -qx 'grpc.health.v1.Health' <<<"$services"
health=$(cd /usr/share/grpc-proto && "$buf" curl --protocol grpc --http2-prior-knowledge \
  --schema grpc/health/v1/health.proto -d '{}' "http://$addr/grpc.health.v1.Health/Check")
echo "$health"
grep -q '"status": "SERVING"' <<<"$health"
# A call whose request and response schema come from reflection alone (buf
# resolves the method through file_containing_symbol).
agents=$("$buf" curl --protocol grpc --http2-prior-knowledge -d '{}' "http://$addr/propwatch.v1.ControlService/ListAgents")
[ "$agents" = "{}" ] || { echo "unexpected ListAgents answer: $agents" >&2; exit 1; }
echo "foreign client test passed"
