import type { Cluster } from '../api/v1alpha1/cluster.ts';
import type { ClusterDeployment } from '../api/v1alpha1/cluster-deployment.ts';
import type { MachineSet } from '../api/v1alpha1/machine-set.ts';
import {
  childNeedsUpdate,
  computeClusterDeploymentStatus,
  desiredCluster,
  desiredMachineSets,
} from '../decisions/cluster-deployment.ts';
import { isAlreadyExists, isNotFound } from '../runtime/api-error.ts';
import type { ReconcileResult } from '../runtime/controller.ts';
import { type Phase, runPhases } from '../runtime/phases.ts';
import { ByCluster, type OperatorContext, sameJson, splitKey } from './context.ts';
import { clusterDeploymentsType, clustersType, machineSetsType } from './resource-types.ts';

// What one reconcile of a ClusterDeployment works on: the object and the children it owns, read
// once from the informer caches.
interface ClusterDeploymentScope {
  ctx: OperatorContext;
  namespace: string;
  name: string;
  cd: ClusterDeployment;
  sets: MachineSet[];
  cluster: Cluster | undefined;
}

// The phases of a live ClusterDeployment, in order. They write children, never status.
const PHASES: ReadonlyArray<Phase<ClusterDeploymentScope>> = [ensureMachineSets, ensureCluster];

// ClusterDeployment -> its MachineSets and its Cluster. The children carry a controller
// ownerReference, so the garbage collector deletes them with it: no finalizer is needed here (the
// MachineSets and the Cluster hold their own finalizers for releasing machines and resetting nodes).
// Get -> scope -> phases -> one status patch (also when a phase threw).
export async function reconcileClusterDeployment(
  ctx: OperatorContext,
  key: string,
): Promise<ReconcileResult | undefined> {
  const { namespace, name } = splitKey(key);
  const cd = ctx.informers.clusterDeployments.get(namespace, name);
  if (!cd) return undefined;
  const owned = (o: { metadata: { ownerReferences?: Array<{ uid: string }> } }) =>
    o.metadata.ownerReferences?.some((r) => r.uid === cd.metadata.uid) ?? false;
  const cluster = ctx.informers.clusters.get(namespace, name);
  const scope: ClusterDeploymentScope = {
    ctx,
    namespace,
    name,
    cd,
    sets: ctx.informers.machineSets.byIndex(ByCluster, key).filter(owned),
    cluster: cluster && owned(cluster) ? cluster : undefined,
  };
  await runPhases(scope, cd.metadata.deletionTimestamp ? [] : PHASES, patchClusterDeploymentStatus, (error) =>
    ctx.logger.error(`clusterdeployment ${key}: status patch after a failed phase: ${String(error)}`),
  );
  return undefined;
}

// The one writer of ClusterDeployment status: computed in one place from the scope, patched only
// when it changed.
async function patchClusterDeploymentStatus(scope: ClusterDeploymentScope): Promise<void> {
  const { ctx, cd, namespace, name } = scope;
  const status = computeClusterDeploymentStatus(cd, scope.sets, scope.cluster, ctx.now());
  if (sameJson(status, cd.status)) return;
  try {
    const updated = await ctx.client.patchStatus<ClusterDeployment>(clusterDeploymentsType, namespace, name, {
      status,
    });
    ctx.informers.clusterDeployments.mutate(updated);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

async function ensureMachineSets({ ctx, cd, sets: existing }: ClusterDeploymentScope): Promise<void> {
  const namespace = cd.metadata.namespace as string;
  const desired = desiredMachineSets(cd);
  for (const want of desired) {
    const have = existing.find((s) => s.metadata.name === want.metadata.name);
    if (!have) {
      try {
        ctx.informers.machineSets.mutate(
          await ctx.client.create<MachineSet>(machineSetsType, namespace, want),
        );
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
      }
    } else if (childNeedsUpdate(have, want)) {
      // PUT with the cached resourceVersion: a stale cache gets 409 and a retry, never a lost write.
      const updated = await ctx.client.update<MachineSet>(machineSetsType, namespace, want.metadata.name, {
        ...have,
        spec: want.spec,
      });
      ctx.informers.machineSets.mutate(updated);
    }
  }
  for (const have of existing) {
    if (desired.some((d) => d.metadata.name === have.metadata.name) || have.metadata.deletionTimestamp)
      continue;
    try {
      await ctx.client.delete(machineSetsType, namespace, have.metadata.name, {
        propagationPolicy: 'Background',
      });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}

async function ensureCluster({ ctx, cd, cluster: existing }: ClusterDeploymentScope): Promise<void> {
  const namespace = cd.metadata.namespace as string;
  const want = desiredCluster(cd);
  if (!existing) {
    try {
      ctx.informers.clusters.mutate(await ctx.client.create<Cluster>(clustersType, namespace, want));
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
    }
    return;
  }
  if (childNeedsUpdate(existing, want)) {
    const updated = await ctx.client.update<Cluster>(clustersType, namespace, want.metadata.name, {
      ...existing,
      metadata: {
        ...existing.metadata,
        annotations: { ...existing.metadata.annotations, ...want.metadata.annotations },
      },
      spec: want.spec,
    });
    ctx.informers.clusters.mutate(updated);
  }
}
