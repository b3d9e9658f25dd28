#!/usr/bin/env bash
# Builds a Debian root file system from Debian's packages for the KubeVirt lab: the build root in
# which cgo binaries (virt-launcher, virt-handler, cdi-importer) are compiled against Debian's
# libvirt and libnbd, and the base of the images that run QEMU, libvirt, qemu-img and nbdkit.
# Optionally unpacks Debian source packages into <out>/usr/src/<package> (the Go binding of libnbd
# is only published in libnbd's source tarball).
# The caller (harness/src/lab/debian-root.ts) caches <out> by the hash of this file and its
# arguments; <out>/.done marks a complete root.
# Usage: build-debian-root.sh <suite> <out> <package,package,...> [<source-package>=<version> ...]
set -euo pipefail

suite=${1:?suite (trixie, bookworm)}
out=${2:?output directory}
packages=${3:?comma-separated packages}
shift 3
mirror=${KVMATRIX_DEBIAN_MIRROR:-http://deb.debian.org/debian}

[[ -f $out/.done ]] && { echo "build-debian-root: cached: $out"; exit 0; }
[[ $(id -u) -eq 0 ]] || { echo "build-debian-root: must run as root (debootstrap, chroot)" >&2; exit 2; }

work=$(mktemp -d "${out%/}.build.XXXXXX")
cleanup() { rm -rf --one-file-system "$work"; }
trap cleanup EXIT
root=$work/root

# debootstrap installs the minimal base only: its own resolver orders trixie's systemd (pulled in
# by libvirt) wrongly ("systemd pre-depends on libsystemd-shared"); apt inside the root does not.
echo "build-debian-root: debootstrap $suite"
debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  # The chroot's own log says which maintainer script failed; keep both beside the output.
  cat "$work/debootstrap.log" "$root/debootstrap/debootstrap.log" >"${out%/}.failed.log" 2>/dev/null || true
  tail -n 30 "$work/debootstrap.log" >&2
  echo "build-debian-root: full log in ${out%/}.failed.log" >&2
  exit 1
}
cp /etc/resolv.conf "$root/etc/resolv.conf"
IFS=, read -r -a wanted <<<"$packages"
echo "build-debian-root: apt-get install ${wanted[*]}"
{
  chroot "$root" apt-get update -q &&
    DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y -q --no-install-recommends "${wanted[@]}"
} >"$work/apt.log" 2>&1 || {
  cp "$work/apt.log" "${out%/}.failed.log"
  tail -n 30 "$work/apt.log" >&2
  exit 1
}

if (($#)); then
  # Source packages through apt itself, inside the new root (its own suite's index).
  echo "deb-src $mirror $suite main" >"$root/etc/apt/sources.list.d/kvmatrix-src.list"
  chroot "$root" apt-get update -q >"$work/apt-update.log" 2>&1 || {
    tail -n 20 "$work/apt-update.log" >&2
    exit 1
  }
  for spec in "$@"; do
    name=${spec%%=*}
    install -d "$root/usr/src/download-$name"
    (cd "$root/usr/src/download-$name" && chroot "$root" sh -c "cd /usr/src/download-$name && apt-get source --download-only -q '$spec'") >"$work/source-$name.log" 2>&1 || {
      tail -n 20 "$work/source-$name.log" >&2
      exit 1
    }
    orig=$(find "$root/usr/src/download-$name" -maxdepth 1 -name '*.orig.tar.*' ! -name '*.asc' | head -n 1)
    install -d "$root/usr/src/$name"
    tar -xf "$orig" -C "$root/usr/src/$name" --strip-components=1
    rm -rf "$root/usr/src/download-$name"
  done
  rm -f "$root/etc/apt/sources.list.d/kvmatrix-src.list"
fi

chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/log/*.log "$root"/tmp/* "$root/etc/resolv.conf"
# shellcheck disable=SC2016 # dpkg-query's own format
chroot "$root" dpkg-query -W -f '${Package} ${Version}\n' >"$root/.packages"
rm -rf "$out"
mv "$root" "$out"
touch "$out/.done"
echo "build-debian-root: done: $out"
