#!/usr/bin/env bash
# Verification report benchmark (issue 5), one command:
#   bench/run_report_bench.sh
# Configures (Release, benchmarks on) and builds propwatch-report-bench, then
# writes one CONVERGED verification with 100 rounds (16,000 synthetic results
# and the 100 reports EvaluateRound makes of them) into a fresh RocksDB in a
# temp dir, starts a real coordinator in-process on it (127.0.0.1, port 0,
# plaintext) and times ControlService.GetReport (all rounds, and one round)
# beside direct VerificationStore reads and recomputing every report from the
# stored results. Prints p50/p99 per repetition and the medians over REPS
# repetitions as a table, with PASS/MISS against our 100 ms p99 target.
#
# Environment: REPS (5), CALLS (200 timed calls per measurement), WARMUP (20),
# BENCH_JOBS (2, build parallelism), BUILD_DIR (build-report).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-report}
reps=${REPS:-5}
calls=${CALLS:-200}
warmup=${WARMUP:-20}
jobs=${BENCH_JOBS:-2}

if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DPROPWATCH_BUILD_BENCH=ON >/dev/null
fi
ninja -C "$build" -j"$jobs" propwatch-report-bench >/dev/null

echo "machine: nproc $(nproc), $(lscpu | sed -n 's/^Model name: *//p' | head -1)," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$build/bench/report/propwatch-report-bench" --reps "$reps" --calls "$calls" \
  --warmup "$warmup"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
