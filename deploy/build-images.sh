#!/usr/bin/env bash
# Builds the three propwatch images with podman (no Docker engine needed).
#
#   bash deploy/build-images.sh                    # full multi-stage build: compiles in the image
#   bash deploy/build-images.sh --prebuilt build   # final stage only, from binaries in build/
#
# Tags: localhost/propwatch-{agent,coordinator,cli}:VERSION and :latest.
# The full build's context is the tracked source tree (git ls-files), so
# local build directories never enter it. The prebuilt build's context holds
# only bin/ (stripped copies) and deploy/docker/. Run as root.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export CONTAINERS_CONF=${CONTAINERS_CONF:-$root/deploy/podman/containers.conf}
prebuilt=""
while [ $# -gt 0 ]; do
  case $1 in
    --prebuilt) prebuilt=$(cd "$2" && pwd); shift 2 ;;
    *) echo "usage: $0 [--prebuilt BUILD_DIR]" >&2; exit 3 ;;
  esac
done
version=$(sed -n 's/^project(propwatch VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")

bash "$root/deploy/podman/make-base-image.sh"

ctx=$(mktemp -d /var/tmp/propwatch-ctx.XXXXXX)
trap 'rm -rf "$ctx"' EXIT
if [ -n "$prebuilt" ]; then
  mkdir -p "$ctx/bin" "$ctx/deploy"
  for b in agent/propwatch-agent coordinator/propwatch-coordinator cli/propwatchctl; do
    [ -x "$prebuilt/$b" ] || { echo "build-images: $prebuilt/$b missing: build first" >&2; exit 1; }
    strip -o "$ctx/bin/${b##*/}" "$prebuilt/$b"
  done
  cp -r "$root/deploy/docker" "$ctx/deploy/"
  target=(--target prebuilt)
else
  (cd "$root" && git ls-files -z --cached --others --exclude-standard |
     xargs -0 -I{} sh -c 'test -e "{}" && printf "%s\0" "{}"' |
     tar --null -T - -cf - | tar -C "$ctx" -xf -)
  target=()
fi

for image in coordinator agent cli; do
  start=$(date +%s)
  if [ -n "$prebuilt" ]; then how="prebuilt from $prebuilt"; else how="full build"; fi
  echo "build-images: propwatch-$image ($how)"
  podman build --pull=never --network=host --format docker "${target[@]}" \
    --build-arg JOBS="${PROPWATCH_JOBS:-2}" \
    -f "$root/deploy/$image.Dockerfile" \
    -t "localhost/propwatch-$image:$version" -t "localhost/propwatch-$image:latest" \
    "$ctx" > "$ctx.$image.log" 2>&1 || { tail -40 "$ctx.$image.log"; rm -f "$ctx.$image.log"; exit 1; }
  rm -f "$ctx.$image.log"
  echo "build-images: propwatch-$image built in $(( $(date +%s) - start )) s," \
    "$(podman image inspect --format '{{.Size}}' "localhost/propwatch-$image:$version" | awk '{printf "%.1f MB", $1/1e6}')"
done
