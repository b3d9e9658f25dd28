// Object builders for the operator's tests: the smallest valid objects, overridable. The make*
// ones are as the operator reads them (unit tests); the *Object ones are what an integration test
// creates on the API server.
import type { Cluster } from '../src/api/v1alpha1/cluster.ts';
import type { ClusterDeployment } from '../src/api/v1alpha1/cluster-deployment.ts';
import type { Machine, MachinePhase } from '../src/api/v1alpha1/machine.ts';
import type { MachineSet } from '../src/api/v1alpha1/machine-set.ts';
import { API_VERSION, type MachineRole } from '../src/api/v1alpha1/meta.ts';
import type { ObservedJob } from '../src/decisions/observed-job.ts';

export const T0 = '2026-01-01T00:00:00Z';
export const T1 = '2026-01-01T00:05:00Z';

// The cluster every test object describes unless a test says otherwise.
const clusterDefaults = {
  kubernetesVersion: '1.34.4',
  etcd: { topology: 'stacked' },
  loadBalancer: { type: 'none' },
  networkPlugin: 'calico',
  containerRuntime: 'containerd',
} satisfies Partial<ClusterDeployment['spec']>;

export function makeMachine(
  name: string,
  options: {
    labels?: Record<string, string>;
    claim?: { set: string; cluster?: string; role?: MachineRole; uid?: string; releaseRequested?: boolean };
    deployed?: boolean;
    nodeReady?: boolean;
    phase?: MachinePhase;
  } = {},
): Machine {
  const claim = options.claim;
  return {
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-${name}`,
      resourceVersion: '10',
      generation: 1,
      labels: options.labels ?? { pool: 'a' },
    },
    spec: {
      address: `10.0.0.${name.length}`,
      sshUser: 'root',
      sshPort: 22,
      ...(claim
        ? {
            claimRef: {
              clusterName: claim.cluster ?? 'c1',
              machineSet: claim.set,
              machineSetUid: claim.uid ?? `uid-${claim.set}`,
              role: claim.role ?? 'worker',
              ...(claim.releaseRequested ? { releaseRequested: true } : {}),
            },
          }
        : {}),
    },
    status: {
      ...(options.phase ? { phase: options.phase } : {}),
      ...(options.deployed
        ? { deployment: { clusterName: 'c1', kubernetesVersion: '1.34.4', job: 'j', time: T0 } }
        : {}),
      ...(options.nodeReady !== undefined
        ? { node: { name, ready: options.nodeReady, reason: 'KubeletReady', message: '' } }
        : {}),
    },
  };
}

export function makeMachineSet(
  name: string,
  replicas: number,
  options: { role?: MachineRole; deleting?: boolean } = {},
): MachineSet {
  return {
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-${name}`,
      generation: 1,
      resourceVersion: '5',
      ...(options.deleting ? { deletionTimestamp: T0 } : {}),
    },
    spec: {
      clusterName: 'c1',
      role: options.role ?? 'worker',
      replicas,
      selector: { matchLabels: { pool: 'a' } },
    },
  };
}

export function makeClusterDeployment(overrides: Partial<ClusterDeployment['spec']> = {}): ClusterDeployment {
  return {
    metadata: { name: 'c1', namespace: 'ns', uid: 'uid-cd', generation: 2 },
    spec: {
      ...clusterDefaults,
      sshKeySecret: 'ssh',
      machineSets: [
        { name: 'cp', role: 'control-plane', replicas: 1, selector: { matchLabels: { pool: 'a' } } },
        { name: 'workers', role: 'worker', replicas: 2, selector: { matchLabels: { pool: 'a' } } },
      ],
      ...overrides,
    },
  };
}

export function makeCluster(
  status: Cluster['status'] = {},
  options: { deleting?: boolean; retry?: string; version?: string } = {},
): Cluster {
  return {
    metadata: {
      name: 'c1',
      namespace: 'ns',
      uid: 'uid-cluster',
      generation: 1,
      resourceVersion: '7',
      ...(options.retry ? { annotations: { 'kvmatrix.io/retry': options.retry } } : {}),
      ...(options.deleting ? { deletionTimestamp: T0 } : {}),
    },
    spec: {
      clusterDeployment: 'c1',
      ...clusterDefaults,
      kubernetesVersion: options.version ?? clusterDefaults.kubernetesVersion,
      sshKeySecret: 'ssh',
      artifacts: { url: 'http://10.0.0.1:8080', registry: '10.0.0.1:5000' },
    },
    status,
  };
}

export function makeJob(name: string, overrides: Partial<ObservedJob> = {}): ObservedJob {
  return {
    name,
    operation: 'install',
    attempt: 1,
    target: 'abcd1234',
    nodes: ['m1'],
    kubernetesVersion: '1.34.4',
    startTime: T0,
    state: 'Running',
    recorded: false,
    ...overrides,
  };
}

export function machineObject(name: string, labels: Record<string, string>, hostname?: string): Machine {
  return {
    apiVersion: API_VERSION,
    kind: 'Machine',
    metadata: { name, labels },
    spec: {
      address: `192.0.2.${(name.length * 7) % 250}`,
      sshUser: 'root',
      ...(hostname ? { hostname } : {}),
    },
  };
}

export function clusterDeploymentObject(
  name: string,
  sets: Array<{ name: string; role: 'control-plane' | 'worker' | 'etcd'; replicas: number; pool: string }>,
  extra: Partial<ClusterDeployment['spec']> = {},
): ClusterDeployment {
  return {
    apiVersion: API_VERSION,
    kind: 'ClusterDeployment',
    metadata: { name },
    spec: {
      ...clusterDefaults,
      sshKeySecret: 'cluster-ssh',
      artifacts: { url: 'http://192.0.2.1:8080', registry: '192.0.2.1:5000' },
      machineSets: sets.map((s) => ({
        name: s.name,
        role: s.role,
        replicas: s.replicas,
        selector: { matchLabels: { pool: s.pool } },
      })),
      ...extra,
    },
  };
}
