#!/usr/bin/env bash
# Scenario 5, healthy rollout: the incident's topology with both edges
# right. The verification converges in the minimum number of rounds
# (stable_rounds = 2), every round passes with an empty diagnosis, and time
# to consistency ends with round 1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lab.sh"
source "$here/common.sh"

lab_up_incident healthy
lab_wait_agents 3
run_gate "$LAB_DIR/gate.json" 30s
out=$LAB_DIR/gate.json
check "gate exit code" "$GATE_EXIT" 0
check "final state" "$(jq -r .verification.state "$out")" \
  VERIFICATION_STATE_CONVERGED
check "rounds to converge (the minimum: stable_rounds)" \
  "$(jq -r .verification.roundsCompleted "$out")" 2
id=$(jq -r .verification.id "$out")
report_of "$id" "$LAB_DIR/report.json"
rep=$LAB_DIR/report.json
check_jq "every round passes" "[.rounds[] | .verdict] == [\"VERDICT_PASS\",
  \"VERDICT_PASS\"]" "$rep"
check_jq "every diagnosis is empty" "[.rounds[] | (.diagnoses // []) |
  length] == [0, 0]" "$rep"
check_jq "no missing agent" "[.rounds[] | (.missingAgents // []) | length] ==
  [0, 0]" "$rep"
check_jq "18 passing cells a round (2 IPs x 3 regions x 3 paths)" "[.rounds[] |
  [.cells[] | select(.status == \"CELL_STATUS_PASS\")] | length] == [18, 18]" \
  "$rep"
created=$(ts "$(jq -r .verification.createdAt "$out")")
ttc=$(dur "$(jq -r .verification.timeToConsistency "$out")")
r1_end=$(ts "$(jq -r '.rounds[] | select(.round == 1) | .finishedAt' "$rep")")
gap=$(calc "$created + $ttc - $r1_end")
check "time to consistency ends with round 1 (within 2 ms of rounding)" \
  "$(awk -v g="$gap" 'BEGIN { exit !(g > -0.002 && g < 0.002) }' && echo yes ||
    echo "no ($gap s)")" \
  yes
echo "time to consistency ${ttc}s"
finish
