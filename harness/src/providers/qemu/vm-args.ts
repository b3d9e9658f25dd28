import { createHash } from 'node:crypto';
import type { AccelChoice } from './accel-probe.ts';

export interface VmArgsInput {
  name: string;
  accel: AccelChoice;
  cpus: number;
  memoryMiB: number;
  kernel: string;
  initrd: string;
  disk: string;
  qmpSocket: string;
  // The host end of the guest agent's virtio-serial port (qemu-ga in the guest).
  agentSocket: string;
  consoleLog: string;
  pidFile: string;
  // Loopback port forwarded to the VM's SSH (QEMU user-mode networking on the first NIC).
  sshPort: number;
  // The run's tap on the private bridge; absent for the snapshot template (a placeholder backend).
  tap?: string;
  identityFile: string;
  incoming?: string;
}

// QEMU arguments of a node VM. The template and its clones must have the same devices (migration
// restores device state, not backends): only backends, files and ports differ between them.
export function vmArgs(input: VmArgsInput): string[] {
  const privateNet = input.tap
    ? `tap,id=net1,ifname=${input.tap},script=no,downscript=no`
    : 'user,id=net1,restrict=on';
  return [
    '-name',
    `kvmatrix-${input.name},debug-threads=off`,
    '-machine',
    'pc',
    ...input.accel.args,
    '-m',
    String(input.memoryMiB),
    '-smp',
    String(input.cpus),
    '-nodefaults',
    '-no-user-config',
    '-display',
    'none',
    '-kernel',
    input.kernel,
    '-initrd',
    input.initrd,
    '-append',
    'root=/dev/vda rw console=ttyS0 net.ifnames=0 quiet',
    '-drive',
    `file=${input.disk},if=virtio,id=disk0,format=qcow2,cache=unsafe,discard=unmap`,
    '-netdev',
    // restrict=on: SSH comes in through the forward, nothing goes out (offline, as the lab; the
    // artifact server is on the run's bridge). Without it, an address a node left untranslated
    // reached the lab network, which answers anything on ports 80 and 443.
    `user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:${input.sshPort}-:22`,
    '-device',
    'virtio-net-pci,netdev=net0,mac=52:54:00:6b:76:01',
    '-netdev',
    privateNet,
    '-device',
    'virtio-net-pci,netdev=net1,mac=52:54:00:6b:76:02',
    '-device',
    'virtio-rng-pci',
    // Free page reporting: the guest hands memory it frees back to the host, so a VM's resident
    // size follows what the guest uses, and the template's saved state holds only used pages.
    '-device',
    'virtio-balloon-pci,id=balloon0,free-page-reporting=on',
    '-device',
    'vmgenid,guid=auto',
    // The guest agent's port: a clone's identity goes in through it, not over SSH.
    '-chardev',
    `socket,id=qga0,path=${input.agentSocket},server=on,wait=off`,
    '-device',
    'virtio-serial-pci,id=vser0',
    '-device',
    'virtserialport,bus=vser0.0,chardev=qga0,name=org.qemu.guest_agent.0',
    '-fw_cfg',
    `name=opt/kvmatrix/identity,file=${input.identityFile}`,
    '-serial',
    `file:${input.consoleLog}`,
    '-qmp',
    `unix:${input.qmpSocket},server=on,wait=off`,
    '-pidfile',
    input.pidFile,
    ...(input.incoming ? ['-incoming', input.incoming] : []),
  ];
}

// A short hash of the VM's device layout: a template snapshot can only be resumed by a QEMU with
// the same devices, so it is keyed by this (files, ports and backends excluded).
export function vmLayoutHash(accel: AccelChoice, cpus: number, memoryMiB: number): string {
  const args = vmArgs({
    name: 'layout',
    accel,
    cpus,
    memoryMiB,
    kernel: 'k',
    initrd: 'i',
    disk: 'd',
    qmpSocket: 'q',
    agentSocket: 'a',
    consoleLog: 'c',
    pidFile: 'p',
    sshPort: 22,
    identityFile: 'f',
  });
  return createHash('sha256').update(args.join('\0')).digest('hex').slice(0, 8);
}
