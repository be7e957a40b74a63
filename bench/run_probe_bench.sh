#!/usr/bin/env bash
# Probe-engine benchmark (issue 3), one command:
#   bench/run_probe_bench.sh
# Builds the load driver, starts knotd, nginx and two never-answering peers on
# 127.0.0.1 (bench/probe_engine/bench_servers.cc, built from the test
# fixtures), and measures, REPS times each, interleaved so that background
# load hits every tool alike:
#   DNS   propwatch vs dnsperf vs blackbox_exporter, same knotd, same name
#   HTTP  propwatch vs wrk -H 'Connection: close' vs blackbox_exporter, same
#         nginx, a fresh connection for every request
#   RSS   propwatch-agent idle (the daemon, connected to a local coordinator),
#         the probe engine alone and a bare gRPC client (the floor for any
#         agent on Debian's shared libgrpc++) vs blackbox_exporter (VmHWM);
#         the probe engine with 1,000 HTTP and 1,000 DNS probes in flight
# and prints a table of medians with ratios and PASS/MISS against the targets.
#
# Environment: REPS (5), BENCH_SECONDS (5, per measurement), CONCURRENCY (64,
# every tool), BENCH_JOBS (2, build parallelism), BUILD_DIR (build-bench).
# Installs dnsperf, wrk, prometheus-blackbox-exporter, knot and nginx-light
# with apt when missing (root). All traffic stays on 127.0.0.1; every process
# started here is stopped by PID on exit and the temp dir removed.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-bench}
reps=${REPS:-5}
secs=${BENCH_SECONDS:-5}
conc=${CONCURRENCY:-64}
jobs=${BENCH_JOBS:-2}
hold=3          # seconds idle / held in flight before reading RSS
inflight=1000   # probes held in flight

# --- packages: only this script's own tools, only when missing -------------
need=(dnsperf wrk prometheus-blackbox-exporter knot nginx-light curl)
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- build only the two bench targets ---------------------------------------
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DPROPWATCH_BUILD_BENCH=ON -DPROPWATCH_WITH_PROBES=ON >/dev/null
fi
ninja -C "$build" -j"$jobs" propwatch-probe-load propwatch-bench-servers \
  propwatch-agent propwatch-coordinator propwatch-grpc-floor >/dev/null
load="$build/bench/propwatch-probe-load"
agent_bin="$build/agent/propwatch-agent"
coordinator_bin="$build/coordinator/propwatch-coordinator"

