import type { Machine } from '../api/v1alpha1/machine.ts';
import { nodeNameOf } from '../api/v1alpha1/machine.ts';
import { nodeFact } from '../decisions/node-health.ts';
import { isNotFound } from '../runtime/api-error.ts';
import type { ReconcileResult } from '../runtime/controller.ts';
import { ByCluster, type OperatorContext, sameJson, splitKey } from './context.ts';
import { machinesType, secretsType } from './resource-types.ts';
import type { WorkloadClusters } from './workload-clusters.ts';

// The workload cluster's admin kubeconfig, in cluster-api's convention: Secret "<cluster>-kubeconfig",
// key "value". The install run publishes it (the executor's last step); tests create it.
export function kubeconfigSecretName(cluster: string): string {
  return `${cluster}-kubeconfig`;
}

export async function readKubeconfig(
  ctx: OperatorContext,
  namespace: string,
  cluster: string,
): Promise<string | undefined> {
  try {
    const secret = await ctx.client.get<{ data?: Record<string, string> }>(
      secretsType,
      namespace,
      kubeconfigSecretName(cluster),
    );
    const value = secret.data?.value;
    return value ? Buffer.from(value, 'base64').toString('utf8') : undefined;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

// node health: watches the Nodes of each deployed cluster and records, on each deployed Machine,
// whether its Node is Ready; the Machine controller turns that into NodeHealthy and Ready.
export async function reconcileNodeHealth(
  ctx: OperatorContext,
  workloads: WorkloadClusters,
  key: string,
): Promise<ReconcileResult | undefined> {
  const { namespace, name } = splitKey(key);
  const cluster = ctx.informers.clusters.get(namespace, name);
  const deployed = ctx.informers.machines.byIndex(ByCluster, key).filter((m) => m.status?.deployment);
  if (!cluster || cluster.metadata.deletionTimestamp || deployed.length === 0) {
    workloads.stop(key);
    return undefined;
  }
  const kubeconfig = await readKubeconfig(ctx, namespace, name);
  if (!kubeconfig) return { requeueAfterMs: 15_000 };
  const workload = workloads.ensure(key, kubeconfig, () => ctx.queues.nodeHealth.add(key));
  if (!workload.nodes.hasSynced()) return { requeueAfterMs: 1_000 };
  for (const machine of deployed) {
    const fact = nodeFact(nodeNameOf(machine), workload.nodes.get(undefined, nodeNameOf(machine)));
    if (sameJson(fact, machine.status?.node)) continue;
    try {
      ctx.informers.machines.mutate(
        await ctx.client.patchStatus<Machine>(machinesType, namespace, machine.metadata.name, {
          status: { node: fact },
        }),
      );
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  // Node events wake this up; the periodic look at the Secret catches a rotated kubeconfig.
  return { requeueAfterMs: 60_000 };
}
