import type { Cluster, ClusterStatus } from '../api/v1alpha1/cluster.ts';
import type { Machine } from '../api/v1alpha1/machine.ts';
import { ClusterFinalizer, LogTailAnnotation, OperationLockAnnotation } from '../api/v1alpha1/meta.ts';
import type { PodLike } from '../decisions/cluster-status.ts';
import {
  computeClusterStatus,
  deployedAfter,
  extractLogTail,
  runFromJob,
  upsertRun,
} from '../decisions/cluster-status.ts';
import { decideExecutor } from '../decisions/executor-policy.ts';
import { renderInventory } from '../decisions/inventory.ts';
import { type ObservedJob, observeJob, RecordedAnnotation } from '../decisions/observed-job.ts';
import { decideInstall, type RunPlan } from '../decisions/operation.ts';
import { buildInventoryConfigMap, buildPlaybookJob } from '../decisions/playbook-job.ts';
import { isAlreadyExists, isConflict, isNotFound } from '../runtime/api-error.ts';
import type { ReconcileResult } from '../runtime/controller.ts';
import { ByCluster, type OperatorContext, sameJson, splitKey } from './context.ts';
import { clustersType, configMapsType, jobsType, machinesType, podsType } from './resource-types.ts';

// A lock older than this whose Job never appeared was left by a crashed writer.
const staleLockMs = 120_000;

// install: decides the next operation from spec vs status (install, scale, remove-node, upgrade,
// reset on deletion), takes the per-cluster lock, writes the immutable inventory ConfigMap and
// starts the playbook Job; records the Job's outcome in the Cluster's status and on the Machines.
// Job names are deterministic, so a restarted operator finds (adopts) the Job it had started
// instead of starting another.
export async function reconcileInstall(
  ctx: OperatorContext,
  key: string,
): Promise<ReconcileResult | undefined> {
  const { namespace, name } = splitKey(key);
  let cluster = ctx.informers.clusters.get(namespace, name);
  if (!cluster) return undefined;

  if (!cluster.metadata.deletionTimestamp && !cluster.metadata.finalizers?.includes(ClusterFinalizer)) {
    cluster = await patchClusterMeta(ctx, cluster, {
      finalizers: [...(cluster.metadata.finalizers ?? []), ClusterFinalizer],
    });
  }

  // Scope: what this cluster claims and what it has run.
  const machines = ctx.informers.machines.byIndex(ByCluster, key);
  const sets = ctx.informers.machineSets.byIndex(ByCluster, key);
  const cd = ctx.informers.clusterDeployments.get(namespace, name);
  const allSetsBound =
    cd !== undefined &&
    sets.length === cd.spec.machineSets.length &&
    sets.every(
      (s) =>
        machines.filter(
          (m) => m.spec.claimRef?.machineSetUid === s.metadata.uid && !m.spec.claimRef?.releaseRequested,
        ).length === s.spec.replicas,
    );
  const jobs = ctx.informers.jobs.byIndex(ByCluster, key).map(observeJob);
  const action = decideInstall({ cluster, machines, allSetsBound, jobs });

  let base: Pick<ClusterStatus, 'nodes' | 'kubernetesVersion' | 'runs'> = {
    nodes: cluster.status?.nodes,
    kubernetesVersion: cluster.status?.kubernetesVersion,
    runs: cluster.status?.runs,
  };
  let requeue: ReconcileResult | undefined;
  switch (action.type) {
    case 'wait':
      base = { ...base, runs: upsertRun(base.runs, runFromJob(action.job)) };
      break;
    case 'record':
      base = await recordRun(ctx, cluster, machines, action.job);
      break;
    case 'start':
      cluster = await startRun(ctx, cluster, machines, action.plan);
      base = {
        ...base,
        runs: upsertRun(base.runs, {
          operation: action.plan.operation,
          attempt: action.plan.attempt,
          job: action.plan.jobName,
          target: action.plan.target,
          nodes: action.plan.nodes,
          startTime: ctx.now(),
          result: 'Running',
        }),
      };
      break;
    case 'remove-finalizer':
      await patchClusterMeta(ctx, cluster, {
        finalizers: (cluster.metadata.finalizers ?? []).filter((f) => f !== ClusterFinalizer),
      }).catch((error) => {
        if (!isNotFound(error)) throw error;
      });
      return undefined;
    case 'idle':
      if (action.reason === 'WaitingForMachines') requeue = { requeueAfterMs: 60_000 };
      break;
  }

  const status = computeClusterStatus(cluster, action, base, ctx.now());
  // status.addons belongs to the addons controller: compare only the fields computed here.
  const { addons: _addons, ...current } = cluster.status ?? {};
  if (!sameJson(status, current)) {
    cluster = await ctx.client.patchStatus<Cluster>(clustersType, namespace, name, { status });
    ctx.informers.clusters.mutate(cluster);
  }
  if (action.type === 'record') {
    // The Job itself is the durable record that its outcome was taken in; then free the lock.
    const job = ctx.informers.jobs.get(namespace, action.job.name);
    const updated = await ctx.client.patch(jobsType, namespace, action.job.name, {
      metadata: { annotations: { [RecordedAnnotation]: 'true' } },
    });
    if (job) ctx.informers.jobs.mutate(updated as typeof job);
  }
  // Free the lock once the Job it names is recorded (also when an earlier release failed).
  const held = lockJob(cluster);
  if (held && (action.type === 'record' || action.type === 'idle')) {
    const recorded =
      (action.type === 'record' && held === action.job.name) ||
      jobs.some((j) => j.name === held && j.recorded);
    if (recorded) await patchClusterMeta(ctx, cluster, { annotations: { [OperationLockAnnotation]: null } });
  }
  return action.type === 'record' ? { requeueAfterMs: 0 } : requeue;
}

