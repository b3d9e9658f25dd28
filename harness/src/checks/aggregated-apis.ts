import { ApiregistrationV1Api, CustomObjectsApi, type V1APIService } from '@kubernetes/client-node';
import { type CheckContext, CheckFailure, eventually } from './check.ts';

function availableCondition(service: V1APIService) {
  return service.status?.conditions?.find((c) => c.type === 'Available');
}

function isAvailable(service: V1APIService): boolean {
  return availableCondition(service)?.status === 'True';
}

function describeServices(services: V1APIService[]): string {
  return services
    .map((s) => {
      const available = availableCondition(s);
      return `${s.metadata?.name} -> ${s.spec?.service?.namespace}/${s.spec?.service?.name}: Available=${available?.status ?? '?'} ${available?.reason ?? ''} ${available?.message ?? ''}`;
    })
    .join('\n');
}

// `name (Reason: message)`: the reason says which side failed (MissingEndpoints: no ready pod;
// FailedDiscoveryCheck: the API server reached something that did not answer as the API).
function describeDown(service: V1APIService): string {
  const available = availableCondition(service);
  const why = [available?.reason, available?.message].filter(Boolean).join(': ');
  return why ? `${service.metadata?.name} (${why})` : `${service.metadata?.name}`;
}

interface NodeMetrics {
  metadata?: { name?: string };
  usage?: { cpu?: string; memory?: string };
}

const metricsApiService = 'v1beta1.metrics.k8s.io';

// The APIs system pods serve through the API server are usable: every APIService backed by a
// Service (an aggregated API, e.g. metrics-server's metrics.k8s.io) is Available, and when the
// resource metrics API is registered it reports usage for every member node (`kubectl top nodes`).
// A cluster without aggregated APIs passes with nothing to say. Polls: metrics-server needs two
// scrapes of a kubelet (about 30 s after it or the kubelet started) before a node has figures.
export async function checkAggregatedApis(ctx: CheckContext, timeoutMs = 300_000): Promise<string> {
  const registration = ctx.kubeConfig.makeApiClient(ApiregistrationV1Api);
  const services = await eventually(ctx.signal, timeoutMs, async () => {
    const aggregated = (await registration.listAPIService()).items.filter((s) => s.spec?.service);
    const down = aggregated.filter((s) => !isAvailable(s));
    if (down.length) {
      throw new CheckFailure(
        `${down.length} aggregated API(s) not Available: ${down.map(describeDown).join('; ')}`,
        describeServices(aggregated),
      );
    }
    return aggregated;
  });
  if (!services.some((s) => s.metadata?.name === metricsApiService)) return describeServices(services);
  const custom = ctx.kubeConfig.makeApiClient(CustomObjectsApi);
  const want = ctx.members.filter((n) => n.roles.some((r) => r !== 'etcd')).map((n) => n.name);
  const usage = await eventually(ctx.signal, timeoutMs, async () => {
    const list = (await custom.listClusterCustomObject({
      group: 'metrics.k8s.io',
      version: 'v1beta1',
      plural: 'nodes',
    })) as { items?: NodeMetrics[] };
    const items = list.items ?? [];
    const seen = items.map((m) => `${m.metadata?.name}: cpu=${m.usage?.cpu} memory=${m.usage?.memory}`);
    const missing = want.filter((name) => !items.some((m) => m.metadata?.name === name && m.usage?.cpu));
    if (missing.length) {
      throw new CheckFailure(
        `the resource metrics API has no figures for ${missing.join(', ')}`,
        seen.join('\n') || 'no node metrics',
      );
    }
    return seen;
  });
  return `${describeServices(services)}\n${usage.join('\n')}`;
}
