#!/usr/bin/env bash
# ctest's entry to the lab: runs tests/lab/scenario_NAME.sh as a child with a
# run prefix of its own, then checks that nothing of that run is left (no
# namespace, link, bridge, process or directory), whether the scenario
# passed or failed. Exit 77 (ctest: skipped) when not root.
#   run_scenario.sh NAME BUILD_DIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
name=$1
export PW_BUILD=${2:-${PROPWATCH_BUILD_DIR:-$here/../../build}}
if [ "$(id -u)" -ne 0 ]; then
  echo "the namespace lab needs root; skipped"
  exit 77
fi
export LAB_PREFIX="pwl$$"
export LAB_PIDS_FILE=/tmp/propwatch-lab-$LAB_PREFIX.pids
start=$(date +%s.%N)
bash "$here/scenario_$name.sh"
rc=$?
end=$(date +%s.%N)
source "$here/lab.sh"
if ! lab_leftovers "$LAB_PREFIX"; then
  echo "FAIL: run $LAB_PREFIX left the above behind"
  rc=1
fi
echo "scenario $name: exit $rc in $(awk -v a="$start" -v b="$end" \
  'BEGIN { printf "%.1f", b - a }') s; nothing of run $LAB_PREFIX left"
exit "$rc"
