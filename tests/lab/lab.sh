# shellcheck shell=bash
# The propwatch network-namespace lab, as a bash library: source it, call
# lab_init, build a topology with the lab_* functions, and the EXIT trap
# that lab_init sets takes everything down again, on success and on failure.
# docs/LAB.md draws the topology and describes the scenarios.
#
# One run owns namespaces named "$LAB_PREFIX-<node>" (LAB_PREFIX defaults to
# "pwl<pid>", so two runs never collide), the veth pairs between them (created
# straight inside those namespaces: nothing appears in the root namespace),
# one bridge inside "$LAB_PREFIX-hub", the processes it started (coordinator,
# agents, dnsmasq, knotd, nginx; stopped by PID, then whatever is still inside
# one of its namespaces) and its work directory. All nodes share one /24
# behind the hub bridge, so there is no routing to set up and nothing touches
# the root namespace's network, iptables or /etc.
#
# Requires root, ip (iproute2), iptables, dnsmasq, knotd/knotc/kdig, nginx,
# curl and jq; PW_BUILD pointing at a propwatch build directory.

LAB_NET=10.77.0
LAB_COORD_IP=$LAB_NET.2
LAB_AUTH_IP=$LAB_NET.3
LAB_COORD_PORT=7411
LAB_ZONE=example.test

lab_log() { echo "lab[$LAB_PREFIX]: $*" >&2; }
lab_die() {
  lab_log "FAIL: $*"
  exit 1
}

# Seconds since the epoch with nanoseconds, e.g. 1764210000.123456789.
lab_now() { date +%s.%N; }

# lab_init [prefix]: names, work directory and the cleanup trap.
lab_init() {
  LAB_PREFIX=${1:-${LAB_PREFIX:-pwl$$}}
  : "${PW_BUILD:?PW_BUILD must name a propwatch build directory}"
  [ "$(id -u)" -eq 0 ] || lab_die "the namespace lab needs root"
  LAB_DIR=$(mktemp -d "/tmp/propwatch-lab-$LAB_PREFIX-XXXXXX")
  LAB_NODES=()
  LAB_PIDS=()
  LAB_EDGE_IPS=()
  LAB_NEXT_LINK=0
  LAB_KEEP_DIR=${LAB_KEEP_DIR:-0}
  trap lab_down EXIT
  trap 'exit 130' INT TERM
  lab_node hub
  lab_exec hub ip link add br0 type bridge
  lab_exec hub ip link set br0 up
}

lab_ns() { echo "$LAB_PREFIX-$1"; }
lab_exec() {
  local node=$1
  shift
  ip netns exec "$(lab_ns "$node")" "$@"
}

# lab_node NAME: a namespace with loopback up.
lab_node() {
  local ns
  ns=$(lab_ns "$1")
  ip netns add "$ns"
  LAB_NODES+=("$1")
  ip -n "$ns" link set lo up
}

# lab_attach NODE IP...: a veth from NODE to the hub bridge ("eth0" inside
# NODE) carrying the given addresses (/24).
lab_attach() {
  local node=$1
  shift
  local hub_end="l${LAB_NEXT_LINK}"
  LAB_NEXT_LINK=$((LAB_NEXT_LINK + 1))
  ip link add eth0 netns "$(lab_ns "$node")" type veth peer name "$hub_end" \
    netns "$(lab_ns hub)"
  ip -n "$(lab_ns hub)" link set "$hub_end" master br0 up
  local ip
  for ip in "$@"; do ip -n "$(lab_ns "$node")" addr add "$ip/24" dev eth0; done
  ip -n "$(lab_ns "$node")" link set eth0 up
}

# lab_spawn NODE NAME CMD...: runs CMD inside NODE in the background, stdout
# and stderr to $LAB_DIR/NAME.log; records its PID (ip netns exec execs CMD,
# so $! is the daemon itself).
lab_spawn() {
  local node=$1 name=$2
  shift 2
  ip netns exec "$(lab_ns "$node")" "$@" >"$LAB_DIR/$name.log" 2>&1 &
  LAB_PIDS+=($!)
  eval "LAB_PID_${name//[^A-Za-z0-9]/_}=$!"
}
lab_pid() {
  local var="LAB_PID_${1//[^A-Za-z0-9]/_}"
  echo "${!var}"
}

