#!/usr/bin/env bash
# Agent-link benchmark (issue 4), one command:
#   bench/run_link_bench.sh
# Builds the coordinator and the two bench tools, starts one coordinator
# (--insecure, loopback, free port, temp data dir) and, REPS times,
# interleaved so background load hits both sides of each comparison alike:
#   fan-out  propwatch-agent-fleet: AGENTS agents connect, ROUNDS RunProbes
#            calls with one DNS probe to all of them; per-agent time from the
#            call's start to receipt of the ProbeCommand (p50/p99 per run)
#   ingest   the same streams then send INGEST results each through gRPC
#            into the synced RocksDB writer; results/s until all are acked
#   raw      propwatch-ingest-raw: the same records (keys, values, 1,000 per
#            synced WriteBatch) straight into a fresh RocksDB
# Coordinator memory: VmRSS with AGENTS idle streams held, and VmHWM (peak)
# after all runs. A second, fresh coordinator holds AGENTS agents on one
# HTTP/2 connection each (as separate agent processes would) for its RSS.
# Prints per-run figures and a table of medians with ratios and PASS/MISS.
#
# Environment: REPS (5), AGENTS (1000), ROUNDS (3), INGEST (200 per agent),
# BATCH (50 results per message), WINDOW (100 unacked per agent),
# STREAMS_PER_CHANNEL (50), BENCH_JOBS (2), BUILD_DIR (build-link).
# All traffic stays on 127.0.0.1; every process started here is stopped by
# PID on exit and the temp dir removed.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-link}
reps=${REPS:-5}
agents=${AGENTS:-1000}
rounds=${ROUNDS:-3}
ingest=${INGEST:-200}
batch=${BATCH:-50}
window=${WINDOW:-100}
per_channel=${STREAMS_PER_CHANNEL:-50}
jobs=${BENCH_JOBS:-2}
py=/usr/bin/python3

# --- build only what is measured ---------------------------------------------
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DPROPWATCH_BUILD_BENCH=ON >/dev/null
fi
ninja -C "$build" -j"$jobs" propwatch-coordinator propwatch-agent-fleet \
  propwatch-ingest-raw >/dev/null
coordinator_bin="$build/coordinator/propwatch-coordinator"
fleet="$build/bench/agent_link/propwatch-agent-fleet"
raw="$build/bench/agent_link/propwatch-ingest-raw"

# --- processes we start, stopped by PID --------------------------------------
work=$(mktemp -d /tmp/propwatch-link-bench.XXXXXX)
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
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_coordinator() {  # start_coordinator NAME: sets coord_pid, coord_addr
  local name=$1
  "$coordinator_bin" --insecure --listen 127.0.0.1:0 \
    --data-dir "$work/$name-data" --port-file "$work/$name.port" \
    2>"$work/$name.err" &
  coord_pid=$!
  pids+=("$coord_pid")
  for _ in $(seq 200); do [ -s "$work/$name.port" ] && break; sleep 0.1; done
  [ -s "$work/$name.port" ] || { cat "$work/$name.err" >&2; exit 1; }
  coord_addr="127.0.0.1:$(cat "$work/$name.port")"
}
status_kb() {  # status_kb PID FIELD -> kB
  awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"
}
# Holds AGENTS agents idle on the coordinator at $coord_addr and prints its
# VmRSS (kB) once they are all connected and settled.
idle_rss() {  # idle_rss STREAMS_PER_CHANNEL
  local ready="$work/ready.$RANDOM"
  "$fleet" --coordinator "$coord_addr" --agents "$agents" \
    --streams-per-channel "$1" --hold 6 --ready-file "$ready" \
    >"$work/hold.json" 2>>"$work/fleet.err" &
  local fp=$!
  pids+=("$fp")
  for _ in $(seq 600); do [ -s "$ready" ] && break; sleep 0.1; done
  sleep 3
  status_kb "$coord_pid" VmRSS
  wait "$fp"
}

echo "agent-link bench: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), kernel $(uname -r)"
echo "agents=$agents rounds/run=$rounds ingest=$ingest/agent batch=$batch window=$window streams/connection=$per_channel reps=$reps"

# --- main coordinator: fan-out, ingest, raw peer, interleaved -----------------
start_coordinator main
main_pid=$coord_pid
rss_idle_kb=$(idle_rss "$per_channel")
: >"$work/runs.jsonl"
for rep in $(seq "$reps"); do
  "$fleet" --coordinator "$coord_addr" --agents "$agents" \
    --streams-per-channel "$per_channel" --fanout "$rounds" \
    --ingest "$ingest" --batch "$batch" --window "$window" \
    >"$work/fleet.json" 2>>"$work/fleet.err" || true
  "$raw" --agents "$agents" --per-agent "$ingest" --message-batch "$batch" \
    --batch 1000 --tmp "$work" >"$work/raw.json"
  $py - "$work/fleet.json" "$work/raw.json" "$rep" >>"$work/runs.jsonl" <<'PY'
