#!/usr/bin/env bash
# Configures and builds propwatch into build/ (or $PROPWATCH_BUILD_DIR).
# Extra arguments go to cmake's configure step, e.g. -DPROPWATCH_SANITIZE=ON.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${PROPWATCH_BUILD_DIR:-$root/build}
jobs=${PROPWATCH_JOBS:-$(nproc)}
# Let ccache hit across checkouts in different directories (CI clones afresh).
export CCACHE_BASEDIR=$root CCACHE_NOHASHDIR=true
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$build" -j "$jobs"
