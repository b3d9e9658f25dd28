import { allKinds, buildCrd } from './api/v1alpha1/crd.ts';
import { machinesType } from './controllers/resource-types.ts';
import { isAlreadyExists, isConflict } from './runtime/api-error.ts';
import { sleep } from './runtime/informer.ts';
import type { KubeClient, ResourceType } from './runtime/kube-client.ts';

const crdType: ResourceType = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  plural: 'customresourcedefinitions',
};

// Creates or updates the operator's CRDs (from the TypeScript definitions) and waits until they
// are served. Idempotent, and safe to run from several processes at once.
export async function installCrds(client: KubeClient, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const def of allKinds) {
    const crd = buildCrd(def) as { metadata: { name: string } };
    for (let attempt = 0; ; attempt++) {
      try {
        await client.create(crdType, undefined, crd);
        break;
      } catch (error) {
        if (!isAlreadyExists(error)) throw error;
        const existing = await client.get<{ metadata: { resourceVersion: string } }>(
          crdType,
          undefined,
          crd.metadata.name,
        );
        try {
          await client.update(crdType, undefined, crd.metadata.name, {
            ...crd,
            metadata: { ...crd.metadata, resourceVersion: existing.metadata.resourceVersion },
          });
          break;
        } catch (updateError) {
          if (!isConflict(updateError) || attempt > 5) throw updateError;
        }
      }
    }
    for (;;) {
      const got = await client.get<{ status?: { conditions?: Array<{ type: string; status: string }> } }>(
        crdType,
        undefined,
        crd.metadata.name,
      );
      if (got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline)
        throw new Error(`CRD ${crd.metadata.name} not established after ${timeoutMs} ms`);
      await sleep(200);
    }
  }
  // Discovery of a fresh CRD can lag its Established condition by a moment.
  for (;;) {
    try {
      await client.list(machinesType, 'default', { limit: 1 });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(200);
    }
  }
}
