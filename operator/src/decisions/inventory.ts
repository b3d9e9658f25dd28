import {
  connectionVars,
  type Inventory,
  type InventoryHost,
  roleGroups,
} from '../../../harness/src/contracts/inventory.ts';
import { stringifySafeYaml } from '../../../harness/src/contracts/safe-yaml.ts';
import type { ClusterSpec } from '../api/v1alpha1/cluster.ts';
import { type Machine, nodeNameOf } from '../api/v1alpha1/machine.ts';
import type { RunPlan } from './operation.ts';

// The Ansible inventory of one playbook run, in the groups of the project's inventory contract
// (harness/src/contracts/inventory.ts): kube_control_plane, kube_node, etcd (external etcd only),
// k8s_cluster (children: kube_control_plane, kube_node). Pure; rendered as YAML.
export function renderInventory(spec: ClusterSpec, plan: RunPlan, machines: Machine[]): string {
  const included = machines
    .filter((m) => plan.inventoryMachines.includes(m.metadata.name))
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const hosts: Record<string, InventoryHost> = {};
  for (const m of included) {
    hosts[m.metadata.name] = {
      ...m.spec.hostVars,
      ...connectionVars({ host: m.spec.address, port: m.spec.sshPort ?? 22, user: m.spec.sshUser }),
      kvmatrix_node_name: nodeNameOf(m),
    };
  }
  const externalEtcd = spec.etcd?.topology === 'external';
  const vars: Record<string, unknown> = {
    kube_version: plan.kubernetesVersion,
    container_runtime: spec.containerRuntime ?? 'containerd',
    network_plugin: spec.networkPlugin,
    etcd_deployment_topology: externalEtcd ? 'external' : 'stacked',
    load_balancer_type: spec.loadBalancer?.type ?? 'none',
    kvmatrix_cluster_name: spec.clusterDeployment,
    kvmatrix_operation: plan.operation,
  };
  if (plan.previousVersion) vars.kube_version_previous = plan.previousVersion;
  if (spec.loadBalancer?.address) vars.load_balancer_address = spec.loadBalancer.address;
  if (spec.os) vars.kvmatrix_os = spec.os;
  if (spec.artifacts?.url) vars.kvmatrix_artifact_url = spec.artifacts.url;
  if (spec.artifacts?.registry) vars.kvmatrix_registry = spec.artifacts.registry;
  if (plan.operation === 'remove-node') vars.kvmatrix_remove_nodes = plan.nodes;
  const members = included.map((m) => ({ name: m.metadata.name, roles: [m.spec.claimRef?.role ?? ''] }));
  const inventory: Inventory = { all: { hosts, vars, children: roleGroups(members, externalEtcd) } };
  return stringifySafeYaml(inventory);
}
