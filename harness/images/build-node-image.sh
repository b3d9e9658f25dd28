#!/usr/bin/env bash
# Builds the golden node image of kvmatrix from Debian's packages: one debootstrap, two products.
#   rootfs.tar          the root file system for node containers (podman import), without kernel
#   disk.qcow2, vmlinuz, initrd.img   the same system as a VM disk (ext4, no partition table,
#                       booted directly with -kernel/-initrd)
# The caller (harness/src/providers/common/golden-image.ts) caches the output directory by the
# hash of this file and the suite, so any change here rebuilds the image.
# Usage: build-node-image.sh <suite: bookworm|trixie> <out-dir> [deb-cache-dir]
set -euo pipefail

suite=${1:?suite (bookworm, trixie)}
out=${2:?output directory}
debcache=${3:-}
mirror=${KVMATRIX_DEBIAN_MIRROR:-http://deb.debian.org/debian}

# Another process may have built it while we waited for the lock.
[[ -f $out/packages.txt ]] && { echo "build-node-image: cached: $out"; exit 0; }
[[ $(id -u) -eq 0 ]] || { echo "build-node-image: must run as root (debootstrap, chroot)" >&2; exit 2; }

# The "Node machines" contract (notes/HELPERS.md), plus what the VM variant needs to boot.
packages=(
  systemd systemd-sysv dbus openssh-server python3 sudo
  containerd runc containernetworking-plugins conntrack socat iptables ethtool iproute2
  curl ca-certificates kmod procps iputils-ping less netbase udev
  linux-image-amd64 initramfs-tools e2fsprogs
  qemu-guest-agent
)

work=$(mktemp -d "${out%/}.build.XXXXXX")
cleanup() {
  local m
  for m in proc sys dev/pts dev; do umount -R "$work/rootfs/$m" 2>/dev/null || true; done
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT
root=$work/rootfs

args=(--variant=minbase --include="$(IFS=,; echo "${packages[*]}")")
if [[ -n $debcache ]]; then mkdir -p "$debcache"; args+=(--cache-dir="$debcache"); fi
echo "build-node-image: debootstrap $suite from $mirror"
debootstrap "${args[@]}" "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -n 30 "$work/debootstrap.log" >&2
  exit 1
}

echo "build-node-image: configuring"
# Identity is per machine: empty machine-id (systemd makes one at boot), no SSH host keys.
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id" "$root"/etc/ssh/ssh_host_*
echo kvmatrix-node >"$root/etc/hostname"
printf '127.0.0.1 localhost\n::1 localhost ip6-localhost\n' >"$root/etc/hosts"
passwd -R "$root" -l root >/dev/null
install -d -m 700 "$root/root/.ssh"

# SSH: root by key only, an ed25519 host key made at first boot (fast, even under TCG).
cat >"$root/etc/ssh/sshd_config.d/kvmatrix.conf" <<'CONF'
PermitRootLogin prohibit-password
PasswordAuthentication no
HostKey /etc/ssh/ssh_host_ed25519_key
UseDNS no
CONF
cat >"$root/etc/systemd/system/kvmatrix-host-keys.service" <<'UNIT'
[Unit]
Description=kvmatrix: make this machine's own SSH host key
Before=ssh.service
ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -q -t ed25519 -N "" -f /etc/ssh/ssh_host_ed25519_key

[Install]
WantedBy=multi-user.target
UNIT

# VMs: QEMU passes a per-machine identity script (host name, SSH keys, addresses) through
# fw_cfg (-fw_cfg name=opt/kvmatrix/identity,file=...); it runs before networking and sshd.
cat >"$root/usr/local/sbin/kvmatrix-fwcfg" <<'SH'
#!/bin/sh
f=/sys/firmware/qemu_fw_cfg/by_name/opt/kvmatrix/identity/raw
[ -e "$f" ] || modprobe qemu_fw_cfg 2>/dev/null || true
[ -e "$f" ] || exit 0
exec sh "$f"
SH
chmod 755 "$root/usr/local/sbin/kvmatrix-fwcfg"
cat >"$root/etc/systemd/system/kvmatrix-fwcfg.service" <<'UNIT'
[Unit]
Description=kvmatrix: apply the identity QEMU passes through fw_cfg
DefaultDependencies=no
After=local-fs.target
Before=network-pre.target systemd-networkd.service ssh.service kvmatrix-host-keys.service sysinit.target
Wants=network-pre.target
ConditionVirtualization=!container

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/kvmatrix-fwcfg

[Install]
WantedBy=sysinit.target
UNIT

# Units that break or leak into the host inside a node container are skipped there (and only
# there): udev (all nodes would share one MAC), gettys, kernel modules, sysctls (some are global
# and would change the host), remounts, binfmt.
for unit in systemd-udevd.service systemd-udev-trigger.service systemd-udev-settle.service \
  getty@.service serial-getty@.service console-getty.service systemd-modules-load.service \
  systemd-sysctl.service systemd-remount-fs.service proc-sys-fs-binfmt_misc.automount \
  systemd-networkd.service systemd-networkd-wait-online.service systemd-firstboot.service; do
  install -d "$root/etc/systemd/system/$unit.d"
  printf '[Unit]\nConditionVirtualization=!container\n' >"$root/etc/systemd/system/$unit.d/kvmatrix-container.conf"
done
# Periodic jobs only cost CPU on a test machine.
for unit in apt-daily.timer apt-daily-upgrade.timer man-db.timer e2scrub_all.timer fstrim.timer \
  getty@tty1.service; do
  ln -sf /dev/null "$root/etc/systemd/system/$unit"
done
# containerd is configured and started by the deployment code (its role sets, among others,
# restrict_oom_score_adj, which a node container needs); starting it unconfigured fails there.
chroot "$root" systemctl disable containerd.service >/dev/null 2>&1 || true
chroot "$root" systemctl enable kvmatrix-fwcfg.service kvmatrix-host-keys.service ssh.service systemd-networkd.service >/dev/null 2>&1

# VM networking: the first NIC (QEMU user-mode: SSH from the host, DNS) by DHCP; the private NIC
# is configured per machine over SSH right after boot or resume.
cat >"$root/etc/systemd/network/10-user.network" <<'NET'
[Match]
Name=eth0

[Network]
DHCP=ipv4
NET
echo 'nameserver 10.0.2.3' >"$root/etc/resolv.conf"
printf '/dev/vda / ext4 rw,noatime 0 1\n' >"$root/etc/fstab"
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/log/*.log "$root"/tmp/*

echo "build-node-image: packing"
tmp_out=$work/out
mkdir -p "$tmp_out"
# Container variant: no kernel, no modules, no /boot.
tar -C "$root" --numeric-owner --xattrs -cf "$tmp_out/rootfs.tar" \
  --exclude=./boot --exclude=./usr/lib/modules --exclude=./lib/modules --exclude=./proc/* \
  --exclude=./sys/* --exclude=./dev/* .
# VM variant: kernel and initrd beside an ext4 disk image of the whole tree.
cp -L "$root/vmlinuz" "$tmp_out/vmlinuz"
cp -L "$root/initrd.img" "$tmp_out/initrd.img"
chmod 644 "$tmp_out/vmlinuz" "$tmp_out/initrd.img"
truncate -s 4G "$work/disk.raw"
mkfs.ext4 -q -L root -d "$root" "$work/disk.raw"
qemu-img convert -O qcow2 "$work/disk.raw" "$tmp_out/disk.qcow2"
rm -f "$work/disk.raw"
# shellcheck disable=SC2016 # dpkg-query's own format
chroot "$root" dpkg-query -W -f='${Package} ${Version}\n' >"$tmp_out/packages.txt"

rm -rf "$out"
mv "$tmp_out" "$out"
echo "build-node-image: done: $out"
