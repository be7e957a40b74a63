#!/usr/bin/env bash
# Installs what propwatch needs to build, test and run its demo on Debian 12.
# Idempotent: installs only the packages that are missing. Run as root.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config clang-format git
  # libraries
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libc-ares-dev libcurl4-openssl-dev libssl-dev librocksdb-dev libabsl-dev
  libyaml-cpp-dev libcli11-dev libspdlog-dev libgtest-dev libgmock-dev
  libbenchmark-dev
  # real servers and tools the tests and the demo run
  nginx-light dnsmasq-base knot knot-dnsutils openssl iproute2 iptables
  grpc-proto procps tmux
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm: the machine image may already carry Node.js with its own npm; only a
# machine without any npm gets Debian's.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Debian's knot package may start a system knotd; propwatch only runs its own
# test instances, so a packaged daemon is left as the system has it.

# buf: a gRPC client this project did not write, for the reflection/health
# test. It ships inside its npm package.
tools=${PROPWATCH_TOOLS:-/opt/propwatch-tools}
if [ ! -x "$tools/node_modules/.bin/buf" ]; then
  echo "install-deps: installing buf into $tools"
  mkdir -p "$tools"
  (cd "$tools" && npm install --silent --no-audit --no-fund @bufbuild/buf@1 >/dev/null)
fi
echo "install-deps: all dependencies present"
