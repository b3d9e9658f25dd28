#!/usr/bin/env bash
# Makes the KubeVirt golden disk from the qemu provider's golden image (build-node-image.sh): the
# same Debian system, made bootable by firmware instead of QEMU's -kernel/-initrd, with cloud-init
# for the NoCloud data KubeVirt attaches (the job's SSH key and the hostname).
#   - extlinux in the boot sector of the partitionless ext4 disk (SeaBIOS boots it as it is; no
#     partition table, so the root stays /dev/vda as the image's fstab says)
#   - cloud-init (NoCloud only; network config left to the image's systemd-networkd DHCP on eth0)
# Output: <out>/disk.qcow2 (compressed) and <out>/packages.txt. Cached by the caller
# (harness/src/lab/golden-disk.ts) by the hash of this file and the golden image's.
# Usage: build-kubevirt-disk.sh <golden-image-dir> <out-dir>
set -euo pipefail

golden=${1:?golden image directory (with disk.qcow2)}
out=${2:?output directory}

[[ -f $out/packages.txt ]] && { echo "build-kubevirt-disk: cached: $out"; exit 0; }
[[ $(id -u) -eq 0 ]] || { echo "build-kubevirt-disk: must run as root (loop mount, chroot)" >&2; exit 2; }

work=$(mktemp -d "${out%/}.build.XXXXXX")
mnt=$work/mnt
loop=
cleanup() {
  local m
  for m in dev/pts dev proc sys; do umount "$mnt/$m" 2>/dev/null || true; done
  umount "$mnt" 2>/dev/null || true
  if [[ -n $loop ]]; then losetup -d "$loop" 2>/dev/null || true; fi
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT

echo "build-kubevirt-disk: from $golden/disk.qcow2"
qemu-img convert -O raw "$golden/disk.qcow2" "$work/disk.raw"
loop=$(losetup -f --show "$work/disk.raw")
mkdir -p "$mnt"
mount "$loop" "$mnt"
mount --bind /dev "$mnt/dev"
mount --bind /dev/pts "$mnt/dev/pts"
mount -t proc proc "$mnt/proc"
mount -t sysfs sys "$mnt/sys"
cp /etc/resolv.conf "$mnt/etc/resolv.conf"

echo "build-kubevirt-disk: installing extlinux and cloud-init"
chroot "$mnt" apt-get update -q >"$work/apt.log" 2>&1 || { tail -n 20 "$work/apt.log" >&2; exit 1; }
DEBIAN_FRONTEND=noninteractive chroot "$mnt" apt-get install -y -q --no-install-recommends \
  extlinux cloud-init >>"$work/apt.log" 2>&1 || { tail -n 20 "$work/apt.log" >&2; exit 1; }

# Boot: the kernel and initrd of the image, the serial console KubeVirt logs, eth0 as the name
# the image's networkd configuration matches.
kernel=$(find "$mnt/boot" -maxdepth 1 -name 'vmlinuz-*' -printf '%f\n' | sort -V | tail -n 1)
initrd=initrd.img-${kernel#vmlinuz-}
install -d "$mnt/boot/extlinux"
cat >"$mnt/boot/extlinux/extlinux.conf" <<CONF
DEFAULT debian
TIMEOUT 0
PROMPT 0
SERIAL 0 115200
LABEL debian
  LINUX /boot/$kernel
  INITRD /boot/$initrd
  APPEND root=/dev/vda rw console=tty0 console=ttyS0,115200n8 net.ifnames=0
CONF
chroot "$mnt" extlinux --install /boot/extlinux >"$work/extlinux.log" 2>&1 || { cat "$work/extlinux.log" >&2; exit 1; }

# cloud-init: NoCloud (what KubeVirt's cloudInitNoCloud volume is), no network configuration of
# its own; first boot only, as on any cloud image.
cat >"$mnt/etc/cloud/cloud.cfg.d/90-kvmatrix.cfg" <<'CFG'
datasource_list: [NoCloud, None]
network:
  config: disabled
CFG
rm -rf "$mnt/var/lib/cloud"
# The host's resolver is no use inside a VM on the pod network: DHCP of KubeVirt's masquerade
# binding hands out the cluster DNS, which networkd does not write here; keep the image's file.
echo 'nameserver 10.0.2.3' >"$mnt/etc/resolv.conf"
chroot "$mnt" apt-get clean
rm -rf "$mnt"/var/lib/apt/lists/*
# shellcheck disable=SC2016 # dpkg-query's own format
chroot "$mnt" dpkg-query -W -f='${Package} ${Version}\n' >"$work/packages.txt"

for m in dev/pts dev proc sys; do umount "$mnt/$m"; done
umount "$mnt"
losetup -d "$loop"
loop=
mkdir -p "$work/out"
qemu-img convert -c -O qcow2 "$work/disk.raw" "$work/out/disk.qcow2"
mv "$work/packages.txt" "$work/out/packages.txt"
rm -rf "$out"
mv "$work/out" "$out"
echo "build-kubevirt-disk: done: $out"
