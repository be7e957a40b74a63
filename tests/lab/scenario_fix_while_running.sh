#!/usr/bin/env bash
# Scenario 2, fix while running: the incident's topology; after the first
# failing round the stale edge is corrected (nginx reload). The verification
# must converge, exit 0, and its time to consistency must end within one
# round interval (plus that round's own duration) of the fix.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lab.sh"
source "$here/common.sh"

# shellcheck disable=SC2119 # its only argument, the name prefix, is optional
lab_up_incident
lab_wait_agents 3
start_gate "$LAB_DIR/gate.json" 40s
# Wait (bounded) for round 1 to be reported, then fix the edge.
round1_seen() {
  local id
  id=$(gate_id)
  [ -n "$id" ] || return 1
  [ "$(lab_ctl get "$id" -o json | jq -r '.roundsCompleted // 0')" -ge 1 ]
}
lab_wait_for 20 "round 1" round1_seen
fix_at=$(lab_now)
lab_edge_set "$STALE_IP" good
echo "edge $STALE_IP fixed at $fix_at" >&2
wait_gate
out=$LAB_DIR/gate.json
check "gate exit code" "$GATE_EXIT" 0
check "final state" "$(jq -r .verification.state "$out")" \
  VERIFICATION_STATE_CONVERGED
id=$(jq -r .verification.id "$out")
report_of "$id" "$LAB_DIR/report.json"
r1='.rounds[] | select(.round == 1)'
check "round 1 BAD_IP (before the fix)" "$(jq -r "[$r1 | .diagnoses[]? |
  select(.kind == \"DIAGNOSIS_KIND_BAD_IP\") | .ip] | join(\",\")" \
  "$LAB_DIR/report.json")" "$STALE_IP"
created=$(ts "$(jq -r .verification.createdAt "$out")")
ttc=$(dur "$(jq -r .verification.timeToConsistency "$out")")
consistent_at=$(calc "$created + $ttc")
# The longest round (its own duration bounds how late the first probe
# after the fix can be reported).
longest=$(jq -r '[.rounds[] | [.startedAt, .finishedAt]] | .[] | @tsv' \
  "$LAB_DIR/report.json" | while IFS=$'\t' read -r a b; do
  calc "$(ts "$b") - $(ts "$a")"
  echo
done | sort -n | tail -n 1)
after_fix=$(calc "$consistent_at - $fix_at")
bound=$(calc "$INTERVAL_S + $longest")
echo "time to consistency ${ttc}s: consistent ${after_fix}s after the fix" \
  "(bound ${bound}s = interval ${INTERVAL_S}s + longest round ${longest}s)"
check "consistent no earlier than the fix" "$(le "$fix_at" "$consistent_at" &&
  echo yes || echo no)" yes
check "consistent within one round interval of the fix" \
  "$(le "$after_fix" "$bound" && echo yes || echo no)" yes
check_jq "the last two rounds pass with no diagnosis" "[.rounds |
  sort_by(.round) | .[-2:][] | (.verdict == \"VERDICT_PASS\" and
  ((.diagnoses // []) | length == 0))] | all" "$LAB_DIR/report.json"
finish