# lab_wait_for SECONDS DESCRIPTION CMD...: polls CMD every 0.1 s.
lab_wait_for() {
  local limit=$1 what=$2
  shift 2
  local tries=$((limit * 10)) i
  for ((i = 0; i < tries; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  lab_die "timed out after ${limit}s waiting for $what"
}

# ---------------------------------------------------------------- the edge
# lab_edge IP:ROLE...: the edge namespace with one nginx serving every IP on
# port 80. ROLE is "good" (200 "current" everywhere), "stale" (404 on every
# path: the misrouted edge of the incident) or "old" (200 "previous": the
# edge a DNS change moves away from).
lab_edge() {
  local spec ips=()
  mkdir -p "$LAB_DIR/edge"
  for spec in "$@"; do
    ips+=("${spec%%:*}")
    lab_edge_role_file "${spec%%:*}" "${spec#*:}"
  done
  # shellcheck disable=SC2034 # for the scripts that source this file
  LAB_EDGE_IPS=("${ips[@]}")
  lab_node edge
  lab_attach edge "${ips[@]}"
  local d=$LAB_DIR/edge
  {
    # A master and one worker: SIGHUP reloads gracefully (single-process
    # mode stops listening on reconfiguration).
    echo "daemon off;"
    echo "user root;"
    echo "worker_processes 1;"
    echo "pid $d/nginx.pid;"
    echo "error_log $d/error.log notice;"
    echo "events { worker_connections 512; }"
    echo "http {"
    echo "  access_log off;"
    echo "  default_type text/plain;"
    for t in client_body proxy fastcgi uwsgi scgi; do
      echo "  ${t}_temp_path $d/$t;"
    done
    local ip
    for ip in "${ips[@]}"; do
      echo "  server { listen $ip:80; server_name _; include $d/$ip.conf; }"
    done
    echo "}"
  } >"$d/nginx.conf"
  lab_spawn edge nginx nginx -p "$d" -c "$d/nginx.conf"
  for ip in "${ips[@]}"; do
    lab_wait_for 10 "nginx on $ip" lab_exec edge curl -s -o /dev/null \
      --max-time 1 "http://$ip/"
  done
}

lab_edge_role_file() {
  local ip=$1 role=$2
  # shellcheck disable=SC2028 # nginx turns the literal \n into a newline
  case $role in
    good) echo "location / { return 200 'current\n'; }" ;;
    stale) echo "location / { return 404 'not found: misrouted edge\n'; }" ;;
    old) echo "location / { return 200 'previous\n'; }" ;;
    *) lab_die "unknown edge role $role" ;;
  esac >"$LAB_DIR/edge/$ip.conf"
}

