#!/usr/bin/env bash
# Scenario 7, GeoDNS: each region's resolver hands out the edge nearest to
# it (eu-west and us-east get one IP, ap-south the other), both edges are
# healthy, and cross-probing reaches both from every region. The default
# (geo) consistency converges with and without --expect-address; strict
# consistency, which wants one answer everywhere, names ap-south as
# REGION_DNS_DIVERGENT and fails.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lab.sh"
source "$here/common.sh"

# shellcheck disable=SC2119 # its only argument, the name prefix, is optional
lab_init
lab_edge "$GOOD_IP:good" "$STALE_IP:good"
lab_auth "www A $GOOD_IP" "www A $STALE_IP"
lab_coordinator
lab_region eu-west 10.77.0.21 "$HOST=$GOOD_IP"
lab_region us-east 10.77.0.22 "$HOST=$GOOD_IP"
lab_region ap-south 10.77.0.23 "$HOST=$STALE_IP"
lab_agent eu-west-1 eu-west
lab_agent us-east-1 us-east
lab_agent ap-south-1 ap-south
lab_wait_agents 3

run_gate "$LAB_DIR/geo.json" 30s
check "geo: gate exit code" "$GATE_EXIT" 0
check "geo: final state" "$(jq -r .verification.state "$LAB_DIR/geo.json")" \
  VERIFICATION_STATE_CONVERGED
check_jq "geo: the split is in the DNS view" "[.round.dns[] |
  select(.resolverKind == \"system\") | .addresses[]] | unique ==
  [\"$GOOD_IP\", \"$STALE_IP\"]" "$LAB_DIR/geo.json"

run_gate "$LAB_DIR/geo-expect.json" 30s --expect-address "$GOOD_IP,$STALE_IP"
check "geo with --expect-address: gate exit code" "$GATE_EXIT" 0

run_gate "$LAB_DIR/strict.json" 8s --dns-consistency strict
check "strict: gate exit code" "$GATE_EXIT" 1
check_jq "strict: ap-south is REGION_DNS_DIVERGENT" "[.round.diagnoses[]? |
  select(.kind == \"DIAGNOSIS_KIND_REGION_DNS_DIVERGENT\") | .regions[]] ==
  [\"ap-south\"]" "$LAB_DIR/strict.json"
finish
