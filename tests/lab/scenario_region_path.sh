#!/usr/bin/env bash
# Scenario 6, one region's broken path: both edges are healthy, but
# ap-south's only agent has lost its route to one edge IP (a blackhole
# route in its namespace) while eu-west and us-east reach it. The report
# must name ap-south's path to that IP (REGION_PATH, saying that with one
# agent the agent and the region cannot be told apart), never blame the IP
# (no BAD_IP), and the gate must not pass.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lab.sh"
source "$here/common.sh"

lab_up_incident healthy
lab_wait_agents 3
lab_exec ap-south ip route add blackhole "$STALE_IP"

run_gate "$LAB_DIR/gate.json" 12s
out=$LAB_DIR/gate.json
check "gate exit code" "$GATE_EXIT" 1
check "final state" "$(jq -r .verification.state "$out")" \
  VERIFICATION_STATE_DIVERGED
check_jq "the reason names ap-south's path" \
  ".verification.stateReason | contains(\"ap-south's path to it is broken\")" \
  "$out"
id=$(jq -r .verification.id "$out")
report_of "$id" "$LAB_DIR/report.json"
rep=$LAB_DIR/report.json
check_jq "REGION_PATH names ap-south, $STALE_IP and its only agent" \
  "[.rounds[] | .diagnoses[]? | select(.kind == \"DIAGNOSIS_KIND_REGION_PATH\"
  and .ip == \"$STALE_IP\" and .regions == [\"ap-south\"] and
  .agentId == \"ap-south-1\" and
  (.summary | contains(\"cannot be told apart\")) and
  (.hint | length > 0))] | length > 0" "$rep"
check_jq "no BAD_IP in any round" "[.rounds[] | .diagnoses[]? |
  select(.kind == \"DIAGNOSIS_KIND_BAD_IP\")] | length == 0" "$rep"
check_jq "every FAIL cell is ap-south's view of $STALE_IP" "[.rounds[] |
  .cells[] | select(.status == \"CELL_STATUS_FAIL\") |
  [.region, .ip]] | unique == [[\"ap-south\", \"$STALE_IP\"]]" "$rep"
echo "e.g.: $(jq -r '[.rounds[] | .diagnoses[]? |
  select(.kind == "DIAGNOSIS_KIND_REGION_PATH") | .summary][0]' "$rep")"
finish
