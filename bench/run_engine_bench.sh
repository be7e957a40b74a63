#!/usr/bin/env bash
# Consistency engine benchmark (issue 5), one command:
#   bench/run_engine_bench.sh
# Configures (Release, benchmarks on) and builds propwatch-engine-bench, then
# runs EvaluateRound over one round of 1,000,000 synthetic HTTP results (5
# regions x 40 agents x 10 IPs x 5 paths x 100 hostnames, plus 40,000 DNS
# results) and prints the median of RUNS runs beside in-process peers
# (touch / group-by / protobuf parse of the same results) as a table, with
# PASS/MISS against the 1 s target.
#
# Environment: RUNS (7), REPEAT (1: multiplies the results), BENCH_JOBS (2,
# build parallelism), BUILD_DIR (build-bench).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-bench}
runs=${RUNS:-7}
repeat=${REPEAT:-1}
jobs=${BENCH_JOBS:-2}

if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DPROPWATCH_BUILD_BENCH=ON >/dev/null
fi
ninja -C "$build" -j"$jobs" propwatch-engine-bench >/dev/null

echo "machine: nproc $(nproc), $(lscpu | sed -n 's/^Model name: *//p' | head -1)," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$build/bench/engine/propwatch-engine-bench" --runs "$runs" --repeat "$repeat"