function lockJob(cluster: Cluster): string | undefined {
  return cluster.metadata.annotations?.[OperationLockAnnotation]?.split('@')[0];
}

async function patchClusterMeta(
  ctx: OperatorContext,
  cluster: Cluster,
  metadata: Record<string, unknown>,
): Promise<Cluster> {
  const updated = await ctx.client.patch<Cluster>(
    clustersType,
    cluster.metadata.namespace,
    cluster.metadata.name,
    {
      metadata: { resourceVersion: cluster.metadata.resourceVersion, ...metadata },
    },
  );
  ctx.informers.clusters.mutate(updated);
  return updated;
}

async function startRun(
  ctx: OperatorContext,
  cluster: Cluster,
  machines: Machine[],
  plan: RunPlan,
): Promise<Cluster> {
  const namespace = cluster.metadata.namespace as string;
  // The lock: one annotation naming the Job, written with the resourceVersion we read. A second
  // writer (a stale cache, a second operator during a leader hand-over) gets 409 and re-decides.
  const held = cluster.metadata.annotations?.[OperationLockAnnotation];
  const [heldJob, heldSince] = (held ?? '').split('@');
  const heldByOther =
    held &&
    heldJob !== plan.jobName &&
    !ctx.informers.jobs.get(namespace, heldJob ?? '') &&
    Date.parse(heldSince ?? '') > Date.now() - staleLockMs;
  if (heldByOther) throw new Error(`operation lock held by ${held}`);
  if (heldJob !== plan.jobName) {
    try {
      cluster = await patchClusterMeta(ctx, cluster, {
        annotations: { [OperationLockAnnotation]: `${plan.jobName}@${ctx.now()}` },
      });
    } catch (error) {
      if (isConflict(error)) throw new Error('operation lock: the Cluster changed meanwhile; deciding again');
      throw error;
    }
  }
  // Refused before anything is written: no inventory, no Job, the reason in the log each retry.
  const decision = decideExecutor(cluster.spec, ctx.executor);
  if (!decision.allowed) throw new Error(`cluster ${namespace}/${cluster.metadata.name}: ${decision.reason}`);
  const choice = decision.choice;
  const inventory = renderInventory(cluster.spec, plan, machines);
  try {
    await ctx.client.create(configMapsType, namespace, buildInventoryConfigMap(cluster, plan, inventory));
  } catch (error) {
    if (!isAlreadyExists(error)) throw error; // immutable and named after the Job: same content
  }
  try {
    const job = await ctx.client.create(
      jobsType,
      namespace,
      buildPlaybookJob(cluster, plan, ctx.executor, choice),
    );
    ctx.informers.jobs.mutate(job as never);
    ctx.logger.info(
      `cluster ${namespace}/${cluster.metadata.name}: started ${plan.operation} Job ${plan.jobName}`,
    );
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
    ctx.logger.info(`cluster ${namespace}/${cluster.metadata.name}: adopted existing Job ${plan.jobName}`);
  }
  return cluster;
}

// Takes a finished Job's outcome into the Machines (deployment record) and returns the Cluster
// status fields after it. Idempotent: recording the same Job twice writes the same values.
async function recordRun(ctx: OperatorContext, cluster: Cluster, machines: Machine[], job: ObservedJob) {
  const namespace = cluster.metadata.namespace as string;
  let logTail: string | undefined;
  if (job.state === 'Failed') {
    const pods = await ctx.client.list<PodLike>(podsType, namespace, {
      labelSelector: `job-name=${job.name}`,
    });
    logTail = extractLogTail(pods.items, LogTailAnnotation);
  }
  if (job.state === 'Succeeded') {
    const deploys = job.operation === 'install' || job.operation === 'scale' || job.operation === 'upgrade';
    for (const machine of machines.filter((m) => job.nodes.includes(m.metadata.name))) {
      const deployment = deploys
        ? {
            clusterName: cluster.metadata.name,
            kubernetesVersion: job.kubernetesVersion,
            job: job.name,
            time: job.completionTime ?? ctx.now(),
          }
        : null;
      if (sameJson(deployment, machine.status?.deployment ?? null)) continue;
      try {
        ctx.informers.machines.mutate(
          await ctx.client.patchStatus<Machine>(machinesType, namespace, machine.metadata.name, {
            status: { deployment },
          }),
        );
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
  }
  ctx.logger.info(`cluster ${namespace}/${cluster.metadata.name}: Job ${job.name} ${job.state}`);
  return {
    ...deployedAfter(cluster.status, job),
    runs: upsertRun(cluster.status?.runs, runFromJob(job, logTail)),
  };
}
