import { GROUP, VERSION } from '../api/v1alpha1/meta.ts';
import type { ResourceType } from '../runtime/kube-client.ts';

export const clusterDeploymentsType: ResourceType = {
  group: GROUP,
  version: VERSION,
  plural: 'clusterdeployments',
};
export const machineSetsType: ResourceType = { group: GROUP, version: VERSION, plural: 'machinesets' };
export const machinesType: ResourceType = { group: GROUP, version: VERSION, plural: 'machines' };
export const clustersType: ResourceType = { group: GROUP, version: VERSION, plural: 'clusters' };
export const jobsType: ResourceType = { group: 'batch', version: 'v1', plural: 'jobs' };
export const podsType: ResourceType = { group: '', version: 'v1', plural: 'pods' };
export const configMapsType: ResourceType = { group: '', version: 'v1', plural: 'configmaps' };
export const secretsType: ResourceType = { group: '', version: 'v1', plural: 'secrets' };
export const nodesType: ResourceType = { group: '', version: 'v1', plural: 'nodes' };
