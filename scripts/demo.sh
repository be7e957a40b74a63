#!/usr/bin/env bash
# The README's main job: installs dependencies, builds, starts a coordinator
# with its own RocksDB, two agents in two regions, lists them, and stops
# everything it started (by PID), on success and on failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/install-deps.sh"
bash "$root/scripts/build.sh"
build=${PROPWATCH_BUILD_DIR:-$root/build}

work=$(mktemp -d /tmp/propwatch-demo-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

echo "== coordinator (data in $work/data)"
"$build/coordinator/propwatch-coordinator" --insecure --listen 127.0.0.1:0 \
  --data-dir "$work/data" --port-file "$work/port" 2>"$work/coordinator.log" &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || { cat "$work/coordinator.log"; exit 1; }
export PROPWATCH_COORDINATOR=127.0.0.1:$(cat "$work/port")
export PROPWATCH_INSECURE=1  # the demo coordinator runs plaintext on loopback
echo "listening on $PROPWATCH_COORDINATOR"

echo "== agents in eu-west and us-east"
for spec in agent-eu-1:eu-west:aws agent-us-1:us-east:gcp; do
  IFS=: read -r id region provider <<<"$spec"
  "$build/agent/propwatch-agent" --insecure --coordinator "$PROPWATCH_COORDINATOR" \
    --agent-id "$id" --region "$region" --provider "$provider" \
    --label demo=true 2>"$work/$id.log" &
  pids+=($!)
done
for _ in $(seq 100); do
  n=$("$build/cli/propwatchctl" agents --connected -o json | grep -c '"agentId"' || true)
  [ "$n" -ge 2 ] && break
  sleep 0.1
done

echo "== propwatchctl agents"
"$build/cli/propwatchctl" agents

echo "== stopping agent-us-1"
kill "${pids[2]}"; wait "${pids[2]}" || true
sleep 0.5
"$build/cli/propwatchctl" agents
echo "== done; stopping the rest"
