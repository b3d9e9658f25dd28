// The kubevirt provider's own overhead: `up` and `down` of 3- and 10-VM cells against a real
// kube-apiserver with the generated CRDs, the test stand-in playing virt-controller and CDI (60 ms
// per state change) and a real sshd on loopback. Real clusters add CDI's clone and the guests'
// boot on top; these figures are what the harness itself costs (API calls, watches, SSH checks).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { namespaceFor } from '../src/providers/kubevirt/identity.ts';
import { connectKube } from '../src/providers/kubevirt/kube-clients.ts';
import { KubevirtProvider } from '../src/providers/kubevirt/kubevirt-provider.ts';
import { startLocalSshd } from '../src/providers/kubevirt/test/local-sshd.ts';
import { startStandinController } from '../src/providers/kubevirt/test/standin-controller.ts';
import {
  applyManifest,
  createReadyDataSource,
  installCrds,
} from '../src/providers/kubevirt/test/test-cluster.ts';
import { startControlPlane } from '../src/testbed/control-plane.ts';
import type { Print } from './bench.ts';

export async function benchKubevirt(print: Print): Promise<void> {
  const plane = await startControlPlane({ progress: () => {} });
  const work = await mkdtemp(path.join(tmpdir(), 'kvm-kubevirt-bench-'));
  try {
    const clients = connectKube(plane.kubeconfig);
    let t = Date.now();
    await installCrds(clients.kc);
    print(`install the KubeVirt and CDI CRDs (31): ${Date.now() - t} ms`);
    const images = 'kvm-kubevirt-bench-images';
    await applyManifest(clients, 'vm-templates/rbac/cluster.yaml');
    await applyManifest(clients, 'vm-templates/golden-images/namespace.yaml', { 'kvmatrix-images': images });
    await createReadyDataSource(clients, images, 'kvmatrix-debian12');
    for (const size of [3, 10]) {
      const runId = `bench${size}-${Date.now().toString(36)}`;
      const stateDir = path.join(work, runId);
      const sshd = await startLocalSshd(path.join(stateDir, 'id_ed25519.pub'));
      const stop = startStandinController({ ...clients, namespace: namespaceFor({ runId, cell: 'b' }) });
      try {
        const kv = new KubevirtProvider({
          kubeconfig: plane.kubeconfig,
          imageNamespace: images,
          sshPort: sshd.port,
          readyTimeoutMs: 300_000,
        });
        const machines = Array.from({ length: size }, (_, i) => ({
          name: `m-${i}`,
          roles: ['worker' as const],
          os: 'debian12',
          cpus: 2,
          memoryMiB: 2048,
          diskGiB: 20,
        }));
        t = Date.now();
        const up = await kv.up({ id: { runId, cell: 'bench' }, machines, stateDir });
        const upMs = Date.now() - t;
        const ns = up.phases.find((p) => p.phase === 'namespace')?.durationMs ?? 0;
        const median = (phase: string) => {
          const values = up.phases
            .filter((p) => p.phase === phase)
            .map((p) => p.durationMs)
            .sort((a, b) => a - b);
          return values[Math.floor(values.length / 2)] ?? 0;
        };
        print(
          `${size} VMs: up ${upMs} ms (namespace+quota ${ns} ms; median per VM: datavolume-bound ${median('datavolume-bound')} ms, vmi-running ${median('vmi-running')} ms, ssh-ready ${median('ssh-ready')} ms, cloud-init-done ${median('cloud-init-done')} ms)`,
        );
        t = Date.now();
        await kv.down({ runId, cell: 'bench' }, stateDir);
        print(`${size} VMs: down (namespace gone) ${Date.now() - t} ms`);
      } finally {
        stop();
        await sshd.stop();
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
    await plane.stop();
  }
}
