#!/usr/bin/env bash
# Makes debian:bookworm-slim locally: no container registry is reachable here,
# only the Debian mirror. debootstrap a minbase bookworm, import it, and tag it
# as the name the Dockerfiles use. Skips the work when the image is there.
# Run as root.
set -euo pipefail
export CONTAINERS_CONF=${CONTAINERS_CONF:-$(cd "$(dirname "$0")" && pwd)/containers.conf}
tag=docker.io/library/debian:bookworm-slim
if podman image exists "$tag"; then
  echo "make-base-image: $tag present"
  exit 0
fi
# The machine's own Debian mirror (deb822 sources), else the default one.
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}
dir=$(mktemp -d /var/tmp/propwatch-base.XXXXXX)
trap 'rm -rf "$dir"' EXIT
echo "make-base-image: debootstrap bookworm from $mirror"
debootstrap --variant=minbase bookworm "$dir" "$mirror" >"$dir.log" 2>&1 ||
  { tail -20 "$dir.log"; exit 1; }
rm -f "$dir.log"
# What the official slim image also drops: apt lists, docs and caches.
chroot "$dir" apt-get clean
rm -rf "$dir"/var/lib/apt/lists/* "$dir"/usr/share/doc/* "$dir"/usr/share/man/* \
  "$dir"/usr/share/info/* "$dir"/var/cache/debconf/*-old "$dir"/var/log/*.log
tar -C "$dir" -c . | podman import --quiet - localhost/debian:bookworm-slim >/dev/null
podman tag localhost/debian:bookworm-slim "$tag"
echo "make-base-image: $tag made"