# lab_edge_set IP ROLE: reconfigures one edge IP (nginx reload) and returns
# once it answers with the new role's status.
lab_edge_set() {
  local ip=$1 role=$2 want=200
  [ "$role" = stale ] && want=404
  lab_edge_role_file "$ip" "$role"
  kill -HUP "$(lab_pid nginx)"
  lab_wait_for 10 "$ip to answer $want" lab_edge_status_is "$ip" "$want"
}
lab_edge_status_is() {
  [ "$(lab_exec edge curl -s -o /dev/null -w '%{http_code}' --max-time 1 \
    "http://$1/signin")" = "$2" ]
}

# ------------------------------------------------------------ authoritative
# lab_auth "NAME TYPE DATA"...: knotd, authoritative for example.test on
# $LAB_AUTH_IP:53, serving the given records (TTL from LAB_ZONE_TTL, 60 by
# default).
lab_auth() {
  local d=$LAB_DIR/auth
  mkdir -p "$d"
  LAB_ZONE_SERIAL=1
  lab_zone_write "$@"
  cat >"$d/knot.conf" <<EOF
server:
    rundir: "$d"
    listen: $LAB_AUTH_IP@53
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "$d"
control:
    listen: "$d/knot.sock"
log:
  - target: stderr
    any: info
template:
  - id: default
    storage: "$d"
    file: "%s.zone"
zone:
  - domain: $LAB_ZONE
EOF
  lab_node auth
  lab_attach auth "$LAB_AUTH_IP"
  lab_spawn auth knotd knotd -c "$d/knot.conf"
  lab_wait_for 10 "knotd on $LAB_AUTH_IP" lab_dig auth "$LAB_AUTH_IP" \
    "ns1.$LAB_ZONE"
}

lab_zone_write() {
  local record
  {
    echo "\$TTL ${LAB_ZONE_TTL:-60}"
    echo "@ SOA ns1 hostmaster $LAB_ZONE_SERIAL 3600 600 86400 ${LAB_ZONE_TTL:-60}"
    echo "@ NS ns1"
    echo "ns1 A $LAB_AUTH_IP"
    for record in "$@"; do echo "$record"; done
  } >"$LAB_DIR/auth/$LAB_ZONE.zone"
}

# lab_zone_set "NAME TYPE DATA"...: replaces the zone's records (new serial)
# and returns once knotd serves the new serial.
lab_zone_set() {
  LAB_ZONE_SERIAL=$((LAB_ZONE_SERIAL + 1))
  lab_zone_write "$@"
  lab_exec auth knotc -s "$LAB_DIR/auth/knot.sock" zone-reload "$LAB_ZONE" \
    >/dev/null
  lab_wait_for 10 "knotd to load serial $LAB_ZONE_SERIAL" lab_zone_serial_is \
    "$LAB_ZONE_SERIAL"
}
lab_zone_serial_is() {
  lab_exec auth kdig +short +time=1 "@$LAB_AUTH_IP" "$LAB_ZONE" SOA |
    awk -v s="$1" '$3 == s { found = 1 } END { exit !found }'
}

# lab_dig NODE SERVER NAME: the A records NAME has at SERVER, one a line.
lab_dig() {
  local out
  out=$(lab_exec "$1" kdig +short +time=1 +retry=0 "@$2" "$3" A) || return 1
  [ -n "$out" ] || return 1
  echo "$out"
}

# -------------------------------------------------------------- coordinator
lab_coordinator() {
  lab_node coord
  lab_attach coord "$LAB_COORD_IP"
  LAB_COORDINATOR=$LAB_COORD_IP:$LAB_COORD_PORT
  lab_spawn coord coordinator "$PW_BUILD/coordinator/propwatch-coordinator" \
    --insecure --listen "$LAB_COORDINATOR" --data-dir "$LAB_DIR/coordinator" \
    --allow-private-targets --heartbeat-interval 1
  lab_wait_for 20 "the coordinator" lab_ctl agents
}

# lab_ctl ARGS...: propwatchctl against the lab's coordinator (run inside the
# coordinator's namespace).
lab_ctl() {
  lab_exec coord "$PW_BUILD/cli/propwatchctl" --insecure --coordinator \
    "$LAB_COORDINATOR" "$@"
}

# ------------------------------------------------------------------ regions
# lab_region REGION IP [NAME=IP,IP...]: a region namespace at IP with its
# own dnsmasq on IP:53, which forwards $LAB_ZONE to the authoritative server
# and caches the answers for their TTL (RFC 2181 section 8); NAME=IPS pins
# this region's answer for NAME (the per-region view of a GeoDNS or CDN
# that hands regions different subsets), and then dnsmasq answers it itself.
# The region's first agent runs there (lab_agent).
lab_region() {
  local region=$1 ip=$2
  shift 2
  local node=$region args=() pin name addr
  for pin in "$@"; do
    name=${pin%%=*}
    IFS=, read -ra addr <<<"${pin#*=}"
    local a
    for a in "${addr[@]}"; do args+=("--host-record=$name,$a"); done
  done
  lab_node "$node"
  lab_attach "$node" "$ip"
  eval "LAB_RESOLVER_${region//-/_}=$ip"
  lab_spawn "$node" "dnsmasq-$region" dnsmasq --keep-in-foreground \
    --conf-file=/dev/null --no-resolv --no-hosts --bind-interfaces \
    --listen-address="$ip" --port=53 --pid-file= --log-facility=- \
    --cache-size=1000 --local-ttl=30 --server="/$LAB_ZONE/$LAB_AUTH_IP" \
    --dhcp-leasefile="$LAB_DIR/dnsmasq-$region.leases" \
    "${args[@]}"
  lab_wait_for 10 "dnsmasq of $region" lab_dig "$node" "$ip" "ns1.$LAB_ZONE"
}
lab_resolver_of() {
  local var="LAB_RESOLVER_${1//-/_}"
  echo "${!var}"
}

# lab_agent ID REGION [NODE IP]: an agent of REGION using the region's
# resolver. Without NODE it runs in the region's namespace; with NODE and IP
# it gets a namespace (and so a link) of its own, e.g. to make that one
# agent's path lossy.
lab_agent() {
  local id=$1 region=$2 node=${3:-$2} ip=${4:-}
  if [ -n "$ip" ]; then
    lab_node "$node"
    lab_attach "$node" "$ip"
  fi
  mkdir -p "$LAB_DIR/state-$id"
  lab_spawn "$node" "agent-$id" "$PW_BUILD/agent/propwatch-agent" --insecure \
    --coordinator "$LAB_COORDINATOR" --agent-id "$id" --region "$region" \
    --provider lab --system-resolver "$(lab_resolver_of "$region")" \
    --state-dir "$LAB_DIR/state-$id" --log-level warn
}

lab_connected_agents() {
  lab_ctl agents --connected -o json 2>/dev/null |
    jq '[.agents[]?] | length'
}
lab_agents_are() { [ "$(lab_connected_agents)" = "$1" ]; }
# lab_wait_agents N: until N agents are connected.
lab_wait_agents() {
  lab_wait_for 20 "$1 connected agents" lab_agents_are "$1"
}

# lab_loss NODE PERCENT: drops PERCENT % of NODE's packets on its link, both
# ways (iptables statistic; this kernel has no netem), except its control
# connection to the coordinator: the scenario is a lossy path to the edge
# and the resolver, not a link that delays results past the round.
lab_loss() {
  local node=$1 p
  p=$(awk -v x="$2" 'BEGIN { printf "%.2f", x / 100 }')
  lab_exec "$node" iptables -A OUTPUT -o eth0 ! -d "$LAB_COORD_IP" \
    -m statistic --mode random --probability "$p" -j DROP
  lab_exec "$node" iptables -A INPUT -i eth0 ! -s "$LAB_COORD_IP" \
    -m statistic --mode random --probability "$p" -j DROP
}

# ------------------------------------------------------------------ teardown
lab_pid_alive() {
  # A zombie waits for its reaper (see REFERENCES.md); it is gone for us.
  local state
  state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

# lab_stop PID: SIGTERM, up to 5 s, then SIGKILL.
lab_stop() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 50; i++)); do
    lab_pid_alive "$pid" || break
    sleep 0.1
  done
  lab_pid_alive "$pid" && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
}

