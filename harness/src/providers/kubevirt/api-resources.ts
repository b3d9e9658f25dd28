// The KubeVirt and CDI resources the provider talks to, as the pinned CRDs define them
// (test/fixtures/crds, generated from kubevirt.io/kubevirt v1.8.1 and CDI v1.64.0).

export interface ResourceRef {
  group: string;
  version: string;
  plural: string;
}

export const virtualMachines: ResourceRef = {
  group: 'kubevirt.io',
  version: 'v1',
  plural: 'virtualmachines',
};
export const virtualMachineInstances: ResourceRef = {
  group: 'kubevirt.io',
  version: 'v1',
  plural: 'virtualmachineinstances',
};
export const kubevirts: ResourceRef = { group: 'kubevirt.io', version: 'v1', plural: 'kubevirts' };
export const dataVolumes: ResourceRef = {
  group: 'cdi.kubevirt.io',
  version: 'v1beta1',
  plural: 'datavolumes',
};
export const dataSources: ResourceRef = {
  group: 'cdi.kubevirt.io',
  version: 'v1beta1',
  plural: 'datasources',
};
export const cdis: ResourceRef = { group: 'cdi.kubevirt.io', version: 'v1beta1', plural: 'cdis' };
export const clusterInstancetypes: ResourceRef = {
  group: 'instancetype.kubevirt.io',
  version: 'v1beta1',
  plural: 'virtualmachineclusterinstancetypes',
};

// The path of a namespaced collection, for watches.
export function collectionPath(ref: ResourceRef, namespace: string): string {
  return `/apis/${ref.group}/${ref.version}/namespaces/${namespace}/${ref.plural}`;
}

// A minimal view of any Kubernetes object as the API returns it.
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    creationTimestamp?: string | Date;
    deletionTimestamp?: string | Date;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    resourceVersion?: string;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export function findCondition(obj: KubeObject | undefined, type: string): Condition | undefined {
  const conditions = obj?.status?.conditions;
  if (!Array.isArray(conditions)) return undefined;
  return (conditions as Condition[]).find((c) => c.type === type);
}
