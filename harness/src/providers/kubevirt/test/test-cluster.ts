import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  ApiextensionsV1Api,
  type KubeConfig,
  loadAllYaml,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from '../../../host/paths.ts';
import { dataSources } from '../api-resources.ts';
import { isConflict, type KubeClients } from '../kube-clients.ts';
import { crdFiles } from './crd-schemas.ts';

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

// A kubeconfig that authenticates as a service account (a TokenRequest token), so tests run the
// provider with exactly the RBAC of vm-templates/rbac/ instead of as cluster admin.
export async function kubeconfigForServiceAccount(
  clients: KubeClients,
  namespace: string,
  name: string,
  file: string,
): Promise<string> {
  try {
    await clients.core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  } catch (error) {
    if (!isConflict(error)) throw error;
  }
  const token = await clients.core.createNamespacedServiceAccountToken({
    namespace,
    name,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const cluster = clients.kc.getCurrentCluster();
  if (!cluster || !token.status?.token) throw new Error('no cluster or no token');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'testbed',
        cluster: {
          server: cluster.server,
          'certificate-authority-data':
            cluster.caData ?? Buffer.from(await readFile(cluster.caFile ?? '')).toString('base64'),
        },
      },
    ],
    users: [{ name, user: { token: token.status.token } }],
    contexts: [{ name, context: { cluster: 'testbed', user: name } }],
    'current-context': name,
  };
  await writeFile(file, JSON.stringify(config), { mode: 0o600 });
  return file;
}

// What virt-operator and cdi-operator report once their components are up: the KubeVirt and CDI
// CRs Deployed and Available (the operators cannot run here).
export async function createDeployedOperatorCrs(
  clients: KubeClients,
  kubevirtNamespace: string,
): Promise<void> {
  const available = [
    { type: 'Available', status: 'True', reason: 'AllComponentsReady', message: 'All components are ready.' },
  ];
  try {
    await clients.core.createNamespace({ body: { metadata: { name: kubevirtNamespace } } });
    await clients.custom.createNamespacedCustomObject({
      group: 'kubevirt.io',
      version: 'v1',
      plural: 'kubevirts',
      namespace: kubevirtNamespace,
      body: { apiVersion: 'kubevirt.io/v1', kind: 'KubeVirt', metadata: { name: 'kubevirt' }, spec: {} },
    });
    const kv = (await clients.custom.getNamespacedCustomObject({
      group: 'kubevirt.io',
      version: 'v1',
      plural: 'kubevirts',
      namespace: kubevirtNamespace,
      name: 'kubevirt',
    })) as Record<string, unknown>;
    kv.status = { phase: 'Deployed', conditions: available, observedKubeVirtVersion: 'v1.8.1' };
    await clients.custom.replaceNamespacedCustomObjectStatus({
      group: 'kubevirt.io',
      version: 'v1',
      plural: 'kubevirts',
      namespace: kubevirtNamespace,
      name: 'kubevirt',
      body: kv,
    });
    await clients.custom.createClusterCustomObject({
      group: 'cdi.kubevirt.io',
      version: 'v1beta1',
      plural: 'cdis',
      body: {
        apiVersion: 'cdi.kubevirt.io/v1beta1',
        kind: 'CDI',
        metadata: { name: 'cdi' },
        spec: {},
        status: { phase: 'Deployed', conditions: available },
      },
    });
  } catch (error) {
    if (!isConflict(error)) throw error;
  }
}
