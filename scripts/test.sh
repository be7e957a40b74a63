#!/usr/bin/env bash
# The README's test command: installs dependencies, builds, runs every test.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/install-deps.sh"
bash "$root/scripts/build.sh"
build=${PROPWATCH_BUILD_DIR:-$root/build}
ctest --test-dir "$build" --output-on-failure -j "${PROPWATCH_JOBS:-2}" "$@"
