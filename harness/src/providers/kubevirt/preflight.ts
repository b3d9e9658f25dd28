import { VersionApi } from '@kubernetes/client-node';
import type { MachineSpec } from '../../contracts/machine.ts';
import type { PreflightCheck } from '../provider.ts';
import {
  cdis,
  clusterInstancetypes,
  dataSources,
  findCondition,
  type KubeObject,
  kubevirts,
} from './api-resources.ts';
import { jobClusterRole } from './job-namespace.ts';
import { apiMessage, isNotFound, type KubeClients } from './kube-clients.ts';
import type { KubevirtOptions } from './kubevirt-options.ts';
import { loadVmTemplate, templateDataSource } from './render-machine.ts';

// Everything the provider needs from the cluster, checked without creating anything.
export async function runPreflight(
  clients: KubeClients,
  options: KubevirtOptions,
  machines: MachineSpec[],
): Promise<PreflightCheck[]> {
  const checks: PreflightCheck[] = [];
  try {
    const version = await clients.kc.makeApiClient(VersionApi).getCode();
    checks.push({
      name: 'kubeconfig',
      ok: true,
      detail: `API server ${clients.kc.getCurrentCluster()?.server} is Kubernetes ${version.gitVersion}`,
    });
  } catch (error) {
    checks.push({
      name: 'kubeconfig',
      ok: false,
      detail: apiMessage(error),
      hint: 'check KVMATRIX_KUBECONFIG / KUBECONFIG and the network path',
    });
    return checks;
  }
  checks.push(
    await checkOperator('KubeVirt', () => clients.custom.listClusterCustomObject({ ...kubevirts })),
  );
  checks.push(await checkOperator('CDI', () => clients.custom.listClusterCustomObject({ ...cdis })));
  for (const os of [...new Set(machines.map((m) => m.os))].sort())
    checks.push(await checkDataSource(clients, options, os));
  if (options.instancetype) checks.push(await checkInstancetype(clients, options.instancetype));
  checks.push(...(await checkPermissions(clients, options)));
  return checks;
}

async function checkOperator(what: string, list: () => Promise<unknown>): Promise<PreflightCheck> {
  const name = `${what.toLowerCase()}-ready`;
  let items: KubeObject[];
  try {
    items = ((await list()) as { items: KubeObject[] }).items;
  } catch (error) {
    return {
      name,
      ok: false,
      detail: `${what} is not installed (${apiMessage(error)})`,
      hint: `install ${what}: see vm-templates/README.md`,
    };
  }
  const cr = items[0];
  if (!cr)
    return {
      name,
      ok: false,
      detail: `no ${what} custom resource exists`,
      hint: `create the ${what} CR (see vm-templates/README.md)`,
    };
  const available = findCondition(cr, 'Available');
  const ok = cr.status?.phase === 'Deployed' && available?.status === 'True';
  return {
    name,
    ok,
    detail: `${what} ${cr.metadata?.name}: phase ${String(cr.status?.phase ?? 'unknown')}, Available=${available?.status ?? 'unknown'}${cr.status?.observedKubeVirtVersion ? `, version ${String(cr.status.observedKubeVirtVersion)}` : ''}`,
    ...(ok ? {} : { hint: `kubectl describe ${what === 'CDI' ? 'cdi' : 'kubevirt'} -A` }),
  };
}

async function checkDataSource(
  clients: KubeClients,
  options: KubevirtOptions,
  os: string,
): Promise<PreflightCheck> {
  const name = `datasource-${os}`;
  let ref: { name: string; namespace?: string } | undefined;
  try {
    ref = templateDataSource((await loadVmTemplate(options.templatesDir, os)).template);
  } catch (error) {
    return {
      name,
      ok: false,
      detail: (error as Error).message,
      hint: (error as { hint?: string }).hint ?? '',
    };
  }
  if (!ref) return { name, ok: true, detail: `the ${os} template clones a PVC, not a DataSource` };
  const namespace = options.imageNamespace ?? ref.namespace ?? 'default';
  return checkDataSourceReady(clients, namespace, ref.name, name);
}

