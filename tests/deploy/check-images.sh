#!/usr/bin/env bash
# The images, for real, with podman (no Docker engine here): builds the three
# final stages from the binaries CI already built (deploy/build-images.sh
# --prebuilt; the full multi-stage build is its own command, docs/deploy.md),
# checks each image (non-root user, HEALTHCHECK, every shared library found,
# --version), then the compose file's equivalent on the host network (the
# only network allowed here): a coordinator container and two agent
# containers in two regions, both listed through `propwatchctl agents` run
# from the CLI image, and the containers' own health checks passing.
# Removes every container it made. Needs root and `install-deps.sh --deploy`.
#   check-images.sh [--skip-build]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${PROPWATCH_BUILD_DIR:-$root/build}
export CONTAINERS_CONF=${CONTAINERS_CONF:-$root/deploy/podman/containers.conf}
version=$(sed -n 's/^project(propwatch VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")
tag=ci-$$
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }
check() {  # check NAME COMMAND...
  local name=$1; shift
  local log; log=$(mktemp)
  if "$@" >"$log" 2>&1; then ok "$name"; else fail "$name"; sed 's/^/     /' "$log" | tail -30; fi
  rm -f "$log"
}

# --skip-build: check the images already tagged (e.g. from the full build).
if [ "${1:-}" != --skip-build ]; then
  start=$(date +%s)
  bash "$root/deploy/build-images.sh" --prebuilt "$build"
  echo "check-images: images built in $(( $(date +%s) - start )) s"
fi

image() { echo "localhost/propwatch-$1:$version"; }
# podman asks systemd to time health checks and logs an error when there is
# none (as here): noise, the checks below run them by hand.
podman() { command podman "$@" 2> >(grep -v 'unable to get systemd connection' >&2); }
for name in coordinator agent cli; do
  img=$(image "$name")
  check "$name image runs as user 10001" \
    test "$(podman image inspect --format '{{.Config.User}}' "$img")" = 10001:10001
  check "$name image: every shared library found" podman run --rm --network=host \
    --entrypoint /bin/sh "$img" -c '! ldd /usr/local/bin/propwatch* | grep "not found"'
done
check "coordinator image: HEALTHCHECK and data VOLUME" sh -c \
  "podman image inspect --format '{{.Config.Healthcheck.Test}} {{.Config.Volumes}}' $(image coordinator) |
   grep -q 'coordinator-healthcheck.sh.*/var/lib/propwatch'"
check "agent image: HEALTHCHECK" sh -c \
  "podman image inspect --format '{{.Config.Healthcheck.Test}}' $(image agent) | grep -q agent-healthcheck.sh"
check "coordinator --version in its image" sh -c \
  "podman run --rm --network=host $(image coordinator) --version | grep -qx $version"
check "agent --version in its image" sh -c \
  "podman run --rm --network=host --entrypoint propwatch-agent $(image agent) --version | grep -qx $version"
check "propwatchctl --version in the CLI image" sh -c \
  "podman run --rm --network=host $(image cli) --version | grep -qx $version"
check "agent entrypoint refuses to start without a coordinator" sh -c \
  "podman run --rm --network=host $(image agent) 2>&1 | grep -q 'set PROPWATCH_COORDINATOR'"