lab_down() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  if [ "$rc" -ne 0 ] && [ -n "${LAB_DIR:-}" ] && [ -d "$LAB_DIR" ]; then
    lab_log "failed (exit $rc); last lines of the logs in $LAB_DIR:"
    local f
    for f in "$LAB_DIR"/*.log; do
      [ -f "$f" ] || continue
      echo "--- $(basename "$f")" >&2
      tail -n 15 "$f" >&2
    done
  fi
  # Agents first (their streams end cleanly), then the servers.
  local i pid
  for ((i = ${#LAB_PIDS[@]} - 1; i >= 0; i--)); do lab_stop "${LAB_PIDS[i]}"; done
  # Anything still inside one of this run's namespaces was started by it
  # (nginx workers, a daemon's children).
  local node ns seen=("${LAB_PIDS[@]}")
  for node in "${LAB_NODES[@]}"; do
    ns=$(lab_ns "$node")
    for pid in $(ip netns pids "$ns" 2>/dev/null); do
      seen+=("$pid")
      kill -KILL "$pid" 2>/dev/null
    done
  done
  # For lab_leftovers: every PID this run had, to check none is alive.
  if [ -n "${LAB_PIDS_FILE:-}" ]; then
    printf '%s\n' "${seen[@]}" >"$LAB_PIDS_FILE"
  fi
  for node in "${LAB_NODES[@]}"; do ip netns del "$(lab_ns "$node")" 2>/dev/null; done
  if [ "$LAB_KEEP_DIR" = 1 ]; then
    lab_log "kept $LAB_DIR"
  else
    rm -rf "$LAB_DIR"
  fi
  exit "$rc"
}

# lab_leftovers PREFIX: prints whatever of run PREFIX is still there
# (namespaces, links in the root namespace, processes whose command line
# names the run's directory); exit status 1 when something is.
lab_leftovers() {
  local prefix=$1 found=0 out
  out=$(ip netns list | awk '{ print $1 }' | grep -E "^$prefix-" || true)
  [ -n "$out" ] && { echo "namespaces left: $out"; found=1; }
  out=$(ip -o link show | grep -E "(^|[ @])$prefix" || true)
  [ -n "$out" ] && { echo "links left: $out"; found=1; }
  out=$(pgrep -af "propwatch-lab-$prefix-" || true)
  [ -n "$out" ] && { echo "processes left: $out"; found=1; }
  if [ -n "${LAB_PIDS_FILE:-}" ] && [ -f "$LAB_PIDS_FILE" ]; then
    local pid i left
    mapfile -t left <"$LAB_PIDS_FILE" # one PID a line
    for pid in "${left[@]}"; do
      # Killed a moment ago: give PID 1 a second or two to reap it.
      for ((i = 0; i < 30; i++)); do
        lab_pid_alive "$pid" || break
        sleep 0.1
      done
      if lab_pid_alive "$pid"; then
        echo "process left: $pid $(tr '\0' ' ' <"/proc/$pid/cmdline")"
        found=1
      fi
    done
    rm -f "$LAB_PIDS_FILE"
  fi
  out=$(ls -d /tmp/propwatch-lab-"$prefix"-* 2>/dev/null || true)
  [ -n "$out" ] && { echo "directories left: $out"; found=1; }
  return $found
}