export async function checkDataSourceReady(
  clients: KubeClients,
  namespace: string,
  dsName: string,
  checkName: string,
): Promise<PreflightCheck> {
  try {
    const ds = (await clients.custom.getNamespacedCustomObject({
      ...dataSources,
      namespace,
      name: dsName,
    })) as KubeObject;
    const ready = findCondition(ds, 'Ready');
    const ok = ready?.status === 'True';
    return {
      name: checkName,
      ok,
      detail: `DataSource ${namespace}/${dsName}: Ready=${ready?.status ?? 'unknown'}${ready?.reason ? ` (${ready.reason}${ready.message ? `: ${ready.message}` : ''})` : ''}`,
      ...(ok
        ? {}
        : { hint: `the golden image is not imported yet: kubectl describe dataimportcron -n ${namespace}` }),
    };
  } catch (error) {
    return {
      name: checkName,
      ok: false,
      detail: isNotFound(error) ? `DataSource ${namespace}/${dsName} does not exist` : apiMessage(error),
      hint: 'apply vm-templates/golden-images/ (see vm-templates/README.md)',
    };
  }
}

async function checkInstancetype(clients: KubeClients, instancetype: string): Promise<PreflightCheck> {
  try {
    await clients.custom.getClusterCustomObject({ ...clusterInstancetypes, name: instancetype });
    return {
      name: 'instancetype',
      ok: true,
      detail: `VirtualMachineClusterInstancetype ${instancetype} exists`,
    };
  } catch (error) {
    return {
      name: 'instancetype',
      ok: false,
      detail: `VirtualMachineClusterInstancetype ${instancetype}: ${apiMessage(error)}`,
      hint: 'unset KVMATRIX_KUBEVIRT_INSTANCETYPE or create it',
    };
  }
}

interface Access {
  verb: string;
  group: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

// What `up`, `down`, `reap` and `dumpLogs` do, asked of the API server as the harness's identity.
export function requiredAccess(options: KubevirtOptions, imageNamespace: string): Access[] {
  const access: Access[] = [
    ...['create', 'delete', 'list', 'watch'].map((verb) => ({ verb, group: '', resource: 'namespaces' })),
    { verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'rolebindings' },
    { verb: 'bind', group: 'rbac.authorization.k8s.io', resource: 'clusterroles', name: jobClusterRole },
    { verb: 'get', group: 'cdi.kubevirt.io', resource: 'datasources', namespace: imageNamespace },
    {
      verb: 'create',
      group: 'cdi.kubevirt.io',
      resource: 'datavolumes',
      subresource: 'source',
      namespace: imageNamespace,
    },
  ];
  if (options.runner) {
    access.push(
      { verb: 'get', group: '', resource: 'pods', namespace: options.runner.namespace },
      { verb: 'create', group: '', resource: 'configmaps', namespace: options.runner.namespace },
      { verb: 'delete', group: '', resource: 'configmaps', namespace: options.runner.namespace },
    );
  }
  return access;
}

async function checkPermissions(clients: KubeClients, options: KubevirtOptions): Promise<PreflightCheck[]> {
  const imageNamespace = options.imageNamespace ?? 'kvmatrix-images';
  const denied: string[] = [];
  for (const a of requiredAccess(options, imageNamespace)) {
    const review = await clients.authz.createSelfSubjectAccessReview({
      body: { spec: { resourceAttributes: a } },
    });
    if (!review.status?.allowed) {
      denied.push(
        `${a.verb} ${a.group ? `${a.group}/` : ''}${a.resource}${a.subresource ? `/${a.subresource}` : ''}${a.name ? ` ${a.name}` : ''}${a.namespace ? ` in ${a.namespace}` : ''}`,
      );
    }
  }
  return [
    denied.length
      ? {
          name: 'permissions',
          ok: false,
          detail: `denied: ${denied.join('; ')}`,
          hint: 'apply vm-templates/rbac/ for the runner service account',
        }
      : { name: 'permissions', ok: true, detail: 'the harness may create, watch and delete what it needs' },
  ];
}