# --- processes we start, stopped by PID --------------------------------------
work=$(mktemp -d /tmp/propwatch-bench.XXXXXX)
pids=()
stop_pid() {  # SIGTERM, up to 10 s, then SIGKILL; only PIDs started here
  local pid=$1
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
  local i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do stop_pid "${pids[$i]}"; done
  wait 2>/dev/null || true
  # knotd and nginx are children of the servers process, which stops them;
  # should it have died first, stop them here by the PIDs it reported.
  for pid in ${child_pids:-}; do stop_pid "$pid"; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_until() {  # wait_until SECONDS CMD...: polls every 0.1 s
  local limit=$1; shift
  for _ in $(seq $((limit * 10))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  return 1
}
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $2"; }
rss_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{v[NR]=$1} END {if (NR) print v[int((NR+1)/2)]; else print 0}'; }

"$build/bench/propwatch-bench-servers" --max-lifetime 3600 >"$work/servers.out" 2>"$work/servers.err" &
pids+=($!)
wait_until 30 grep -q dns= "$work/servers.out" || { cat "$work/servers.err" >&2; exit 1; }
servers=$(cat "$work/servers.out")
dns=$(field dns "$servers")
http=$(field http "$servers")
hang=$(field hang_http "$servers")
silent=$(field silent_dns "$servers")
child_pids="$(field knot_pid "$servers") $(field nginx_pid "$servers")"
url="http://bench.test:${http##*:}/"

cat >"$work/blackbox.yml" <<EOF
modules:
  dns_bench:
    prober: dns
    timeout: 5s
    dns:
      transport_protocol: udp
      preferred_ip_protocol: ip4
      ip_protocol_fallback: false
      query_name: www.bench.test
      query_type: A
      valid_rcodes: [NOERROR]
  http_bench:
    prober: http
    timeout: 5s
    http:
      preferred_ip_protocol: ip4
      ip_protocol_fallback: false
      valid_status_codes: [200]
EOF
start_blackbox() {  # prints the PID; listens on 127.0.0.1:$1
  /usr/bin/prometheus-blackbox-exporter --config.file="$work/blackbox.yml" \
    --web.listen-address="127.0.0.1:$1" --log.level=error \
    >>"$work/blackbox.log" 2>&1 &
  echo $!
}
bb_port=$(free_port)
bb_pid=$(start_blackbox "$bb_port")
pids+=("$bb_pid")
wait_until 20 curl -sf "http://127.0.0.1:$bb_port/-/healthy" || { cat "$work/blackbox.log" >&2; exit 1; }
bb_dns="http://127.0.0.1:$bb_port/probe?module=dns_bench&target=$dns"
bb_http="http://127.0.0.1:$bb_port/probe?module=http_bench&target=http://$http/"
for probe in "$bb_dns" "$bb_http"; do
  curl -s "$probe" | grep -q '^probe_success 1' || { echo "bench: blackbox probe failed: $probe" >&2; exit 1; }
done
echo "www.bench.test A" >"$work/queries.txt"

# A coordinator for the idle agent daemons to connect to.
"$coordinator_bin" --insecure --listen 127.0.0.1:0 --data-dir "$work/coordinator" \
  --port-file "$work/coordinator.port" 2>"$work/coordinator.log" &
pids+=($!)
wait_until 20 test -s "$work/coordinator.port" || { cat "$work/coordinator.log" >&2; exit 1; }
coordinator="127.0.0.1:$(cat "$work/coordinator.port")"

# --- one measurement each; every command bounded by timeout ----------------
t=$((secs + 30))
pw_dns() { timeout $t "$load" dns --server "$dns" --concurrency "$conc" --duration "$secs" | tee -a "$work/raw.log"; }
pw_http() { timeout $t "$load" http --url "$url" --pin 127.0.0.1 --concurrency "$conc" --duration "$secs" | tee -a "$work/raw.log"; }
dnsperf_rate() {
  timeout $t dnsperf -s 127.0.0.1 -p "${dns##*:}" -d "$work/queries.txt" -l "$secs" -c 1 -T 1 -q "$conc" 2>&1 |
    tee -a "$work/raw.log" | awk '/Queries per second/ {print $4}'
}
wrk_rate() {  # wrk_rate THREADS URL [extra args]
  local threads=$1 target=$2; shift 2
  timeout $t wrk -t"$threads" -c"$conc" -d"${secs}s" "$@" "$target" 2>&1 |
    tee -a "$work/raw.log" | awk '/Requests\/sec/ {print $2}'
}

declare -A runs
add() { runs[$1]="${runs[$1]:-} $2"; }
echo "bench: $reps rounds of ${secs}s measurements, concurrency $conc (servers: dns=$dns http=$http)" >&2
for ((r = 1; r <= reps; r++)); do
  echo "bench: round $r/$reps" >&2
  # Idle first: both processes fresh, never probed, read alike from /proc
  # after the same idle time. RssAnon is the private part; the rest of RSS
  # is mapped library/binary pages.
  "$load" idle --hold $((hold + 5)) >/dev/null &
  idle_pw_pid=$!
  pids+=("$idle_pw_pid")
  "$agent_bin" --coordinator "$coordinator" --insecure --agent-id "bench-idle-$r" \
    --region bench --system-resolver "$dns" --log-level warn 2>>"$work/agent.log" &
  idle_agent_pid=$!
  pids+=("$idle_agent_pid")
  "$build/bench/propwatch-grpc-floor" --coordinator "$coordinator" --hold $((hold + 5)) &
  idle_floor_pid=$!
  pids+=("$idle_floor_pid")
  idle_port=$(free_port)
  idle_pid=$(start_blackbox "$idle_port")
  pids+=("$idle_pid")
  wait_until 20 curl -sf "http://127.0.0.1:$idle_port/-/healthy" || true
  sleep "$hold"
  add idle_pw "$(rss_kb "$idle_pw_pid" VmHWM)"
  add idle_pw_anon "$(rss_kb "$idle_pw_pid" RssAnon)"
  add idle_agent "$(rss_kb "$idle_agent_pid" VmHWM)"
  add idle_agent_anon "$(rss_kb "$idle_agent_pid" RssAnon)"
  add idle_floor "$(rss_kb "$idle_floor_pid" VmHWM)"
  add idle_bb "$(rss_kb "$idle_pid" VmHWM)"
  add idle_bb_anon "$(rss_kb "$idle_pid" RssAnon)"
  stop_pid "$idle_pid"
  stop_pid "$idle_pw_pid"
  stop_pid "$idle_agent_pid"
  stop_pid "$idle_floor_pid"

  # Throughput, tool order rotated each round.
  for k in 0 1 2; do
    case $(((k + r) % 3)) in
      0) line=$(pw_dns); add dns_pw "$(field rate "$line")"
         add dns_pw_p50 "$(field p50_ms "$line")"; add dns_pw_p99 "$(field p99_ms "$line")"
         [ "$(field failed "$line")" = 0 ] || echo "bench: propwatch dns failures: $line" >&2 ;;
      1) add dns_perf "$(dnsperf_rate)" ;;
      2) add dns_bb "$(wrk_rate 2 "$bb_dns")" ;;
    esac
  done
  for k in 0 1 2 3; do
    case $(((k + r) % 4)) in
      0) line=$(pw_http); add http_pw "$(field rate "$line")"
         add http_pw_p50 "$(field p50_ms "$line")"; add http_pw_p99 "$(field p99_ms "$line")"
         [ "$(field failed "$line")" = 0 ] || echo "bench: propwatch http failures: $line" >&2 ;;
      1) add http_wrk2 "$(wrk_rate 2 "http://$http/" -H 'Connection: close')" ;;
      2) add http_wrk1 "$(wrk_rate 1 "http://$http/" -H 'Connection: close')" ;;
      3) add http_bb "$(wrk_rate 2 "$bb_http")" ;;
    esac
  done

  line=$(timeout $((hold + 60)) "$load" inflight --url "http://bench.test:${hang##*:}/" --count "$inflight" --hold "$hold" | tee -a "$work/raw.log")
  [ "$(field http_in_flight "$line")" = "$inflight" ] || echo "bench: not all HTTP probes in flight: $line" >&2
  add inflight_http "$(field peak_rss_kb "$line")"
  line=$(timeout $((hold + 60)) "$load" inflight --server "$silent" --count "$inflight" --hold "$hold" | tee -a "$work/raw.log")
  [ "$(field dns_in_flight "$line")" = "$inflight" ] || echo "bench: not all DNS probes in flight: $line" >&2
  add inflight_dns "$(field peak_rss_kb "$line")"
