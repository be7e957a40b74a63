#!/usr/bin/env bash
# Scenario 3, DNS propagation: www moves from an old edge to a new one at the
# authoritative server (knotd). Every region's resolver (dnsmasq) forwards
# to it and caches; us-east's resolver was asked just before the change and
# keeps serving the old answer from its cache until the TTL runs out.
# STALE_RESOLVER must name us-east (and only it) with the TTL left, and the
# verification must converge once that TTL has passed, not before.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lab.sh"
source "$here/common.sh"

OLD_IP=$GOOD_IP
TTL=8
export LAB_ZONE_TTL=$TTL
# shellcheck disable=SC2119 # its only argument, the name prefix, is optional
lab_init
lab_edge "$OLD_IP:old" "$NEW_IP:good"
lab_auth "www A $OLD_IP"
lab_coordinator
lab_region eu-west 10.77.0.21
lab_region us-east 10.77.0.22
lab_region ap-south 10.77.0.23
lab_agent eu-west-1 eu-west
lab_agent us-east-1 us-east
lab_agent ap-south-1 ap-south
lab_wait_agents 3

# A user in us-east looks www up before the change: its resolver caches it.
cached=$(lab_dig us-east 10.77.0.22 "$HOST")
cached_at=$(lab_now)
check "us-east resolver caches the old answer" "$cached" "$OLD_IP"
lab_zone_set "www A $NEW_IP"
check "authoritative answer after the change" \
  "$(lab_dig auth "$LAB_AUTH_IP" "$HOST")" "$NEW_IP"
expires_at=$(calc "$cached_at + $TTL")

run_gate "$LAB_DIR/gate.json" 40s --resolver authoritative
out=$LAB_DIR/gate.json
check "gate exit code" "$GATE_EXIT" 0
check "final state" "$(jq -r .verification.state "$out")" \
  VERIFICATION_STATE_CONVERGED
id=$(jq -r .verification.id "$out")
report_of "$id" "$LAB_DIR/report.json"
rep=$LAB_DIR/report.json
stale='.diagnoses[]? | select(.kind == "DIAGNOSIS_KIND_STALE_RESOLVER")'
r1='.rounds[] | select(.round == 1)'
check "round 1 STALE_RESOLVER regions" "$(jq -r "[$r1 | $stale |
  .regions[]] | join(\",\")" "$rep")" us-east
check "round 1 STALE_RESOLVER ip" "$(jq -r "[$r1 | $stale | .ip] |
  join(\",\")" "$rep")" "$OLD_IP"
check "round 1 STALE_RESOLVER resolver" "$(jq -r "[$r1 | $stale |
  .resolver] | join(\",\")" "$rep")" "10.77.0.22:53"
check "round 1 verdict" "$(jq -r "$r1 | .verdict" "$rep")" VERDICT_FAIL
# The TTL left that round 1 reports must be what the cache really had left
# when the round asked (whole seconds; 1 s of slack for the rounding).
ttl_left=$(jq -r "$r1 | $stale | .ttlLeftSeconds" "$rep")
r1_start=$(ts "$(jq -r "$r1 | .startedAt" "$rep")")
real_left=$(calc "$expires_at - $r1_start")
echo "round 1: ttl left reported ${ttl_left}s, cache really had ${real_left}s"
check "reported TTL left matches the cache (within 1.5 s)" "$(le \
  "$(calc "($ttl_left - $real_left) * ($ttl_left - $real_left)")" 2.25 &&
  echo yes || echo no)" yes
check_jq "no other region is ever called stale or divergent" "[.rounds[] |
  .diagnoses[]? | select(.kind == \"DIAGNOSIS_KIND_STALE_RESOLVER\" or
  .kind == \"DIAGNOSIS_KIND_REGION_DNS_DIVERGENT\") | .regions[]] | unique ==
  [\"us-east\"]" "$rep"
check_jq "no BAD_IP (both edges answer)" "[.rounds[] | .diagnoses[]? |
  select(.kind == \"DIAGNOSIS_KIND_BAD_IP\")] | length == 0" "$rep"
# Convergence only after the TTL: the first of the stable rounds started
# after the cached answer expired, and every round before it was stale.
created=$(ts "$(jq -r .verification.createdAt "$out")")
ttc=$(dur "$(jq -r .verification.timeToConsistency "$out")")
consistent_at=$(calc "$created + $ttc")
echo "cache expired $(calc "$expires_at - $created")s after creation;" \
  "time to consistency ${ttc}s"
check "consistent only after the TTL ran out" "$(le "$expires_at" \
  "$consistent_at" && echo yes || echo no)" yes
check "consistent within one round interval after the TTL" "$(le \
  "$consistent_at" "$(calc "$expires_at + $INTERVAL_S + 1")" && echo yes ||
  echo no)" yes
check_jq "stale rounds ended by the TTL: later rounds pass with no diagnosis" \
  "[.rounds | sort_by(.round) | .[-2:][] | (.verdict == \"VERDICT_PASS\" and
  ((.diagnoses // []) | length == 0))] | all" "$rep"
check_jq "us-east's system view reached the new answer at the end" "[.rounds |
  sort_by(.round) | .[-1] | .dns[] | select(.region == \"us-east\" and
  .resolverKind == \"system\") | .addresses] == [[\"$NEW_IP\"]]" "$rep"
finish
