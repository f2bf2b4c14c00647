#!/usr/bin/env bash
# Makes the Debian base image that the farm's images build FROM, without any registry:
# debootstrap a minimal bookworm into a folder and `docker import` it. Skips when the
# image already exists, so a machine pays for it once.
#   usage: make-debian-base.sh [IMAGE]     (default koji-farm/debian-base:bookworm)
#   env:   DEBIAN_MIRROR (default http://deb.debian.org/debian)
set -euo pipefail
image=${1:-koji-farm/debian-base:bookworm}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
if docker image inspect "$image" >/dev/null 2>&1; then
  echo "base image $image exists"
  exit 0
fi
command -v debootstrap >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
root=$(mktemp -d /tmp/koji-farm-base.XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "debootstrap bookworm into $root (a few minutes, once per machine)"
debootstrap --variant=minbase --include=ca-certificates bookworm "$root" "$mirror" >"$root.log" 2>&1 \
  || { tail -20 "$root.log"; echo "debootstrap failed; full log: $root.log" >&2; exit 1; }
# Keep the image small and give apt the usual suites.
cat >"$root/etc/apt/sources.list" <<SRC
deb $mirror bookworm main
deb $mirror bookworm-updates main
SRC
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["/bin/bash"]' - "$image" >/dev/null
rm -f "$root.log"
echo "made base image $image"
