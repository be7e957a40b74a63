#!/usr/bin/env bash
# The README's main job: installs dependencies, builds, then replays the
# January 2023 incident (docs/LAB.md, scenario 1 then 2): a coordinator with
# its own RocksDB, three agents in three regions each with its own resolver,
# two edge IPs behind www.example.test of which one answers 404 on /signin,
# /docs and /blog. `propwatchctl verify --wait` follows it live; halfway the
# stale edge is fixed; the demo ends with the report: the stale IP named and
# the time to consistency.
#
# As root it builds the network-namespace lab (tests/lab/lab.sh); otherwise,
# or with PROPWATCH_DEMO_LOOPBACK=1, it runs the same cast on loopback
# addresses (127.0.0.0/8) with one dnsmasq address per region. Everything it
# starts is stopped by PID and everything it creates is removed, on success
# and on failure. PROPWATCH_DEMO_SKIP_BUILD=1 skips install and build.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ "${PROPWATCH_DEMO_SKIP_BUILD:-0}" != 1 ]; then
  bash "$root/scripts/install-deps.sh"
  bash "$root/scripts/build.sh"
fi
export PW_BUILD=${PROPWATCH_BUILD_DIR:-$root/build}
ctl_bin=$PW_BUILD/cli/propwatchctl

HOST=www.example.test
INTERVAL=2s
FIX_AFTER_ROUND=2 # the edge is fixed once this round is reported

mode=namespaces
if [ "$(id -u)" -ne 0 ] || [ "${PROPWATCH_DEMO_LOOPBACK:-0}" = 1 ]; then
  mode=loopback
fi

# ------------------------------------------------------------------ as root
if [ "$mode" = namespaces ]; then
  source "$root/tests/lab/lab.sh"
  # The incident's topology, as scenario 1 builds it (GOOD_IP, STALE_IP).
  source "$root/tests/lab/common.sh"
  echo "== the lab: network namespaces $(printf 'pwdemo%s-*' $$)"
  LAB_PREFIX="pwdemo$$"
  # shellcheck disable=SC2119 # its only argument, the name prefix, is optional
  lab_up_incident
  lab_wait_agents 3
  WORK=$LAB_DIR
  ctl() { lab_ctl "$@"; }
  fix_edge() { lab_edge_set "$STALE_IP" good; }
  record_types=(--record-type A)
  port_flags=()
  cat <<EOF
   coordinator   $LAB_COORDINATOR (RocksDB in $LAB_DIR/coordinator)
   edge          $GOOD_IP (right) and $STALE_IP (misrouted: 404) on port 80
   authoritative knotd for example.test at $LAB_AUTH_IP: www -> both IPs
   eu-west       agent eu-west-1, resolver 10.77.0.21: www -> both
   us-east       agent us-east-1, resolver 10.77.0.22: www -> $STALE_IP
   ap-south      agent ap-south-1, resolver 10.77.0.23: www -> $GOOD_IP
EOF
fi

