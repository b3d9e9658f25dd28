import type { MachineSpec } from '../../contracts/machine.ts';
import type { KubeObject } from './api-resources.ts';

// Headroom per VM for the virt-launcher pod beside the guest's memory (QEMU, libvirt, the
// guest-console-log container); KubeVirt adds roughly 200-300 MiB itself.
export const launcherOverheadMiB = 512;

// The ResourceQuota of a job namespace: what the cell's machines need and nothing more, so a
// runaway job cannot take the cluster. Storage counts twice: while CDI populates a disk the
// target PVC and its temporary "prime" PVC both hold a request in this namespace.
// Creating it is followed by waiting for its status (job-namespace.ts).
export function renderResourceQuota(
  namespace: string,
  labels: Record<string, string>,
  machines: MachineSpec[],
): KubeObject {
  const cpus = machines.reduce((sum, m) => sum + m.cpus, 0);
  const memoryMiB = machines.reduce((sum, m) => sum + m.memoryMiB + launcherOverheadMiB, 0);
  const diskGiB = machines.reduce((sum, m) => sum + m.diskGiB, 0);
  const n = machines.length;
  return {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name: 'kvmatrix', namespace, labels },
    spec: {
      hard: {
        'requests.cpu': String(cpus),
        'requests.memory': `${memoryMiB}Mi`,
        'requests.storage': `${2 * diskGiB}Gi`,
        persistentvolumeclaims: String(2 * n),
        // virt-launcher pods plus CDI's clone/import worker pods. No count/virtualmachines: the
        // API server refuses every VM until the quota controller has discovered the CRD and
        // counted it, which took over a minute on a fresh control plane; pods cap VMs anyway.
        pods: String(3 * n),
      },
    },
  };
}