done
bb_busy_rss=$(rss_kb "$bb_pid" VmHWM)

# --- the table ---------------------------------------------------------------
m() { median <<<"${runs[$1]}"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "n/a"}'; }
verdict() {  # verdict VALUE OP LIMIT  (ge: VALUE >= LIMIT, le: VALUE <= LIMIT)
  awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {ok = (op == "ge") ? v >= l : v <= l; print ok ? "PASS" : "MISS"}'
}
mb() { awk -v k="$1" 'BEGIN {printf "%.1f MB", k / 1024}'; }

dns_pw=$(m dns_pw) dns_perf=$(m dns_perf) dns_bb=$(m dns_bb)
http_pw=$(m http_pw) http_wrk2=$(m http_wrk2) http_wrk1=$(m http_wrk1) http_bb=$(m http_bb)
idle_pw=$(m idle_pw) idle_bb=$(m idle_bb) idle_agent=$(m idle_agent) idle_floor=$(m idle_floor)
inf_http=$(m inflight_http) inf_dns=$(m inflight_dns)

echo
echo "## machine"
echo "nproc $(nproc); $(lscpu | sed -n 's/^Model name: *//p'); kernel $(uname -r); Debian $(cat /etc/debian_version); load average at end $(cut -d' ' -f1-3 /proc/loadavg)"
echo "medians of $reps rounds, ${secs}s each, all on 127.0.0.1, concurrency $conc for every tool unless noted"
echo
printf '| %-52s | %14s | %s |\n' "measurement" "median" "target / verdict"
printf '| %-52s | %14s | %s |\n' "---" "---:" "---"
row() { printf '| %-52s | %14s | %s |\n' "$1" "$2" "$3"; }
row "DNS propwatch probes/s (1 loop thread)" "$dns_pw" "p50 $(m dns_pw_p50) ms, p99 $(m dns_pw_p99) ms"
row "DNS dnsperf queries/s (-c 1 -T 1 -q $conc)" "$dns_perf" ""
row "DNS blackbox_exporter probes/s (wrk -t2 -c$conc on /probe)" "$dns_bb" ""
row "DNS propwatch / dnsperf" "$(ratio "$dns_pw" "$dns_perf")" ">= 0.50 $(verdict "$(ratio "$dns_pw" "$dns_perf")" ge 0.5)"
row "DNS propwatch / blackbox_exporter" "$(ratio "$dns_pw" "$dns_bb")" ">= 20 $(verdict "$(ratio "$dns_pw" "$dns_bb")" ge 20)"
row "HTTP propwatch probes/s, fresh conn (1 loop thread)" "$http_pw" "p50 $(m http_pw_p50) ms, p99 $(m http_pw_p99) ms"
row "HTTP wrk -t2 -H 'Connection: close' req/s" "$http_wrk2" ""
row "HTTP wrk -t1 -H 'Connection: close' req/s" "$http_wrk1" ""
row "HTTP blackbox_exporter probes/s (wrk -t2 -c$conc on /probe)" "$http_bb" ""
row "HTTP propwatch / wrk -t2" "$(ratio "$http_pw" "$http_wrk2")" ">= 0.50 $(verdict "$(ratio "$http_pw" "$http_wrk2")" ge 0.5)"
row "HTTP propwatch / wrk -t1 (same thread count)" "$(ratio "$http_pw" "$http_wrk1")" ">= 0.50 $(verdict "$(ratio "$http_pw" "$http_wrk1")" ge 0.5)"
row "HTTP propwatch / blackbox_exporter" "$(ratio "$http_pw" "$http_bb")" ">= 5 $(verdict "$(ratio "$http_pw" "$http_bb")" ge 5)"
row "RSS idle propwatch-agent (VmHWM; daemon, connected)" "$(mb "$idle_agent")" ""
row "RSS idle probe engine alone (VmHWM; loop + both probers)" "$(mb "$idle_pw")" ""
row "RSS idle bare gRPC client, connected (VmHWM; the floor)" "$(mb "$idle_floor")" "(libgrpc++ and its libraries, no probes)"
row "RSS idle blackbox_exporter (VmHWM, fresh process)" "$(mb "$idle_bb")" "(after this run's load: $(mb "$bb_busy_rss"))"
row "RSS idle private (RssAnon) agent / engine / blackbox" "$(mb "$(m idle_agent_anon)") / $(mb "$(m idle_pw_anon)") / $(mb "$(m idle_bb_anon)")" "(not a target; shows where RSS goes)"
row "RSS idle propwatch-agent / blackbox_exporter" "$(ratio "$idle_agent" "$idle_bb")" "<= 1.00 $(verdict "$(ratio "$idle_agent" "$idle_bb")" le 1)"
row "RSS idle probe engine alone / blackbox_exporter" "$(ratio "$idle_pw" "$idle_bb")" "(informative)"
row "RSS idle bare gRPC client / blackbox_exporter" "$(ratio "$idle_floor" "$idle_bb")" "(informative: the floor)"
row "RSS peak propwatch, $inflight HTTP probes in flight" "$(mb "$inf_http")" "< 100 MB $(verdict "$inf_http" le 102399)"
row "RSS peak propwatch, $inflight DNS probes in flight" "$(mb "$inf_dns")" "< 100 MB $(verdict "$inf_dns" le 102399)"
echo
echo "raw values per round (in round order):"
for k in dns_pw dns_perf dns_bb http_pw http_wrk2 http_wrk1 http_bb idle_agent idle_floor idle_pw idle_bb idle_agent_anon idle_pw_anon idle_bb_anon inflight_http inflight_dns; do
  echo "  $k:${runs[$k]}"
done
