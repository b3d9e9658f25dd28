import { readFile } from 'node:fs/promises';
import type { MachineSpec } from '../../contracts/machine.ts';
import { LABEL_MACHINE } from '../../host/labels.ts';

export function containerName(runId: string, machine: string): string {
  return `kvm-${runId}-${machine}`;
}

export function volumeName(runId: string, machine: string): string {
  return `kvm-${runId}-${machine}-containerd`;
}

// The limits a node container gets: never above this process's hard limits (raising them is not
// permitted here: no CAP_SYS_RESOURCE). nproc is capped at 32768, the highest runc could set on
// these hosts (podman's conmon runs with 32768; 48000 failed with "error setting rlimit type 6").
export async function hardLimits(): Promise<{ nofile: number; nproc: number }> {
  const text = await readFile('/proc/self/limits', 'utf8');
  const hard = (label: string, fallback: number) => {
    const line = text.split('\n').find((l) => l.startsWith(label));
    const value = line?.slice(26).trim().split(/\s+/)[1];
    return value === undefined || value === 'unlimited' ? fallback : Number(value);
  };
  return {
    nofile: Math.min(hard('Max open files', 1_048_576), 1_048_576),
    nproc: Math.min(hard('Max processes', 32_768), 32_768),
  };
}

export interface NodeContainerInput {
  runId: string;
  machine: MachineSpec;
  address: string;
  network: string;
  image: string;
  authorizedKeysFile: string;
  hosts: Array<{ name: string; address: string }>;
  labels: Record<string, string>;
  limits: { nofile: number; nproc: number };
}

// `podman run` arguments of one node: a privileged system container running systemd, as kind
// makes its nodes, with what MACHINE-NOTES measured as needed on these hosts (runc, private
// cgroupns, explicit ulimits, a volume for containerd's overlayfs snapshots).
export function nodeContainerArgs(input: NodeContainerInput): string[] {
  const { runId, machine } = input;
  const labels = { ...input.labels, [LABEL_MACHINE]: machine.name };
  return [
    'run',
    '--detach',
    '--name',
    containerName(runId, machine.name),
    '--hostname',
    machine.name,
    '--network',
    input.network,
    '--ip',
    input.address,
    '--privileged',
    '--runtime',
    'runc',
    '--cgroupns=private',
    '--systemd=always',
    '--tmpfs',
    '/run:rw,exec,mode=755',
    '--tmpfs',
    '/tmp:rw,exec,mode=1777',
    '--ulimit',
    `nofile=${input.limits.nofile}:${input.limits.nofile}`,
    '--ulimit',
    `nproc=${input.limits.nproc}:${input.limits.nproc}`,
    '--pids-limit=0',
    '--stop-signal',
    'SIGRTMIN+3',
    '--volume',
    `${volumeName(runId, machine.name)}:/var/lib/containerd`,
    '--volume',
    `${input.authorizedKeysFile}:/root/.ssh/authorized_keys:ro`,
    ...input.hosts.flatMap((h) => ['--add-host', `${h.name}:${h.address}`]),
    ...Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
    input.image,
  ];
}
