import { setTimeout as sleep } from 'node:timers/promises';
import type { MgmtKubectl } from './mgmt-kubectl.ts';
import { WORKLOAD_CLUSTER, WORKLOAD_NAMESPACE } from './operator-manifests.ts';

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

interface ClusterDeploymentView {
  metadata: { generation?: number };
  spec: { machineSets: Array<{ name: string; replicas: number }> };
  status?: {
    phase?: string;
    observedGeneration?: number;
    machineSets?: Array<{ name: string; replicas: number; boundReplicas: number; readyReplicas: number }>;
    conditions?: Condition[];
  };
}

interface ClusterView {
  status?: { runs?: Array<{ job: string; operation: string; result: string; logTail?: string }> };
}

export type WaitOutcome = { ok: true; summary: string } | { ok: false; message: string };

// One line saying where the ClusterDeployment stands (phase, sets, the condition that is not True).
export function describeClusterDeployment(cd: ClusterDeploymentView): string {
  const s = cd.status;
  const sets = (s?.machineSets ?? [])
    .map((m) => `${m.name} ${m.boundReplicas}/${m.replicas} bound ${m.readyReplicas} ready`)
    .join(', ');
  const waiting = (s?.conditions ?? []).find((c) => c.status !== 'True');
  return [
    `phase ${s?.phase ?? '-'}`,
    sets,
    waiting ? `${waiting.type}=${waiting.status} ${waiting.reason ?? ''}: ${waiting.message ?? ''}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

// Whether the operator has caught up with the current spec and calls the cluster Ready.
export function isSettledReady(cd: ClusterDeploymentView): boolean {
  const s = cd.status;
  if (s?.phase !== 'Ready') return false;
  if ((s.observedGeneration ?? 0) < (cd.metadata.generation ?? 0)) return false;
  return cd.spec.machineSets.every((want) => {
    const got = s.machineSets?.find((m) => m.name === want.name);
    return got !== undefined && got.readyReplicas === want.replicas && got.boundReplicas === want.replicas;
  });
}

// Polls the ClusterDeployment until it is Ready for its current generation, has Failed (with the
// log tail of the failed run), or the deadline passes.
export async function waitForClusterDeployment(
  k: MgmtKubectl,
  timeoutMs: number,
  onChange: (line: string) => void,
): Promise<WaitOutcome> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const cd = await k.getJson<ClusterDeploymentView>([
      'clusterdeployment',
      WORKLOAD_CLUSTER,
      '-n',
      WORKLOAD_NAMESPACE,
    ]);
    const line = cd ? describeClusterDeployment(cd) : 'not found';
    if (line !== last) onChange(line);
    last = line;
    if (cd && isSettledReady(cd)) return { ok: true, summary: line };
    if (
      cd?.status?.phase === 'Failed' &&
      (cd.status.observedGeneration ?? 0) >= (cd.metadata.generation ?? 0)
    ) {
      const cluster = await k.getJson<ClusterView>(['cluster', WORKLOAD_CLUSTER, '-n', WORKLOAD_NAMESPACE]);
      const run = cluster?.status?.runs?.filter((r) => r.result === 'Failed').at(-1);
      const tail = run?.logTail?.trim().split('\n').slice(-6).join(' | ') ?? '';
      return {
        ok: false,
        message: `the operator's ${run?.operation ?? 'playbook'} Job ${run?.job ?? ''} failed: ${tail || line}`,
      };
    }
    if (Date.now() > deadline) {
      return {
        ok: false,
        message: `ClusterDeployment not Ready after ${Math.round(timeoutMs / 60_000)} min: ${line}`,
      };
    }
    if (k.signal.aborted) return { ok: false, message: 'interrupted' };
    await sleep(5000, undefined, { signal: k.signal }).catch(() => {});
  }
}
