import { randomBytes } from 'node:crypto';
import {
  ApiException,
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  Watch,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { requireKubeconfig } from './require-kubeconfig.ts';

// Runs against the real kube-apiserver and etcd started by the vitest global setup.

const group = 'testbed.kvmatrix.io';
const plural = 'widgets';
const crdName = `${plural}.${group}`;

interface Widget {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string };
  spec: { size: number };
  status?: { phase: string };
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('the test control plane', () => {
  const kc = new KubeConfig();
  const namespace = `kvm-testbed-${randomBytes(3).toString('hex')}`;
  let extensions: ApiextensionsV1Api;
  let core: CoreV1Api;
  let objects: CustomObjectsApi;

  beforeAll(async () => {
    kc.loadFromFile(requireKubeconfig());
    extensions = kc.makeApiClient(ApiextensionsV1Api);
    core = kc.makeApiClient(CoreV1Api);
    objects = kc.makeApiClient(CustomObjectsApi);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
  });

  afterAll(async () => {
    if (!core) return;
    await core.deleteNamespace({ name: namespace }).catch(() => {});
    await extensions.deleteCustomResourceDefinition({ name: crdName }).catch(() => {});
  });

  it('serves a CustomResourceDefinition with a status subresource, optimistic concurrency and watches', async () => {
    await extensions.createCustomResourceDefinition({
      body: {
        metadata: { name: crdName },
        spec: {
          group,
          scope: 'Namespaced',
          names: { plural, singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              subresources: { status: {} },
              schema: {
                openAPIV3Schema: {
                  type: 'object',
                  properties: {
                    spec: { type: 'object', properties: { size: { type: 'integer' } } },
                    status: { type: 'object', properties: { phase: { type: 'string' } } },
                  },
                },
              },
            },
          ],
        },
      },
    });
    await waitFor('the CRD to be established', async () => {
      const crd = await extensions.readCustomResourceDefinition({ name: crdName });
      return (
        crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') || undefined
      );
    });

    // Established comes a moment before the new REST endpoint serves (404, then 429 "storage is
    // (re)initializing" while its watch cache fills): list until it does, and watch from the
    // listed resourceVersion so no event can be missed.
    const listed = (await waitFor('the new resource to be served', async () =>
      objects
        .listNamespacedCustomObject({ group, version: 'v1', namespace, plural })
        .catch((error: unknown) => {
          if (error instanceof ApiException && (error.code === 404 || error.code === 429)) return undefined;
          throw error;
        }),
    )) as { metadata: { resourceVersion: string } };
    const seen: Array<{ type: string; object: Widget }> = [];
    let watchEnded: unknown;
    const watch = new Watch(kc);
    const watching = await watch.watch(
      `/apis/${group}/v1/namespaces/${namespace}/${plural}`,
      { resourceVersion: listed.metadata.resourceVersion },
      (type, object) => seen.push({ type, object: object as Widget }),
      (error) => {
        watchEnded = error ?? 'closed';
      },
    );

    try {
      const created = (await objects.createNamespacedCustomObject({
        group,
        version: 'v1',
        namespace,
        plural,
        body: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 3 } },
      })) as Widget;
      const staleVersion = created.metadata.resourceVersion;
      expect(staleVersion).toBeTruthy();

      const updated = (await objects.replaceNamespacedCustomObjectStatus({
        group,
        version: 'v1',
        namespace,
        plural,
        name: 'w1',
        body: { ...created, status: { phase: 'Ready' } },
      })) as Widget;
      expect(updated.status?.phase).toBe('Ready');
      expect(updated.spec.size).toBe(3);
      expect(updated.metadata.resourceVersion).not.toBe(staleVersion);

      const stale = objects.replaceNamespacedCustomObject({
        group,
        version: 'v1',
        namespace,
        plural,
        name: 'w1',
        body: { ...created, spec: { size: 5 } },
      });
      await expect(stale).rejects.toMatchObject({ code: 409 });

      const modified = await waitFor('the status change to arrive on the watch', async () => {
        if (watchEnded) throw new Error(`the watch ended early: ${String(watchEnded)}`);
        return seen.find((event) => event.type === 'MODIFIED' && event.object.status?.phase === 'Ready');
      });
      expect(modified.object.metadata.resourceVersion).toBe(updated.metadata.resourceVersion);
      expect(seen[0]?.type).toBe('ADDED');
    } finally {
      watching.abort();
    }
  });

  // Skipped only when KUBEBUILDER_ASSETS points at an envtest directory without the binary.
  it.skipIf(!inject('controllerManager') && !!inject('kubeconfig'))(
    'runs kube-controller-manager, which creates the default service account in a new namespace',
    async () => {
      const account = await waitFor('the default service account', async () =>
        core.readNamespacedServiceAccount({ name: 'default', namespace }).catch(() => undefined),
      );
      expect(account.metadata?.namespace).toBe(namespace);
    },
  );
});