import json, sys
fleet = json.load(open(sys.argv[1]))
raw = json.load(open(sys.argv[2]))
print(json.dumps({"rep": int(sys.argv[3]), "fleet": fleet, "raw": raw}))
PY
  $py - "$work/runs.jsonl" <<'PY'
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])][-1]
f, raw = r["fleet"], r["raw"]
fo, ing = f.get("fanout", {}), f.get("ingest", {})
print(f"run {r['rep']}: welcomed {f['welcomed']}/{f['agents']} in "
      f"{f['connect_seconds']:.2f} s; fan-out received "
      f"{fo.get('received', 0)}/{fo.get('expected', 0)} p50 "
      f"{fo.get('p50_ms', 0):.1f} ms p99 {fo.get('p99_ms', 0):.1f} ms; "
      f"ingest {ing.get('results', 0)}/{ing.get('expected', 0)} at "
      f"{ing.get('results_per_second', 0):.0f}/s vs raw "
      f"{raw['results_per_second']:.0f}/s")
PY
done
rss_peak_kb=$(status_kb "$main_pid" VmHWM)
stop_pid "$main_pid"

# --- fresh coordinator: one HTTP/2 connection per agent ------------------------
start_coordinator solo
rss_solo_kb=$(idle_rss 1)
rss_solo_peak_kb=$(status_kb "$coord_pid" VmHWM)
stop_pid "$coord_pid"

# --- table ----------------------------------------------------------------
$py - "$work/runs.jsonl" "$rss_idle_kb" "$rss_peak_kb" "$rss_solo_kb" \
  "$rss_solo_peak_kb" "$agents" "$per_channel" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
idle, peak, solo, solo_peak = (int(x) / 1024 for x in sys.argv[2:6])
agents, per_channel = sys.argv[6], sys.argv[7]
med = lambda xs: statistics.median(xs) if xs else float("nan")
p50 = med([r["fleet"]["fanout"]["p50_ms"] for r in runs if "fanout" in r["fleet"]])
p99 = med([r["fleet"]["fanout"]["p99_ms"] for r in runs if "fanout" in r["fleet"]])
ing = med([r["fleet"]["ingest"]["results_per_second"] for r in runs if "ingest" in r["fleet"]])
raw = med([r["raw"]["results_per_second"] for r in runs])
ratios = [r["fleet"]["ingest"]["results_per_second"] / r["raw"]["results_per_second"]
          for r in runs if "ingest" in r["fleet"]]
ratio = med(ratios)
complete = all(r["fleet"].get("complete") for r in runs)
verdict = lambda ok: "PASS" if ok else "MISS"
rows = [
  ("command fan-out p50, send to agent receipt", f"{p50:.1f} ms", "", "", "", "info"),
  ("command fan-out p99, send to agent receipt", f"{p99:.1f} ms", "", "", "< 100 ms", verdict(p99 < 100)),
  (f"coordinator RSS, {agents} agents idle ({per_channel}/connection)", f"{idle:.0f} MB", "", "", "", "info"),
  (f"coordinator RSS, {agents} agents idle (1/connection)", f"{solo:.0f} MB", "", "", "< 300 MB", verdict(solo < 300)),
  (f"coordinator peak RSS (VmHWM) over all runs", f"{peak:.0f} MB", "", "", "< 300 MB", verdict(peak < 300)),
  ("durable ingest, gRPC + RocksDB vs raw WriteBatch", f"{ing:,.0f}/s", f"{raw:,.0f}/s",
   f"{ratio:.0%}", ">= 40% of raw", verdict(ratio >= 0.40)),
]
print()
print("| figure | propwatch | raw RocksDB | ratio | target | result |")
print("| --- | --- | --- | --- | --- | --- |")
for row in rows:
    print("| " + " | ".join(row) + " |")
print()
print(f"medians of {len(runs)} runs; ingest ratio = median of per-run ratios "
      f"({', '.join(f'{x:.0%}' for x in ratios)}); every run complete: {complete}")
p99s = [r["fleet"]["fanout"]["p99_ms"] for r in runs if "fanout" in r["fleet"]]
print("fan-out p99 per run: " + ", ".join(f"{x:.1f}" for x in p99s) + " ms")
PY
