import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  ApiextensionsV1Api,
  type KubeConfig,
  loadAllYaml,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { inject } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from '../../../system/paths.ts';
import { dataSources } from '../api-resources.ts';
import { isConflict, type KubeClients } from '../kube-clients.ts';
import { crdFiles } from './crd-schemas.ts';

// The shared test control plane (issue 4's vitest global setup). Undefined: this checkout has no
// testbed global setup at all, so the integration suite is skipped; '' means it failed to start,
// which fails the suite with the reason.
export function testbedKubeconfig(): string | undefined {
  const kubeconfig = inject('kubeconfig' as never) as string | undefined;
  if (kubeconfig === undefined) return undefined;
  if (!kubeconfig)
    throw new Error(
      `the test control plane is not running: ${String(inject('testbedUnavailable' as never))}`,
    );
  return kubeconfig;
}

// Installs the generated KubeVirt and CDI CRDs (idempotent) and waits until they are served.
// They go through loadAllYaml, which builds client-node's typed models: handing the typed API a
// plain parsed object silently drops every x-kubernetes-* and $ref key of the schemas (the
// serializer only knows the models' camel-cased property names).
export async function installCrds(kc: KubeConfig): Promise<void> {
  const api = kc.makeApiClient(ApiextensionsV1Api);
  const crds: V1CustomResourceDefinition[] = [];
  for (const file of [crdFiles.kubevirt, crdFiles.cdi]) {
    for (const doc of loadAllYaml(await readFile(file, 'utf8')))
      if (doc?.kind === 'CustomResourceDefinition') crds.push(doc);
  }
  await Promise.all(
    crds.map(async (crd) => {
      try {
        await api.createCustomResourceDefinition({ body: crd });
      } catch (error) {
        if (!isConflict(error)) throw error;
      }
    }),
  );
  const deadline = Date.now() + 60_000;
  for (const crd of crds) {
    for (;;) {
      const name = crd.metadata?.name ?? '';
      const got = await api.readCustomResourceDefinition({ name });
      if (got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline) throw new Error(`CRD ${name} not established`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

// Creates the objects of a vm-templates/ manifest as a CI cluster operator would, with the API
// server's strict field validation (a misspelt field fails), optionally moving namespaced
// objects and subjects into other namespaces. Objects that exist already are left alone.
export async function applyManifest(
  clients: KubeClients,
  relative: string,
  namespaceMap: Record<string, string> = {},
): Promise<string[]> {
  const text = await readFile(path.join(repoRoot, relative), 'utf8');
  const created: string[] = [];
  const fieldValidation = 'Strict';
  for (const doc of parseAllDocuments(text)) {
    // biome-ignore lint/suspicious/noExplicitAny: manifests of several kinds
    const obj = doc.toJS() as any;
    if (!obj?.kind) continue;
    const map = (ns: string | undefined) => (ns && namespaceMap[ns]) || ns;
    if (obj.metadata.namespace) obj.metadata.namespace = map(obj.metadata.namespace);
    if (obj.kind === 'Namespace') obj.metadata.name = map(obj.metadata.name);
    for (const subject of obj.subjects ?? []) subject.namespace = map(subject.namespace);
    const namespace = obj.metadata.namespace as string;
    try {
      switch (obj.kind) {
        case 'Namespace':
          await clients.core.createNamespace({ body: obj, fieldValidation });
          break;
        case 'ClusterRole':
          await clients.rbac.createClusterRole({ body: obj, fieldValidation });
          break;
        case 'ClusterRoleBinding':
          await clients.rbac.createClusterRoleBinding({ body: obj, fieldValidation });
          break;
        case 'Role':
          await clients.rbac.createNamespacedRole({ namespace, body: obj, fieldValidation });
          break;
        case 'RoleBinding':
          await clients.rbac.createNamespacedRoleBinding({ namespace, body: obj, fieldValidation });
          break;
        case 'DataImportCron':
          await clients.custom.createNamespacedCustomObject({
            group: 'cdi.kubevirt.io',
            version: 'v1beta1',
            plural: 'dataimportcrons',
            namespace,
            body: obj,
            fieldValidation,
          });
          break;
        default:
          throw new Error(`${relative}: no test applier for kind ${obj.kind}`);
      }
      created.push(`${obj.kind}/${obj.metadata.name}`);
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
  }
  return created;
}

// What CDI's DataImportCron controller leaves once an import finished: a Ready DataSource.
export async function createReadyDataSource(
  clients: KubeClients,
  namespace: string,
  name: string,
): Promise<void> {
  await clients.custom.createNamespacedCustomObject({
    ...dataSources,
    namespace,
    body: {
      apiVersion: 'cdi.kubevirt.io/v1beta1',
      kind: 'DataSource',
      metadata: { name, namespace },
      spec: { source: { pvc: { name: `${name}-golden`, namespace } } },
      status: {
        source: { pvc: { name: `${name}-golden`, namespace } },
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'Ready',
            message: '',
            lastTransitionTime: new Date().toISOString(),
            lastHeartbeatTime: new Date().toISOString(),
          },
        ],
      },
    },
  });
}
