import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { checkAggregatedApis } from './aggregated-apis.ts';
import { type Check, CheckFailure, eventually } from './check.ts';

function podReady(pod: V1Pod): boolean {
  if (pod.status?.phase === 'Succeeded') return true;
  return (
    pod.status?.phase === 'Running' &&
    (pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false)
  );
}

function describePods(pods: V1Pod[]): string {
  return pods
    .map((p) => {
      const waiting = p.status?.containerStatuses
        ?.map((c) => c.state?.waiting?.reason)
        .filter(Boolean)
        .join(',');
      return `${p.metadata?.name} on ${p.spec?.nodeName}: ${p.status?.phase}${waiting ? ` (${waiting})` : ''}`;
    })
    .join('\n');
}

// Every pod in kube-system is Running and Ready (or has Succeeded), CoreDNS among them, and the
// APIs those pods serve through the API server (metrics-server's metrics.k8s.io) answer.
export const systemPodsCheck: Check = {
  id: 'system-pods',
  title: 'all system pods Ready',
  async run(ctx) {
    const api = ctx.kubeConfig.makeApiClient(CoreV1Api);
    const pods = await eventually(ctx.signal, 300_000, async () => {
      const list = (await api.listNamespacedPod({ namespace: 'kube-system' })).items;
      const bad = list.filter((p) => !podReady(p));
      if (list.length === 0) throw new CheckFailure('kube-system has no pods');
      if (bad.length) {
        throw new CheckFailure(
          `${bad.length} of ${list.length} system pods not Ready: ${bad.map((p) => p.metadata?.name).join(', ')}`,
          describePods(list),
        );
      }
      if (!list.some((p) => p.metadata?.labels?.['k8s-app'] === 'kube-dns')) {
        throw new CheckFailure('no CoreDNS pod (k8s-app=kube-dns) in kube-system', describePods(list));
      }
      return list;
    });
    const apis = await checkAggregatedApis(ctx);
    return `${describePods(pods)}\n${apis}`;
  },
};