# The compose file, on the host network: a free loopback port for the
# coordinator, then the agents of two regions.
containers=()
cleanup() {
  for c in "${containers[@]}"; do podman rm -f -v -t 5 "$c" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
address=127.0.0.1:$port
run() {  # run NAME IMAGE ENV...: a detached container on the host network
  local name=$1 img=$2; shift 2
  local envs=()
  for e in "$@"; do envs+=(-e "$e"); done
  containers+=("$name")
  # No systemd here to time health checks: they run when asked
  # (podman healthcheck run).
  podman run -d --name "$name" --network=host --read-only --tmpfs /tmp \
    --health-interval=disable "${envs[@]}" "$img" >/dev/null
}
wait_for() {  # wait_for SECONDS COMMAND...
  local end=$(( $(date +%s) + $1 )); shift
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$end" ] || return 1
    sleep 0.5
  done
}
smoke_start=$(date +%s)
run "pw-coordinator-$tag" "$(image coordinator)" "PROPWATCH_LISTEN=$address" PROPWATCH_INSECURE=1 \
  "PROPWATCH_HEALTH_ADDRESS=$address"
check "coordinator container healthy (its HEALTHCHECK: a gRPC call)" \
  wait_for 30 podman healthcheck run "pw-coordinator-$tag"
for region in eu-west us-east; do
  run "pw-agent-$region-$tag" "$(image agent)" "PROPWATCH_COORDINATOR=$address" PROPWATCH_INSECURE=1 \
    PROPWATCH_AGENT_ID=ci-$region-1 PROPWATCH_REGION=$region PROPWATCH_PROVIDER=onprem \
    PROPWATCH_LABELS=ci=true PROPWATCH_STATE_DIR=/var/lib/propwatch-agent
done
agents() {
  podman run --rm --network=host -e "PROPWATCH_COORDINATOR=$address" -e PROPWATCH_INSECURE=1 \
    "$(image cli)" agents --connected -o json
}
both_listed() {
  local json; json=$(agents) || return 1
  echo "$json" | grep -q '"agentId": *"ci-eu-west-1"' && echo "$json" | grep -q '"agentId": *"ci-us-east-1"'
}
if wait_for 30 both_listed; then
  ok "propwatchctl agents (CLI image) lists both agent containers"

  if agents | python3 -c '
import json, sys
doc = json.load(sys.stdin)
agents = {a["identity"]["agentId"]: a for a in doc.get("agents", [])}
for agent_id, region in (("ci-eu-west-1", "eu-west"), ("ci-us-east-1", "us-east")):
    a = agents[agent_id]
    assert a["identity"]["region"] == region, a
    assert a["identity"]["labels"] == {"ci": "true"}, a
    assert a["state"] == "AGENT_STATE_CONNECTED", a
'; then
    ok "agents carry their regions"
  else
    fail "agents carry their regions"
  fi
  podman run --rm --network=host -e "PROPWATCH_COORDINATOR=$address" -e PROPWATCH_INSECURE=1 "$(image cli)" agents
else
  fail "propwatchctl agents (CLI image) lists both agent containers"
  agents || true
  for c in "${containers[@]}"; do echo "--- $c"; podman logs --tail 20 "$c" 2>&1 || true; done
fi
for region in eu-west us-east; do
  check "agent container $region healthy (its HEALTHCHECK: its link status file says connected)" \
    wait_for 20 podman healthcheck run "pw-agent-$region-$tag"
done
check "coordinator stops cleanly on SIGTERM" sh -c \
  "podman stop -t 20 pw-coordinator-$tag >/dev/null &&
   test \"\$(podman inspect --format '{{.State.ExitCode}}' pw-coordinator-$tag)\" = 0"
unhealthy() { ! podman healthcheck run "$1"; }
check "agent container eu-west unhealthy once its coordinator is gone" \
  wait_for 30 unhealthy "pw-agent-eu-west-$tag"

# The same with what the Helm chart sets: TLS (the certificate names
# localhost, as the chart's health probe needs), one agent proving its id
# with a token, one with a client certificate (mTLS); the entrypoints' TLS
# paths and both health checks over TLS.
pki=$(mktemp -d)

trap 'cleanup; rm -rf "$pki"' EXIT
(
  cd "$pki"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
    -subj /CN=propwatch-ci-ca -keyout ca.key -out ca.crt
  issue() {  # issue NAME CN SAN
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$2" \
      -keyout "$1.key" -out "$1.csr"
    openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 \
      -extfile <(printf 'subjectAltName=%s' "$3") -out "$1.crt"
  }
  issue server localhost DNS:localhost,IP:127.0.0.1
  issue mtls-agent ci-mtls-1 DNS:ci-mtls-1
  echo "ci-token-1 ci-token-0123456789abcdef" > agent-tokens
  echo "ci-token-0123456789abcdef" > token
  chmod 755 . && chmod 644 ./*
) >/dev/null 2>&1
tls_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
tls_address=localhost:$tls_port
podman_volume=(-v "$pki:/etc/propwatch:ro")
run() {  # as above, with the PKI mounted at /etc/propwatch
  local name=$1 img=$2; shift 2
  local envs=()
  for e in "$@"; do envs+=(-e "$e"); done
  containers+=("$name")
  podman run -d --name "$name" --network=host --read-only --tmpfs /tmp \
    --health-interval=disable "${podman_volume[@]}" "${envs[@]}" "$img" >/dev/null
}
run "pw-coordinator-tls-$tag" "$(image coordinator)" "PROPWATCH_LISTEN=127.0.0.1:$tls_port" \
  PROPWATCH_TLS_CERT=/etc/propwatch/server.crt PROPWATCH_TLS_KEY=/etc/propwatch/server.key \
  PROPWATCH_TLS_CA=/etc/propwatch/ca.crt PROPWATCH_AGENT_TOKENS=/etc/propwatch/agent-tokens \
  PROPWATCH_HEALTH_CA=/etc/propwatch/ca.crt "PROPWATCH_HEALTH_ADDRESS=$tls_address"
check "TLS coordinator container healthy (health check over TLS)" \
  wait_for 30 podman healthcheck run "pw-coordinator-tls-$tag"
run "pw-agent-token-$tag" "$(image agent)" "PROPWATCH_COORDINATOR=$tls_address" \
  PROPWATCH_AGENT_ID=ci-token-1 PROPWATCH_REGION=eu-west PROPWATCH_TLS_CA=/etc/propwatch/ca.crt \
  PROPWATCH_TOKEN_FILE=/etc/propwatch/token
run "pw-agent-mtls-$tag" "$(image agent)" "PROPWATCH_COORDINATOR=$tls_address" \
  PROPWATCH_AGENT_ID=ci-mtls-1 PROPWATCH_REGION=us-east PROPWATCH_TLS_CA=/etc/propwatch/ca.crt \
  PROPWATCH_TLS_CERT=/etc/propwatch/mtls-agent.crt PROPWATCH_TLS_KEY=/etc/propwatch/mtls-agent.key
tls_agents() {
  podman run --rm --network=host "${podman_volume[@]}" -e "PROPWATCH_COORDINATOR=$tls_address" \
    "$(image cli)" --tls-ca /etc/propwatch/ca.crt agents --connected -o json
}
tls_both() {
  local json; json=$(tls_agents) || return 1
  echo "$json" | grep -q '"agentId": *"ci-token-1"' && echo "$json" | grep -q '"agentId": *"ci-mtls-1"'
}
if wait_for 30 tls_both; then
  ok "over TLS: the token agent and the mTLS agent are both connected"
else
  fail "over TLS: the token agent and the mTLS agent are both connected"
  tls_agents || true
  for c in "${containers[@]}"; do echo "--- $c"; podman logs --tail 20 "$c" 2>&1 || true; done
fi
for agent in token mtls; do
  check "agent container ($agent) healthy over TLS" \
    wait_for 20 podman healthcheck run "pw-agent-$agent-$tag"
done
echo "check-images: smoke tests in $(( $(date +%s) - smoke_start )) s"

echo "check-images: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