# ------------------------------------------------------- without root: lo
if [ "$mode" = loopback ]; then
  GOOD_IP=127.0.0.2
  STALE_IP=127.0.0.3
  WORK=$(mktemp -d /tmp/propwatch-demo-XXXXXX)
  pids=()
  # shellcheck disable=SC2317 # reached through the EXIT trap
  cleanup() {
    local rc=$? pid i
    trap - EXIT INT TERM
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
      pid=${pids[i]}
      kill "$pid" 2>/dev/null || continue
      wait "$pid" 2>/dev/null || true
    done
    if [ "$rc" -ne 0 ]; then
      for f in "$WORK"/*.log; do
        [ -f "$f" ] && { echo "--- $f"; tail -n 15 "$f"; } >&2
      done
    fi
    rm -rf "$WORK"
    exit "$rc"
  }
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
  }
  wait_for() { # SECONDS WHAT CMD...
    local limit=$1 what=$2 i
    shift 2
    for ((i = 0; i < limit * 10; i++)); do
      "$@" >/dev/null 2>&1 && return 0
      sleep 0.1
    done
    echo "demo: timed out waiting for $what" >&2
    exit 1
  }
  echo "== loopback lab (not root, or PROPWATCH_DEMO_LOOPBACK=1) in $WORK"
  http_port=$(free_port)
  mkdir -p "$WORK/edge"
  # shellcheck disable=SC2028 # nginx turns the literal \n into a newline
  echo "location / { return 200 'current\n'; }" >"$WORK/edge/$GOOD_IP.conf"
  # shellcheck disable=SC2028 # as above
  echo "location / { return 404 'not found: misrouted edge\n'; }" \
    >"$WORK/edge/$STALE_IP.conf"
  {
    echo "daemon off; worker_processes 1; pid $WORK/edge/nginx.pid;"
    echo "error_log $WORK/edge/error.log notice;"
    echo "events { worker_connections 256; }"
    echo "http { access_log off; default_type text/plain;"
    for t in client_body proxy fastcgi uwsgi scgi; do
      echo "  ${t}_temp_path $WORK/edge/$t;"
    done
    for ip in "$GOOD_IP" "$STALE_IP"; do
      echo "  server { listen $ip:$http_port; include $WORK/edge/$ip.conf; }"
    done
    echo "}"
  } >"$WORK/edge/nginx.conf"
  nginx -e "$WORK/edge/error.log" -p "$WORK/edge" -c "$WORK/edge/nginx.conf" \
    >"$WORK/nginx.log" 2>&1 &
  pids+=($!)
  nginx_pid=$!
  # shellcheck disable=SC2317 # called through status_is and wait_for
  status_of() {
    curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://$1:$http_port/signin"
  }
  # shellcheck disable=SC2317 # called through wait_for
  status_is() { [ "$(status_of "$1")" = "$2" ]; }
  wait_for 10 "nginx" status_is "$STALE_IP" 404

  # One dnsmasq per region on its own loopback address, answering for
  # www.example.test with that region's subset.
  dns_port=$(free_port)
  region_resolver=()
  i=0
  for spec in "eu-west:127.0.0.21:$GOOD_IP,$STALE_IP" \
    "us-east:127.0.0.22:$STALE_IP" "ap-south:127.0.0.23:$GOOD_IP"; do
    IFS=: read -r region addr answer <<<"$spec"
    records=()
    IFS=, read -ra ips <<<"$answer"
    for ip in "${ips[@]}"; do records+=("--host-record=$HOST,$ip"); done
    dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
      --bind-interfaces --listen-address="$addr" --port="$dns_port" \
      --pid-file= --log-facility=- --local=/example.test/ --local-ttl=30 \
      --dhcp-leasefile="$WORK/dnsmasq-$region.leases" "${records[@]}" \
      >"$WORK/dnsmasq-$region.log" 2>&1 &
    pids+=($!)
    region_resolver[i]="$region:$addr:$dns_port"
    i=$((i + 1))
  done

  coord_port=$(free_port)
  "$PW_BUILD/coordinator/propwatch-coordinator" --insecure \
    --listen "127.0.0.1:$coord_port" --data-dir "$WORK/coordinator" \
    --allow-private-targets --heartbeat-interval 1 \
    >"$WORK/coordinator.log" 2>&1 &
  pids+=($!)
  ctl() {
    "$ctl_bin" --insecure --coordinator "127.0.0.1:$coord_port" "$@"
  }
  wait_for 20 "the coordinator" ctl agents
  for entry in "${region_resolver[@]}"; do
    IFS=: read -r region addr port <<<"$entry"
    mkdir -p "$WORK/state-$region-1"
    "$PW_BUILD/agent/propwatch-agent" --insecure \
      --coordinator "127.0.0.1:$coord_port" --agent-id "$region-1" \
      --region "$region" --provider demo --system-resolver "$addr:$port" \
      --state-dir "$WORK/state-$region-1" --log-level warn \
      >"$WORK/agent-$region.log" 2>&1 &
    pids+=($!)
  done
  # shellcheck disable=SC2317 # called through wait_for
  three_agents() {
    [ "$(ctl agents --connected -o json | jq '[.agents[]?] | length')" = 3 ]
  }
  wait_for 20 "three agents" three_agents
  fix_edge() {
    # shellcheck disable=SC2028 # nginx turns the literal \n into a newline
    echo "location / { return 200 'current\n'; }" >"$WORK/edge/$STALE_IP.conf"
    kill -HUP "$nginx_pid"
    wait_for 10 "the fixed edge" status_is "$STALE_IP" 200
  }
  # The edges are IPv4 only, as in the namespace lab.
  record_types=(--record-type A)
  port_flags=(--port "$http_port")
  cat <<EOF
   coordinator   127.0.0.1:$coord_port (RocksDB in $WORK/coordinator)
   edge          $GOOD_IP (right) and $STALE_IP (misrouted: 404), nginx on port $http_port
   eu-west       agent eu-west-1, resolver 127.0.0.21:$dns_port: www -> both
   us-east       agent us-east-1, resolver 127.0.0.22:$dns_port: www -> $STALE_IP
   ap-south      agent ap-south-1, resolver 127.0.0.23:$dns_port: www -> $GOOD_IP
EOF
fi

# ------------------------------------------------------------ the replay
echo
echo "== propwatchctl agents"
ctl agents

echo
echo "== propwatchctl verify --host $HOST ... --wait"
echo "   (the stale edge $STALE_IP is fixed once round $FIX_AFTER_ROUND is reported)"
# Halfway: once round N is reported, fix the edge. Runs beside the gate,
# bounded in time; its PID is waited for below.
(
  trap - EXIT
  for _ in $(seq 300); do
    id=$(ctl list -o json 2>/dev/null | jq -r '.verifications[0].id // empty')
    if [ -n "$id" ] && [ "$(ctl get "$id" -o json 2>/dev/null |
      jq -r '.roundsCompleted // 0')" -ge "$FIX_AFTER_ROUND" ]; then
      fix_edge
      date +%s.%N >"$WORK/fixed-at"
      exit 0
    fi
    sleep 0.1
  done
  exit 1
) &
fixer=$!
set +e
ctl verify --host "$HOST" --scheme http "${port_flags[@]}" \
  --path /signin --path /docs --path /blog "${record_types[@]}" \
  --resolver system --expect-status 200 \
  --regions eu-west --regions us-east --regions ap-south --min-agents 1 \
  --interval "$INTERVAL" --phase-timeout 1s --stable-rounds 2 --deadline 60s \
  --pipeline demo --source "replay of the January 2023 incident" --wait
gate=$?
set -e
wait "$fixer" || echo "demo: the edge was not fixed (see above)"
echo "(propwatchctl verify exited $gate: 0 converged, 1 diverged, 2 inconclusive)"

id=$(ctl list -o json | jq -r '.verifications[0].id')
echo
echo "== propwatchctl report $id"
ctl report "$id"

echo
echo "== propwatchctl report $id --round 1 (before the fix)"
ctl report "$id" --round 1

echo
echo "== what it found"
ctl report "$id" -o json >"$WORK/report.json"
jq -r '
  ([.rounds[] | .diagnoses[]? | select(.kind == "DIAGNOSIS_KIND_BAD_IP")][0]
    // {}) as $bad
  | "stale IP:            \($bad.ip // "none") (\(($bad.statuses // []) | map(tostring) | join(", ")) on \(($bad.paths // []) | join(", ")), first in round \([.rounds[] | select(any(.diagnoses[]?; .kind == "DIAGNOSIS_KIND_BAD_IP"))][0].round // "-"))",
    "diagnosis:           \($bad.summary // "-")",
    "state:               \(.verification.state | sub("VERIFICATION_STATE_"; ""))",
    "time to consistency: \(.verification.timeToConsistency // "not reached")"
' "$WORK/report.json"
if [ -s "$WORK/fixed-at" ]; then
  created=$(jq -r .verification.createdAt "$WORK/report.json")
  awk -v f="$(cat "$WORK/fixed-at")" -v c="$(date -d "$created" +%s.%N)" \
    'BEGIN { printf "edge fixed at:       +%.1fs after the verification started\n", f - c }'
fi
exit "$gate"
