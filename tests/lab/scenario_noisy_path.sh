#!/usr/bin/env bash
# Scenario 4, noisy path: both edges are healthy; eu-west has a second
# agent in a namespace of its own whose link drops 30 % of packets both ways
# (iptables statistic). Its probes time out now and then while eu-west-1
# reaches the same IPs: the report must blame that agent's path
# (AGENT_NETWORK naming it), never an IP (no BAD_IP, no INTERMITTENT), and
# the verification still converges.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lab.sh"
source "$here/common.sh"

# shellcheck disable=SC2119 # its only argument, the name prefix, is optional
lab_init
lab_edge "$GOOD_IP:good" "$STALE_IP:good"
lab_auth "www A $GOOD_IP" "www A $STALE_IP"
lab_coordinator
lab_region eu-west 10.77.0.21
lab_region us-east 10.77.0.22
lab_region ap-south 10.77.0.23
lab_agent eu-west-1 eu-west
lab_agent eu-west-2 eu-west eu-west-2 10.77.0.31
lab_agent us-east-1 us-east
lab_agent ap-south-1 ap-south
lab_wait_agents 4
lab_loss eu-west-2 30

run_gate "$LAB_DIR/gate.json" 30s
out=$LAB_DIR/gate.json
check "gate exit code" "$GATE_EXIT" 0
check "final state" "$(jq -r .verification.state "$out")" \
  VERIFICATION_STATE_CONVERGED
id=$(jq -r .verification.id "$out")
report_of "$id" "$LAB_DIR/report.json"
rep=$LAB_DIR/report.json
check_jq "AGENT_NETWORK names eu-west-2 in some round" "[.rounds[] |
  .diagnoses[]? | select(.kind == \"DIAGNOSIS_KIND_AGENT_NETWORK\") |
  .agentId] | index(\"eu-west-2\") != null" "$rep"
check_jq "AGENT_NETWORK never names another agent" "[.rounds[] |
  .diagnoses[]? | select(.kind == \"DIAGNOSIS_KIND_AGENT_NETWORK\") |
  .agentId] | unique == [\"eu-west-2\"]" "$rep"
check_jq "no BAD_IP in any round" "[.rounds[] | .diagnoses[]? |
  select(.kind == \"DIAGNOSIS_KIND_BAD_IP\")] | length == 0" "$rep"
check_jq "no INTERMITTENT in any round" "[.rounds[] | .diagnoses[]? |
  select(.kind == \"DIAGNOSIS_KIND_INTERMITTENT\")] | length == 0" "$rep"
check_jq "no failing cell in any round" "[.rounds[] | .cells[] |
  select(.status != \"CELL_STATUS_PASS\")] | length == 0" "$rep"
echo "AGENT_NETWORK in $(jq '[.rounds[] | select(any(.diagnoses[]?;
  .kind == "DIAGNOSIS_KIND_AGENT_NETWORK"))] | length' "$rep") of" \
  "$(jq '.rounds | length' "$rep") rounds; e.g.:" \
  "$(jq -r '[.rounds[] | .diagnoses[]? |
  select(.kind == "DIAGNOSIS_KIND_AGENT_NETWORK") | .summary][0]' "$rep")"
# The loss really happened on that link: the statistic rules' counters.
dropped=$(lab_exec eu-west-2 iptables -L -v -x -n |
  awk '/statistic/ { n += $1 } END { print n + 0 }')
passed=$(lab_exec eu-west-2 cat /sys/class/net/eth0/statistics/rx_packets)
echo "eu-west-2's link: $dropped packets dropped by the 30% rules" \
  "($passed received on the interface)"
check "packets were dropped on eu-west-2's link" "$([ "$dropped" -gt 0 ] &&
  echo yes || echo no)" yes
finish
