# shellcheck shell=bash
# What the lab scenarios share: the incident's topology, the verification
# they run, and assertions on propwatchctl's JSON (jq). Sourced by the
# scenario_*.sh scripts after lab.sh.

GOOD_IP=10.77.0.11
STALE_IP=10.77.0.12
# shellcheck disable=SC2034 # used by the scenarios that source this file
NEW_IP=10.77.0.13
HOST=www.example.test
# shellcheck disable=SC2034 # as above
REGIONS=(ap-south eu-west us-east)
INTERVAL_S=2

# The January 2023 incident: the hostname resolves to two edge IPs, one of
# which is misrouted and answers 404 on /signin, /docs and /blog; the
# regions get different subsets (eu-west both, us-east the stale one,
# ap-south the good one). With FIXED=1 both edges are good (the healthy
# rollout).
lab_up_incident() {
  local stale_role=stale
  [ "${1:-}" = healthy ] && stale_role=good
  lab_init
  lab_edge "$GOOD_IP:good" "$STALE_IP:$stale_role"
  lab_auth "www A $GOOD_IP" "www A $STALE_IP"
  lab_coordinator
  lab_region eu-west 10.77.0.21 "$HOST=$GOOD_IP,$STALE_IP"
  lab_region us-east 10.77.0.22 "$HOST=$STALE_IP"
  lab_region ap-south 10.77.0.23 "$HOST=$GOOD_IP"
  lab_agent eu-west-1 eu-west
  lab_agent us-east-1 us-east
  lab_agent ap-south-1 ap-south
}

# verify_flags DEADLINE [extra flags...]: the scenarios' verification, into
# the array VERIFY.
verify_flags() {
  local deadline=$1
  shift
  VERIFY=(verify --host "$HOST" --scheme http --path /signin --path /docs
    --path /blog --record-type A --resolver system --expect-status 200
    --regions ap-south --regions eu-west --regions us-east --min-agents 1
    --interval "${INTERVAL_S}s" --phase-timeout 1s --stable-rounds 2
    --deadline "$deadline" --pipeline lab "$@")
}

# start_gate OUT DEADLINE [flags...]: propwatchctl verify --wait -o json in
# the background (bounded by timeout): the JSON into OUT, stderr into
# OUT.err; GATE_PID is its PID. wait_gate sets GATE_EXIT.
start_gate() {
  local out=$1 deadline=$2
  shift 2
  verify_flags "$deadline" "$@"
  timeout 120 ip netns exec "$(lab_ns coord)" "$PW_BUILD/cli/propwatchctl" \
    --insecure --coordinator "$LAB_COORDINATOR" "${VERIFY[@]}" --wait \
    -o json >"$out" 2>"$out.err" &
  GATE_PID=$!
  LAB_PIDS+=("$GATE_PID")
  GATE_OUT=$out
}
wait_gate() {
  set +e
  wait "$GATE_PID"
  GATE_EXIT=$?
  set -e
  echo "gate exited $GATE_EXIT after $(jq -r .verification.roundsCompleted \
    "$GATE_OUT" 2>/dev/null) rounds" >&2
}
run_gate() {
  start_gate "$@"
  wait_gate
}
# gate_id: the verification id the running gate names in its progress
# lines on stderr ("[+0] v001a... running").
gate_id() {
  sed -n 's/^\[+[0-9a-z.]*\] \([0-9a-z]*\) .*/\1/p' "$GATE_OUT.err" |
    head -n 1
}

# report_of ID OUT: the whole report as JSON.
report_of() { lab_ctl report "$1" -o json >"$2"; }

# --------------------------------------------------------------- assertions
FAILURES=0
check() {
  local what=$1 actual=$2 expected=$3
  if [ "$actual" == "$expected" ]; then
    echo "ok   $what: $actual"
  else
    echo "FAIL $what: got '$actual', want '$expected'"
    FAILURES=$((FAILURES + 1))
  fi
}
# check_true WHAT JQ_EXPR FILE: the expression must be true.
check_jq() {
  local what=$1 expr=$2 file=$3 got
  got=$(jq -r "$expr" "$file" 2>&1)
  if [ "$got" = true ]; then
    echo "ok   $what"
  else
    echo "FAIL $what: ($expr) gave '$got'"
    FAILURES=$((FAILURES + 1))
  fi
}
finish() {
  if [ "$FAILURES" -ne 0 ]; then
    echo "$FAILURES check(s) failed; the documents:" >&2
    local f
    for f in "$LAB_DIR"/*.json; do
      [ -f "$f" ] || continue
      echo "--- $(basename "$f")" >&2
      jq -c . "$f" >&2 || cat "$f" >&2
    done
    exit 1
  fi
  echo "all checks passed"
}

# RFC 3339 timestamp (as in the JSON) -> seconds since the epoch, fractional.
ts() {
  jq -rn --arg t "$1" '$t | sub("\\.(?<f>[0-9]+)Z$"; "Z") as $s
    | ($s | fromdateiso8601) + ((($t | capture("\\.(?<f>[0-9]+)Z$").f) // "0")
    | ("0." + .) | tonumber)'
}
# "11.200s" -> 11.2
dur() { echo "${1%s}"; }
# Float arithmetic and comparison through awk.
calc() { awk "BEGIN { printf \"%.3f\", $* }"; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
