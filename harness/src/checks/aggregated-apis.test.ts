import { randomBytes } from 'node:crypto';
import { ApiregistrationV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireKubeconfig } from '../testbed/require-kubeconfig.ts';
import { checkAggregatedApis } from './aggregated-apis.ts';
import type { CheckContext } from './check.ts';

// Against the real kube-apiserver of the vitest global setup: its aggregator sets the
// APIService's Available condition, which the check reads.

describe('the aggregated API part of the system-pods check', () => {
  const kc = new KubeConfig();
  const suffix = randomBytes(3).toString('hex');
  const namespace = `kvm-playbooks2-${suffix}`;
  const group = `kvm${suffix}.kvmatrix.io`;
  const name = `v1.${group}`;
  let registration: ApiregistrationV1Api;
  let core: CoreV1Api;
  let ctx: CheckContext;

  beforeAll(async () => {
    kc.loadFromFile(requireKubeconfig());
    registration = kc.makeApiClient(ApiregistrationV1Api);
    core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    ctx = {
      kubeConfig: kc,
      members: [{ name: 'cp1', roles: ['control-plane'] }],
      signal: new AbortController().signal,
    } as unknown as CheckContext;
  });

  afterAll(async () => {
    await registration?.deleteAPIService({ name }).catch(() => {});
    await core?.deleteNamespace({ name: namespace }).catch(() => {});
  });

  it('fails naming an aggregated API whose Service does not exist and why, and passes once it is gone', async () => {
    await registration.createAPIService({
      body: {
        metadata: { name },
        spec: {
          group,
          version: 'v1',
          service: { namespace, name: 'missing' },
          insecureSkipTLSVerify: true,
          groupPriorityMinimum: 100,
          versionPriority: 100,
        },
      },
    });
    await expect(checkAggregatedApis(ctx, 4_000)).rejects.toThrow(
      `not Available: ${name} (ServiceNotFound: service/missing in "${namespace}" is not present)`,
    );
    await registration.deleteAPIService({ name });
    await expect(checkAggregatedApis(ctx, 4_000)).resolves.not.toContain(name);
  });
});
