#!/bin/bash
export PROPWATCH_COORDINATOR="$(get_octopusvariable "Propwatch.Coordinator")"
export PROPWATCH_TOKEN="$(get_octopusvariable "Propwatch.Token")"
release="$(get_octopusvariable "Octopus.Release.Number")"
propwatchctl verify -f propwatch/www.yaml --wait --release "$release" \
  --pipeline "octopus" --output json > propwatch-result.json
code=$?
new_octopusartifact "$PWD/propwatch-result.json" "propwatch-result.json"
case $code in
  0) echo "##octopus[stdout-highlight]propagation verified" ;;
  1) echo "##octopus[stdout-error]propagation diverged" ;;
  2) echo "##octopus[stdout-warning]propagation not proven" ;;
  *) echo "##octopus[stdout-error]propwatch could not run (exit $code)" ;;
esac
exit $code
