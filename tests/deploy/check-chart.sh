#!/usr/bin/env bash
# The chart and the trigger examples, offline: helm lint --strict and helm
# template with the default values, the three-region values and the
# plaintext lab values; the rendered objects validated against Kubernetes
# (and cert-manager) schemas and checked for what the chart promises
# (tests/deploy/check-rendered.js); settings that cannot work refused at
# render time; the example Helm hook rendered inside a scratch chart and the
# Argo AnalysisTemplate validated too. Needs `install-deps.sh --deploy` and
# a built propwatchctl (PROPWATCH_BUILD_DIR, default build/).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tools=${PROPWATCH_TOOLS:-/opt/propwatch-tools}
helm=$tools/helm/helm
build=${PROPWATCH_BUILD_DIR:-$root/build}
chart=$root/helm/propwatch
check="node $root/tests/deploy/check-rendered.js"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
passed=0 failed=0
step() {  # step NAME COMMAND...: run, count, keep going
  local name=$1; shift
  if "$@" >"$out/log" 2>&1; then
    passed=$((passed + 1)); echo "ok   $name"
  else
    failed=$((failed + 1)); echo "FAIL $name"; sed 's/^/     /' "$out/log"
  fi
}

# Every PROPWATCH_* variable the chart or the compose file sets is one that
# an entrypoint or health check script (deploy/docker/) or propwatchctl reads.
known=$( (grep -oh 'PROPWATCH_[A-Z_]*' "$root"/deploy/docker/*.sh;
          printf '%s\n' PROPWATCH_COORDINATOR PROPWATCH_TOKEN PROPWATCH_INSECURE) | sort -u)
env_known() {  # env_known FILE: its PROPWATCH_* names are all known
  local unknown
  unknown=$(grep -oh 'PROPWATCH_[A-Z_]*' "$1" | sort -u | comm -23 - <(echo "$known"))
  [ -z "$unknown" ] || { echo "unknown variables in $1: $unknown"; return 1; }
}
step "compose file sets only variables the images read" env_known "$root/deploy/compose.yaml"

for values in "" ci/three-regions-values.yaml ci/lab-values.yaml; do
  label=${values:-default values}
  args=(); vargs=(--values "$chart/values.yaml")
  [ -n "$values" ] && args=(-f "$chart/$values") && vargs+=(--values "$chart/$values")
  step "helm lint --strict ($label)" "$helm" lint --strict "$chart" "${args[@]}"
  step "helm template ($label)" sh -c '"$@" > "'"$out"'/rendered.yaml"' _ \
    "$helm" template propwatch "$chart" --namespace propwatch "${args[@]}"
  step "rendered env: only variables the images read ($label)" env_known "$out/rendered.yaml"
  # shellcheck disable=SC2086 # $check is the validator command, split on purpose
  step "rendered objects: schemas and chart checks ($label)" \
    $check "${vargs[@]}" --propwatchctl "$build/cli/propwatchctl" "$out/rendered.yaml"
done

# Settings that cannot work must not render.
refused() {  # refused MESSAGE HELM-ARGS...: helm template fails naming it
  local message=$1; shift
  ! "$helm" template propwatch "$chart" "$@" >"$out/refused" 2>&1 &&
    grep -q -- "$message" "$out/refused"
}
step "refused: open identities over TLS" refused "auth.mode=none" --set auth.mode=none
step "refused: two pods with one identity" refused "replicas > 1" \
  --set 'agents.regions[0].region=eu-west' --set 'agents.regions[0].replicas=2'
step "refused: native gRPC probes with TLS" refused "cannot speak TLS" \
  --set coordinator.probes=grpc
step "refused: a gate with no hosts" refused "verify.hosts" --set 'verify.hosts=null'

# The validator itself rejects a broken object (so a pass means something).
cat > "$out/broken.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: broken}
spec:
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec:
      containers: [{name: c, image: i, ports: [{containerPort: grpc}]}]
YAML
step "validator rejects a broken Deployment" sh -c "! $check $out/broken.yaml"

# The trigger examples (tests/cli/gating_docs_test.cc runs their commands).
mkdir -p "$out/app/templates"
printf 'apiVersion: v2\nname: app\nversion: 1.0.0\n' > "$out/app/Chart.yaml"
printf 'propwatch:\n  image: registry.example.com/propwatch-cli:0.1.0\n  coordinator: propwatch-coordinator.propwatch:7411\n' \
  > "$out/app/values.yaml"
cp "$root/deploy/examples/helm-hook/propwatch-gate-job.yaml" "$out/app/templates/"
step "example Helm hook renders in a chart" sh -c '"$@" > "'"$out"'/hook.yaml"' _ \
  "$helm" template app "$out/app"
# shellcheck disable=SC2086 # $check is the validator command, split on purpose
step "example Helm hook: Job schema" $check "$out/hook.yaml"
# shellcheck disable=SC2086 # $check is the validator command, split on purpose
step "example Argo AnalysisTemplate: schema" \
  $check "$root/deploy/examples/argo-rollouts/analysis-template.yaml"
# shellcheck disable=SC2086 # $check is the validator command, split on purpose
step "example GitHub workflow and compose file: YAML" \
  $check --yaml-only "$root/deploy/examples/github-actions/propagation-gate.yml" \
  "$root/deploy/compose.yaml"

echo "check-chart: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
