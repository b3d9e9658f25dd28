import { CoreV1Api, type V1Node } from '@kubernetes/client-node';
import { type Check, CheckFailure, eventually } from './check.ts';

function isReady(node: V1Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

function describeNodes(nodes: V1Node[]): string {
  return nodes
    .map((n) => {
      const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
      return `${n.metadata?.name}: Ready=${ready?.status ?? '?'} ${ready?.reason ?? ''} ${ready?.message ?? ''} kubelet=${n.status?.nodeInfo?.kubeletVersion} pods=${n.status?.capacity?.pods}`;
    })
    .join('\n');
}

// Exactly the layout's member nodes are registered, all Ready, all at the expected kubelet version.
export const nodesReadyCheck: Check = {
  id: 'nodes-ready',
  title: 'all nodes Ready',
  async run(ctx) {
    const api = ctx.kubeConfig.makeApiClient(CoreV1Api);
    const want = ctx.members
      .filter((n) => n.roles.some((r) => r !== 'etcd'))
      .map((n) => n.name)
      .sort();
    const kubelet = `v${ctx.expectedVersion.replace(/^v/, '')}`;
    const nodes = await eventually(ctx.signal, 300_000, async () => {
      const list = (await api.listNode()).items;
      const names = list.map((n) => n.metadata?.name ?? '').sort();
      if (names.join(',') !== want.join(',')) {
        throw new CheckFailure(
          `nodes are [${names.join(', ')}], expected [${want.join(', ')}]`,
          describeNodes(list),
        );
      }
      const notReady = list.filter((n) => !isReady(n));
      if (notReady.length) {
        throw new CheckFailure(
          `${notReady.length} of ${list.length} nodes not Ready: ${notReady.map((n) => n.metadata?.name).join(', ')}`,
          describeNodes(list),
        );
      }
      const stale = list.filter((n) => n.status?.nodeInfo?.kubeletVersion !== kubelet);
      if (stale.length) {
        throw new CheckFailure(
          `kubelet not at ${kubelet} on ${stale.map((n) => n.metadata?.name).join(', ')}`,
          describeNodes(list),
        );
      }
      const maxPods = ctx.vars.kubelet_max_pods;
      if (maxPods !== undefined) {
        const off = list.filter((n) => n.status?.capacity?.pods !== String(maxPods));
        if (off.length) {
          throw new CheckFailure(
            `kubelet_max_pods=${maxPods} not in effect on ${off.map((n) => `${n.metadata?.name} (pods=${n.status?.capacity?.pods})`).join(', ')}`,
            describeNodes(list),
          );
        }
      }
      return list;
    });
    return describeNodes(nodes);
  },
};
