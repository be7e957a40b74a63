#!/usr/bin/env bash
# The deploy CI step (.ci/run): tools, then the chart and trigger examples
# (check-chart.sh), then the images and the compose-equivalent smoke test
# (check-images.sh). Uses binaries already built in PROPWATCH_BUILD_DIR
# (default build/, which `bash scripts/test.sh` builds first). Run as root.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
start=$(date +%s)
bash "$root/scripts/install-deps.sh" --deploy
status=0
echo "== deploy: chart and examples"
bash "$root/tests/deploy/check-chart.sh" || status=1
echo "== deploy: images and smoke test"
bash "$root/tests/deploy/check-images.sh" || status=1
echo "== deploy: finished in $(( $(date +%s) - start )) s"
exit $status
