import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isManaged } from '../contracts/machine.ts';
import { sshRun } from '../host/ssh.ts';
import { sshTargetOf } from '../providers/provider.ts';
import type { MgmtKubectl } from './mgmt-kubectl.ts';
import { WORKLOAD_CLUSTER, WORKLOAD_NAMESPACE } from './operator-manifests.ts';
import type { OperatorStepContext } from './operator-step-context.ts';

interface MachineView {
  metadata: { name: string };
  spec: { claimRef?: unknown };
  status?: { phase?: string; deployment?: unknown };
}

// What a machine still carries of Kubernetes after the operator's reset (empty when clean).
const LEFTOVER_PROBE =
  'for f in /etc/kubernetes/admin.conf /etc/kubernetes/kubelet.conf /etc/kubernetes/manifests/kube-apiserver.yaml; do [ -e "$f" ] && echo "$f"; done; systemctl is-active --quiet kubelet && echo "kubelet active"; true';

// A machine is released when nothing claims it any more and no deployment is recorded on it.
export function isReleased(machine: MachineView): boolean {
  return !machine.spec.claimRef && !machine.status?.deployment && machine.status?.phase === 'Idle';
}

// operator-delete: deletes the ClusterDeployment and waits until the operator has reset the nodes
// (its reset Job), let the Cluster go and released every Machine to Idle; then looks on the
// machines themselves for what a reset must remove.
export async function deleteWorkload(
  ctx: OperatorStepContext,
  k: MgmtKubectl,
  note: (line: string) => void,
): Promise<{ ok: true } | { ok: false; message: string }> {
  await k.run(['delete', 'clusterdeployment', WORKLOAD_CLUSTER, '-n', WORKLOAD_NAMESPACE, '--wait=false']);
  note(
    `deleted ClusterDeployment ${WORKLOAD_CLUSTER}; waiting for the reset and the release of its machines`,
  );
  const deadline = Date.now() + Math.max(60_000, ctx.timeoutMs - 60_000);
  let last = '';
  for (;;) {
    const cluster = await k.getJson<{ metadata: { finalizers?: string[] } }>([
      'cluster',
      WORKLOAD_CLUSTER,
      '-n',
      WORKLOAD_NAMESPACE,
    ]);
    const machines =
      (await k.getJson<{ items: MachineView[] }>(['machines', '-n', WORKLOAD_NAMESPACE]))?.items ?? [];
    const held = machines
      .filter((m) => !isReleased(m))
      .map((m) => `${m.metadata.name} ${m.status?.phase ?? '-'}`);
    const line = `Cluster ${cluster ? 'present' : 'gone'}; machines not released: ${held.join(', ') || 'none'}`;
    if (line !== last) note(line);
    last = line;
    await copyResetLogs(ctx, k);
    if (!cluster && held.length === 0) break;
    if (ctx.signal.aborted) return { ok: false, message: 'interrupted' };
    if (Date.now() > deadline) return { ok: false, message: `the operator did not finish deleting: ${line}` };
    await sleep(5000, undefined, { signal: ctx.signal }).catch(() => {});
  }
  const dirty: string[] = [];
  for (const node of ctx.nodes.filter(isManaged)) {
    const machine = ctx.machines.find((m) => m.name === node.name);
    if (!machine) continue;
    const r = await sshRun(sshTargetOf(machine), LEFTOVER_PROBE, { timeoutMs: 30_000 });
    const found = r.stdout.trim();
    if (r.exitCode !== 0) dirty.push(`${node.name}: ssh failed (${r.exitCode})`);
    else if (found) dirty.push(`${node.name}: ${found.split('\n').join(', ')}`);
  }
  if (dirty.length) return { ok: false, message: `machines released but not reset: ${dirty.join('; ')}` };
  note('every machine is Idle and carries no kubelet, kubeconfig or control-plane manifest');
  return { ok: true };
}

// The reset Job is owned by the Cluster, which the garbage collector removes right after the
// operator lets it go: its log is copied while the Job exists (overwritten on every poll).
async function copyResetLogs(ctx: OperatorStepContext, k: MgmtKubectl): Promise<void> {
  const base = `${String(ctx.stepIndex + 1).padStart(2, '0')}-${ctx.step.id}`;
  const jobs = await k
    .run(['get', 'jobs', '-n', WORKLOAD_NAMESPACE, '-o', 'name'])
    .then((out) => out.split('\n').filter((j) => j.includes('-reset-')))
    .catch(() => [] as string[]);
  for (const job of jobs) {
    const text = await k.run(['logs', '-n', WORKLOAD_NAMESPACE, job, '--tail=-1']).catch(() => '');
    if (text) await writeFile(path.join(ctx.logDir, `${base}.${job.replace(/^.*\//, '')}.log`), text);
  }
}
