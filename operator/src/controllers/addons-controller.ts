import { type KubernetesObject, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { type AddonStatus, type Cluster, ClusterProvisionedCondition } from '../api/v1alpha1/cluster.ts';
import { isConditionTrue } from '../api/v1alpha1/condition.ts';
import { addonHash, addonNeedsApply, parseAddonManifests } from '../decisions/addons.ts';
import { isNotFound } from '../runtime/api-error.ts';
import type { ReconcileResult } from '../runtime/controller.ts';
import { type OperatorContext, sameJson, splitKey } from './context.ts';
import { readKubeconfig } from './node-health-controller.ts';
import { clustersType, configMapsType } from './resource-types.ts';
import type { WorkloadClusters } from './workload-clusters.ts';

// addons: once a cluster is provisioned, applies each addon's manifests (a ConfigMap per addon)
// to the workload cluster by server-side apply, and again whenever the addon's version or
// manifests change. Writes only status.addons of the Cluster.
export async function reconcileAddons(
  ctx: OperatorContext,
  workloads: WorkloadClusters,
  key: string,
): Promise<ReconcileResult | undefined> {
  const { namespace, name } = splitKey(key);
  const cluster = ctx.informers.clusters.get(namespace, name);
  if (!cluster || cluster.metadata.deletionTimestamp) return undefined;
  const wanted = cluster.spec.addons ?? [];
  if (wanted.length === 0 || !isConditionTrue(cluster.status?.conditions, ClusterProvisionedCondition))
    return undefined;
  const kubeconfig = await readKubeconfig(ctx, namespace, name);
  if (!kubeconfig) return { requeueAfterMs: 15_000 };
  const workload = workloads.ensure(key, kubeconfig, () => ctx.queues.nodeHealth.add(key));
  const api = KubernetesObjectApi.makeApiClient(workload.kubeConfig);

  const previous = cluster.status?.addons ?? [];
  const next: AddonStatus[] = [];
  let failed = false;
  for (const addon of wanted) {
    let data: Record<string, string>;
    try {
      const cm = await ctx.client.get<{ data?: Record<string, string> }>(
        configMapsType,
        namespace,
        addon.manifestsConfigMap,
      );
      data = cm.data ?? {};
    } catch (error) {
      if (!isNotFound(error)) throw error;
      next.push({
        name: addon.name,
        version: addon.version,
        hash: '',
        result: 'Failed',
        message: `ConfigMap ${addon.manifestsConfigMap} not found`,
        time: ctx.now(),
      });
      failed = true;
      continue;
    }
    const hash = addonHash(addon, data);
    const old = previous.find((a) => a.name === addon.name);
    if (old && !addonNeedsApply(addon, hash, previous)) {
      next.push(old);
      continue;
    }
    try {
      for (const manifest of parseAddonManifests(data)) {
        await api.patch(
          manifest as unknown as KubernetesObject,
          undefined,
          undefined,
          'kvmatrix-operator',
          true,
          PatchStrategy.ServerSideApply,
        );
      }
      next.push({ name: addon.name, version: addon.version, hash, result: 'Applied', time: ctx.now() });
      ctx.logger.info(`cluster ${key}: applied addon ${addon.name}@${addon.version}`);
    } catch (error) {
      failed = true;
      const message = (error as { body?: { message?: string } }).body?.message ?? (error as Error).message;
      next.push({
        name: addon.name,
        version: addon.version,
        hash,
        result: 'Failed',
        message: message.slice(0, 1000),
        time: ctx.now(),
      });
    }
  }
  if (!sameJson(next, previous)) {
    ctx.informers.clusters.mutate(
      await ctx.client.patchStatus<Cluster>(clustersType, namespace, name, { status: { addons: next } }),
    );
  }
  return failed ? { requeueAfterMs: 30_000 } : undefined;
}
