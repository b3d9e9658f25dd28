// One VM's start on the KubeVirt lab (`kvmatrix lab up` first), every phase timed from the
// VirtualMachine's creation, beside the stand-in's figures of `bench kubevirt`: what the real
// virt-controller, virt-handler, virt-launcher and CDI clone cost on top of the harness. Skipped
// when no lab is up.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { labStateDir, readLabState } from '../src/lab/lab-state.ts';
import { KubevirtProvider } from '../src/providers/kubevirt/kubevirt-provider.ts';
import type { Print } from './bench.ts';

const phases = [
  'namespace',
  'datavolume-bound',
  'datavolume-ready',
  'vm-scheduled',
  'vmi-running',
  'vmi-ready',
  'ssh-ready',
  'cloud-init-done',
];

export async function benchKubevirtLab(print: Print): Promise<void> {
  if (!(await readLabState())) {
    print('skipped: no lab (kvmatrix lab up)');
    return;
  }
  const env = Object.fromEntries(
    (await readFile(labStateDir('lab.env'), 'utf8'))
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  const work = await mkdtemp(path.join(tmpdir(), 'kvm-kubevirt-lab-bench-'));
  const runId = `labbench-${Date.now().toString(36)}`;
  const id = { runId, cell: 'bench-lab' };
  const kv = new KubevirtProvider({
    kubeconfig: env.KVMATRIX_KUBECONFIG,
    runner: {
      namespace: env.KVMATRIX_RUNNER_NAMESPACE ?? 'gitlab-runner',
      name: env.KVMATRIX_RUNNER_POD ?? '',
    },
    readyTimeoutMs: 30 * 60_000,
  });
  try {
    const machines = [
      { name: 'm-0', roles: ['worker' as const], os: 'debian12', cpus: 2, memoryMiB: 2048, diskGiB: 20 },
    ];
    const started = Date.now();
    const up = await kv.up({ id, machines, stateDir: work, log: (line) => print(line) });
    print(`1 VM: up ${Date.now() - started} ms`);
    for (const phase of phases) {
      const p = up.phases.find((x) => x.phase === phase);
      print(`  ${phase}: ${p ? `${(p.durationMs / 1000).toFixed(1)} s` : 'not observed'}`);
    }
  } finally {
    const t = Date.now();
    await kv.down(id, work).catch((error: Error) => print(`down failed: ${error.message}`));
    print(`1 VM: down (namespace gone) ${Date.now() - t} ms`);
    await rm(work, { recursive: true, force: true });
  }
}
