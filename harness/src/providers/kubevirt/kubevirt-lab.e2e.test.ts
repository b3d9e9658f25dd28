import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunIdentity } from '../../contracts/machine.ts';
import { labStateDir } from '../../lab/lab-state.ts';
import { namespaceFor } from './identity.ts';
import { connectKube, isNotFound } from './kube-clients.ts';
import { KubevirtProvider } from './kubevirt-provider.ts';
import { runSsh } from './ssh-ready.ts';

// The provider against the real KubeVirt and CDI of `kvmatrix lab up` (nothing stood in): as the
// runner's service account (vm-templates/rbac), owned by the lab's runner pod, one VM cloned from
// the golden image, a real SSH login and cloud-init, then `down` leaves no namespace. Off unless
// KVMATRIX_TEST_KUBEVIRT_LAB=1 and a lab is up (a VM under software emulation takes minutes).
const envFile = labStateDir('lab.env');
const enabled = process.env.KVMATRIX_TEST_KUBEVIRT_LAB === '1' && existsSync(envFile);
const labEnv = (): Record<string, string> =>
  Object.fromEntries(
    readFileSync(envFile, 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

describe.skipIf(!enabled)('KubevirtProvider on the KubeVirt lab', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it(
    'brings one VM to SSH and cloud-init through real KubeVirt and CDI, and down removes it all',
    async () => {
      const env = labEnv();
      const kubeconfig = env.KVMATRIX_KUBECONFIG ?? '';
      const runner = { namespace: env.KVMATRIX_RUNNER_NAMESPACE ?? '', name: env.KVMATRIX_RUNNER_POD ?? '' };
      const provider = new KubevirtProvider({ kubeconfig, runner, readyTimeoutMs: 30 * 60_000 });
      const stateDir = await mkdtemp(path.join(tmpdir(), 'kvm-kubevirt-lab-'));
      const id: RunIdentity = { runId: `lab${Date.now().toString(36)}`, cell: 'kubevirt-lab-e2e' };
      cleanups.push(async () => {
        await provider.down(id, stateDir).catch(() => {});
        await rm(stateDir, { recursive: true, force: true });
      });
      const machines = [
        { name: 'vm1', roles: ['worker' as const], os: 'debian12', cpus: 2, memoryMiB: 2048, diskGiB: 20 },
      ];
      const up = await provider.up({ id, machines, stateDir });
      const [vm] = up.machines;
      expect(vm?.address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      for (const phase of ['datavolume-bound', 'vmi-running', 'vmi-ready', 'ssh-ready', 'cloud-init-done']) {
        expect(up.phases.map((p) => p.phase)).toContain(phase);
      }
      const hostname = await runSsh(
        { host: vm?.sshHost ?? '', port: vm?.sshPort ?? 22, user: 'root', keyFile: vm?.sshKeyFile ?? '' },
        'hostname',
        30_000,
      );
      expect(String(hostname.stdout).trim()).toBe('vm1');

      await provider.down(id, stateDir);
      const clients = connectKube(kubeconfig);
      const gone = await clients.core.readNamespace({ name: namespaceFor(id) }).then(
        () => false,
        (error: unknown) => isNotFound(error),
      );
      expect(gone).toBe(true);
    },
    40 * 60_000,
  );
});
