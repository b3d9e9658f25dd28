import { stringifySafeYaml } from '../../../harness/src/system/safe-yaml.ts';
import type { ClusterSpec } from '../api/v1alpha1/cluster.ts';
import { type Machine, nodeNameOf } from '../api/v1alpha1/machine.ts';
import type { RunPlan } from './operation.ts';

// The Ansible inventory of one playbook run, in the groups and variables the project's inventory
// contract names (notes/HELPERS.md "Inventory"): kube_control_plane, kube_node, etcd (external etcd
// only), k8s_cluster (children: kube_control_plane, kube_node). Pure; rendered as YAML.
export function renderInventory(spec: ClusterSpec, plan: RunPlan, machines: Machine[]): string {
  const included = machines
    .filter((m) => plan.inventoryMachines.includes(m.metadata.name))
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const hosts: Record<string, Record<string, unknown>> = {};
  const group = (role: string) =>
    Object.fromEntries(
      included.filter((m) => m.spec.claimRef?.role === role).map((m) => [m.metadata.name, {}]),
    );
  for (const m of included) {
    hosts[m.metadata.name] = {
      ...m.spec.hostVars,
      ansible_host: m.spec.address,
      ansible_user: m.spec.sshUser,
      ansible_port: m.spec.sshPort ?? 22,
      kvmatrix_node_name: nodeNameOf(m),
    };
  }
  const controlPlane = group('control-plane');
  const workers = group('worker');
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
  const children: Record<string, unknown> = {
    kube_control_plane: { hosts: controlPlane },
    kube_node: { hosts: workers },
    k8s_cluster: { children: { kube_control_plane: {}, kube_node: {} } },
  };
  // The playbooks read a non-empty etcd group as external etcd: stacked etcd leaves it out.
  if (externalEtcd) children.etcd = { hosts: group('etcd') };
  return stringifySafeYaml({ all: { hosts, vars, children } });
}
