import type { Cluster } from '../api/v1alpha1/cluster.ts';
import type { ClusterDeployment } from '../api/v1alpha1/cluster-deployment.ts';
import type { Machine } from '../api/v1alpha1/machine.ts';
import type { MachineSet } from '../api/v1alpha1/machine-set.ts';
import type { BatchJob } from '../decisions/observed-job.ts';
import type { ExecutorSettings } from '../decisions/playbook-job.ts';
import type { Informer } from '../runtime/informer.ts';
import type { KubeClient } from '../runtime/kube-client.ts';
import type { Logger } from '../runtime/logger.ts';
import type { WorkQueue } from '../runtime/work-queue.ts';

// Index names on the informers' caches.
export const ByClaimingSet = 'claimingSet'; // machines: "<ns>/<machineSet>"
export const ByCluster = 'cluster'; // machines, machine sets, jobs: "<ns>/<cluster>"
export const IdleInNamespace = 'idle'; // machines: "<ns>" for Idle machines

export interface Informers {
  clusterDeployments: Informer<ClusterDeployment>;
  machineSets: Informer<MachineSet>;
  machines: Informer<Machine>;
  clusters: Informer<Cluster>;
  jobs: Informer<BatchJob>;
}

export interface Queues {
  clusterDeployments: WorkQueue;
  machineSets: WorkQueue;
  machines: WorkQueue;
  install: WorkQueue;
  nodeHealth: WorkQueue;
  addons: WorkQueue;
}

// What every reconciler shares: the API client, the caches, the queues, the clock.
export interface OperatorContext {
  client: KubeClient;
  informers: Informers;
  queues: Queues;
  executor: ExecutorSettings;
  logger: Logger;
  now: () => string;
}

export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export { canonicalJson, sameJson } from '../decisions/canonical-json.ts';
