#!/usr/bin/env bash
# Scenario 1, stale edge (the January 2023 incident): www resolves to two
# edge IPs, one answers 404 on /signin, /docs and /blog, and the regions get
# different subsets (eu-west both, us-east the stale one, ap-south the good
# one). BAD_IP must name exactly that IP, in the first round, failing from
# every region that cross-probes it, and the gate must exit 1 at the
# deadline.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lab.sh"
source "$here/common.sh"

# shellcheck disable=SC2119 # its only argument, the name prefix, is optional
lab_up_incident
lab_wait_agents 3
run_gate "$LAB_DIR/gate.json" 7s
out=$LAB_DIR/gate.json
check "gate exit code" "$GATE_EXIT" 1
check "final state" "$(jq -r .verification.state "$out")" \
  VERIFICATION_STATE_DIVERGED
id=$(jq -r .verification.id "$out")
report_of "$id" "$LAB_DIR/report.json"
r1='.rounds[] | select(.round == 1)'
check "round 1 verdict" "$(jq -r "$r1 | .verdict" "$LAB_DIR/report.json")" \
  VERDICT_FAIL
check "round 1 BAD_IP diagnoses (ip)" "$(jq -r "[$r1 | .diagnoses[]? |
  select(.kind == \"DIAGNOSIS_KIND_BAD_IP\") | .ip] | join(\",\")" \
  "$LAB_DIR/report.json")" "$STALE_IP"
check "round 1 BAD_IP regions (all cross-probe it)" "$(jq -r "[$r1 |
  .diagnoses[] | select(.kind == \"DIAGNOSIS_KIND_BAD_IP\") | .regions[]] |
  join(\",\")" "$LAB_DIR/report.json")" "ap-south,eu-west,us-east"
check "round 1 BAD_IP paths" "$(jq -r "[$r1 | .diagnoses[] |
  select(.kind == \"DIAGNOSIS_KIND_BAD_IP\") | .paths[]] | join(\",\")" \
  "$LAB_DIR/report.json")" "/signin,/docs,/blog"
check "round 1 BAD_IP statuses" "$(jq -r "[$r1 | .diagnoses[] |
  select(.kind == \"DIAGNOSIS_KIND_BAD_IP\") | .statuses[]] | join(\",\")" \
  "$LAB_DIR/report.json")" "404"
check "round 1 BAD_IP summary names the regions whose resolvers hand it out" \
  "$(jq -r "$r1 | .diagnoses[] | select(.kind == \"DIAGNOSIS_KIND_BAD_IP\") |
  .summary | test(\"the resolvers of eu-west and us-east hand it out\")" \
  "$LAB_DIR/report.json")" true
check "affected regions (system resolvers answer the stale IP)" \
  "$(jq -r "[$r1 | .dns[] | select(.resolverKind == \"system\" and
  (.addresses | index(\"$STALE_IP\"))) | .region] | sort | join(\",\")" \
  "$LAB_DIR/report.json")" "eu-west,us-east"
check "other diagnoses in round 1" "$(jq -r "[$r1 | .diagnoses[] |
  select(.kind != \"DIAGNOSIS_KIND_BAD_IP\")] | length" \
  "$LAB_DIR/report.json")" 0
check_jq "every round fails on the stale IP only" "[.rounds[] | .cells[] |
  select(.status == \"CELL_STATUS_FAIL\") | .ip] | unique == [\"$STALE_IP\"]" \
  "$LAB_DIR/report.json"
check_jq "the good IP passes from every region and path" "[.rounds[] |
  .cells[] | select(.ip == \"$GOOD_IP\") | .status] | unique ==
  [\"CELL_STATUS_PASS\"]" "$LAB_DIR/report.json"
check "cells per round (2 IPs x 3 regions x 3 paths)" "$(jq -r \
  "[$r1 | .cells[]] | length" "$LAB_DIR/report.json")" 18
finish
