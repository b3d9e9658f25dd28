import { createHash } from 'node:crypto';
import type { Cluster, Operation } from '../api/v1alpha1/cluster.ts';
import type { Machine } from '../api/v1alpha1/machine.ts';
import { RetryAnnotation } from '../api/v1alpha1/meta.ts';
import type { ObservedJob } from './observed-job.ts';

export interface RunPlan {
  operation: Operation;
  // The nodes the operation is about (new nodes for scale, leaving nodes for remove-node).
  nodes: string[];
  // The machines written into the inventory.
  inventoryMachines: string[];
  // --limit for the playbook (scale: the new nodes plus the control plane the playbook needs).
  limit?: string[];
  kubernetesVersion: string;
  previousVersion?: string;
  target: string;
  attempt: number;
  jobName: string;
}

export type InstallAction =
  | { type: 'wait'; job: ObservedJob }
  | { type: 'record'; job: ObservedJob }
  | { type: 'start'; plan: RunPlan }
  | { type: 'idle'; reason: 'UpToDate' | 'WaitingForMachines' | 'Failed'; message: string }
  | { type: 'remove-finalizer' };

export interface InstallInput {
  cluster: Cluster;
  // Machines whose claimRef names this cluster.
  machines: Machine[];
  // Every MachineSet of the cluster has all its replicas bound.
  allSetsBound: boolean;
  jobs: ObservedJob[];
}

export function targetHash(operation: Operation, version: string, nodes: string[]): string {
  const text = JSON.stringify([operation, version, [...nodes].sort()]);
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

// Deterministic: the same decision after a restart yields the same name, so a second create of
// the same run fails with AlreadyExists instead of starting a second Job.
export function jobNameFor(cluster: string, operation: Operation, target: string, attempt: number): string {
  return `${cluster.slice(0, 30).replace(/-+$/, '')}-${operation}-${target}-${attempt}`;
}

const byName = (a: string, b: string) => a.localeCompare(b);

// Decides the one next thing to do for a cluster from its spec, its status, the machines it
// claims and the Jobs it has run. Pure.
export function decideInstall(input: InstallInput): InstallAction {
  const { cluster, machines, jobs } = input;
  const running = jobs.find((j) => j.state === 'Running');
  if (running) return { type: 'wait', job: running };
  const unrecorded = jobs
    .filter((j) => !j.recorded)
    .sort((a, b) => (a.startTime || '').localeCompare(b.startTime || ''))[0];
  if (unrecorded) return { type: 'record', job: unrecorded };

  const deployed = [...(cluster.status?.nodes ?? [])].sort(byName);
  const spec = cluster.spec;
  let operation: Operation;
  let nodes: string[];
  let inventoryMachines: string[];
  let limit: string[] | undefined;
  let previousVersion: string | undefined;
  if (cluster.metadata.deletionTimestamp) {
    if (deployed.length === 0) return { type: 'remove-finalizer' };
    operation = 'reset';
    nodes = deployed;
    inventoryMachines = deployed;
  } else {
    const desired = machines
      .filter((m) => !m.spec.claimRef?.releaseRequested)
      .map((m) => m.metadata.name)
      .sort(byName);
    const removed = deployed.filter((n) => !desired.includes(n));
    const added = desired.filter((n) => !deployed.includes(n));
    if (deployed.length === 0) {
      if (!input.allSetsBound || desired.length === 0) {
        return {
          type: 'idle',
          reason: 'WaitingForMachines',
          message: 'waiting for every MachineSet to bind its machines',
        };
      }
      operation = 'install';
      nodes = desired;
      inventoryMachines = desired;
    } else if (removed.length > 0) {
      operation = 'remove-node';
      nodes = removed;
      inventoryMachines = deployed;
    } else if (added.length > 0) {
      if (!input.allSetsBound) {
        return {
          type: 'idle',
          reason: 'WaitingForMachines',
          message: 'waiting for the new machines to be bound',
        };
      }
      operation = 'scale';
      nodes = added;
      inventoryMachines = desired;
      const controlPlane = machines
        .filter((m) => m.spec.claimRef?.role === 'control-plane')
        .map((m) => m.metadata.name);
      limit = [...new Set([...added, ...controlPlane.filter((n) => deployed.includes(n))])].sort(byName);
    } else if ((cluster.status?.kubernetesVersion ?? spec.kubernetesVersion) !== spec.kubernetesVersion) {
      operation = 'upgrade';
      nodes = deployed;
      inventoryMachines = deployed;
      previousVersion = cluster.status?.kubernetesVersion;
    } else {
      return {
        type: 'idle',
        reason: 'UpToDate',
        message: `Kubernetes ${spec.kubernetesVersion} on ${deployed.length} nodes`,
      };
    }
  }

  const target = targetHash(operation, spec.kubernetesVersion, nodes);
  const previous = jobs.filter((j) => j.target === target);
  const failures = previous.filter((j) => j.state === 'Failed').length;
  // Failed runs are not retried on their own (backoffLimit 0 and no loop): one more attempt is
  // allowed each time the retry annotation is raised.
  const budget = 1 + Math.max(0, Number(cluster.metadata.annotations?.[RetryAnnotation] ?? '0') || 0);
  if (failures >= budget) {
    const last = previous.sort((a, b) => b.attempt - a.attempt)[0];
    return {
      type: 'idle',
      reason: 'Failed',
      message: `${operation} failed in Job ${last?.name}; raise the ${RetryAnnotation} annotation to try again`,
    };
  }
  const attempt = previous.reduce((max, j) => Math.max(max, j.attempt), 0) + 1;
  return {
    type: 'start',
    plan: {
      operation,
      nodes,
      inventoryMachines,
      ...(limit ? { limit } : {}),
      kubernetesVersion: spec.kubernetesVersion,
      ...(previousVersion ? { previousVersion } : {}),
      target,
      attempt,
      jobName: jobNameFor(cluster.metadata.name, operation, target, attempt),
    },
  };
}
