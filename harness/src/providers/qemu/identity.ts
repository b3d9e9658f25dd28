import { randomBytes } from 'node:crypto';

export interface Identity {
  hostname: string;
  authorizedKey: string;
  // The private NIC (eth1): its own MAC and address; absent for the template.
  mac?: string;
  address?: string;
  prefix?: number;
  hosts: Array<{ name: string; address: string }>;
  // Seconds since the epoch, to set the clock of a clone resumed from an old snapshot.
  clock?: number;
}

// A MAC per machine, in QEMU's locally administered range, derived from the address.
export function macFor(address: string): string {
  const [, , c = '0', d = '0'] = address.split('.');
  const hex = (n: string) => Number(n).toString(16).padStart(2, '0');
  return `52:54:6b:${hex(c)}:${hex(d)}:10`;
}

// A POSIX shell script that gives a machine its own identity: host name, /etc/hosts,
// machine-id, SSH host key, the run's key, the private NIC's MAC and address, the clock, fresh
// entropy. Runs at first boot (from fw_cfg) or over SSH right after a clone resumes.
export function identityScript(id: Identity): string {
  const hosts = ['127.0.0.1 localhost', '::1 localhost ip6-localhost', `127.0.1.1 ${id.hostname}`]
    .concat(id.hosts.map((h) => `${h.address} ${h.name}`))
    .join('\n');
  const lines = [
    'set -e',
    `echo ${randomBytes(64).toString('hex')} > /dev/urandom`,
    ...(id.clock ? [`date -u -s @${id.clock} >/dev/null`] : []),
    `echo ${id.hostname} > /etc/hostname`,
    `hostname ${id.hostname}`,
    `cat > /etc/hosts <<'KVMATRIX_EOF'\n${hosts}\nKVMATRIX_EOF`,
    'rm -f /etc/machine-id /var/lib/dbus/machine-id 2>/dev/null || true',
    'systemd-machine-id-setup >/dev/null 2>&1 || true',
    'rm -f /etc/ssh/ssh_host_*',
    "ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key",
    'install -d -m 700 /root/.ssh',
    `echo '${id.authorizedKey}' > /root/.ssh/authorized_keys`,
    'chmod 600 /root/.ssh/authorized_keys',
  ];
  if (id.address && id.mac) {
    lines.push(
      `cat > /etc/systemd/network/20-private.network <<'KVMATRIX_EOF'\n[Match]\nName=eth1\n\n[Link]\nMACAddress=${id.mac}\n\n[Network]\nAddress=${id.address}/${id.prefix ?? 24}\nKVMATRIX_EOF`,
      'if [ -e /sys/class/net/eth1 ]; then',
      '  ip link set eth1 down',
      `  ip link set eth1 address ${id.mac}`,
      '  ip addr flush dev eth1',
      `  ip addr add ${id.address}/${id.prefix ?? 24} dev eth1`,
      '  ip link set eth1 up',
      'fi',
    );
  }
  // SIGHUP makes sshd re-execute itself with the new host key: cheaper under emulation than a
  // restart (whose ExecStartPre runs `sshd -t` and which starts the daemon twice over).
  lines.push(
    'pid=$(systemctl show -p MainPID --value ssh 2>/dev/null) || pid=0',
    'if [ -d /run/systemd/system ] && [ "$pid" -gt 0 ] 2>/dev/null; then kill -HUP "$pid"; fi',
  );
  return `${lines.join('\n')}\n`;
}
