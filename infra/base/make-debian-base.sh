#!/usr/bin/env bash
# Makes the Debian base image that the farm's images build FROM, without any registry:
# bootstrap a minimal bookworm into a folder and `docker import` it. Skips when the
# image already exists, so a machine pays for it once.
#   usage: make-debian-base.sh [IMAGE]     (default koji-farm/debian-base:bookworm)
#   env:   DEBIAN_MIRROR (default http://deb.debian.org/debian)
#
# mmdebstrap does it (apt's parallel downloads, one dpkg run: a fraction of debootstrap's time);
# debootstrap when mmdebstrap cannot be had. The image carries what every image build's apt
# wants: apt's package lists (so each build's `apt-get update` finds them current instead of
# downloading them again), compressed, without translations, and dpkg without a sync per file
# (a build's layer is written whole or not at all, so the syncs buy nothing there).
set -euo pipefail
image=${1:-koji-farm/debian-base:bookworm}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
if docker image inspect "$image" >/dev/null 2>&1; then
  echo "base image $image exists"
  exit 0
fi
install() { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; }
tool=mmdebstrap
if ! command -v mmdebstrap >/dev/null; then
  install mmdebstrap || tool=debootstrap
fi
[ "$tool" = mmdebstrap ] || command -v debootstrap >/dev/null || install debootstrap
root=$(mktemp -d /tmp/koji-farm-base.XXXXXX)
trap 'rm -rf "$root"' EXIT
apt_options=('Acquire::Languages "none";' 'Acquire::GzipIndexes "true";' 'Acquire::CompressionTypes::Order:: "gz";')
echo "$tool bookworm into $root (once per machine)"
if [ "$tool" = mmdebstrap ]; then
  opts=()
  for o in "${apt_options[@]}"; do opts+=(--aptopt="$o"); done
  mmdebstrap --variant=minbase --include=ca-certificates --skip=cleanup/apt/lists "${opts[@]}" \
    --dpkgopt=force-unsafe-io bookworm "$root" "deb $mirror bookworm main" "deb $mirror bookworm-updates main" >"$root.log" 2>&1 \
    || { tail -20 "$root.log"; echo "mmdebstrap failed; full log: $root.log" >&2; exit 1; }
  rm -f "$root/etc/apt/apt.conf.d/99mmdebstrap" "$root/etc/dpkg/dpkg.cfg.d/99mmdebstrap"
else
  debootstrap --variant=minbase --include=ca-certificates bookworm "$root" "$mirror" >"$root.log" 2>&1 \
    || { tail -20 "$root.log"; echo "debootstrap failed; full log: $root.log" >&2; exit 1; }
  rm -rf "$root"/var/lib/apt/lists/*
fi
# The usual suites; the settings above for every apt and dpkg run in the images.
cat >"$root/etc/apt/sources.list" <<SRC
deb $mirror bookworm main
deb $mirror bookworm-updates main
SRC
printf '%s\n' "${apt_options[@]}" >"$root/etc/apt/apt.conf.d/90koji-farm-base"
echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/90koji-farm-base"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin
tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["/bin/bash"]' - "$image" >/dev/null
rm -f "$root.log"
echo "made base image $image"
