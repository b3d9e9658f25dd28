import { isManaged } from '../contracts/machine.ts';
import type { LayoutNode } from '../matrix/model.ts';
import type { Machine } from '../providers/provider.ts';

// What the operator cell applies to the management cluster, as plain objects. Pure: the harness
// reads operator/config and renders; tests check the rendering without a cluster.

export const OPERATOR_NAMESPACE = 'kvmatrix-system';
export const EXECUTOR_SERVICE_ACCOUNT = 'kvmatrix-executor';
// The namespace holding the cell's Machines and ClusterDeployment, and the cluster's name.
export const WORKLOAD_NAMESPACE = 'kvmatrix-cell';
export const WORKLOAD_CLUSTER = 'workload';
export const SSH_KEY_SECRET = 'workload-ssh';
// The label the cell's MachineSets select on: the role the layout gives a managed machine.
export const POOL_ROLE_LABEL = 'cell.kvmatrix.io/role';

export type KubeObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
};

export interface OperatorSettings {
  // The image in the mirror (registry/repository:tag): the operator and its playbook Jobs.
  image: string;
  publishKubeconfigPlaybook: string;
}

// The role a managed machine plays in the workload cluster.
export function workloadRole(node: LayoutNode): 'control-plane' | 'worker' {
  return node.roles.includes('control-plane') ? 'control-plane' : 'worker';
}

// operator/config as shipped (CRDs, RBAC, Deployment), changed only where a cell must: one
// replica (one node, two cores), the image from the mirror for the operator and its Jobs, the
// Jobs' service account and the kubeconfig publishing playbook.
export function customizeOperatorManifests(docs: KubeObject[], settings: OperatorSettings): KubeObject[] {
  return docs.map((doc) => {
    if (doc.kind !== 'Deployment' || doc.metadata.name !== 'kvmatrix-operator') return doc;
    const spec = structuredClone(doc.spec) as {
      replicas: number;
      template: { spec: { containers: Array<{ name: string; image: string; args?: string[] }> } };
    };
    spec.replicas = 1;
    for (const container of spec.template.spec.containers) {
      if (container.name !== 'operator') continue;
      container.image = settings.image;
      const kept = (container.args ?? []).filter(
        (a) =>
          !a.startsWith('--executor-image=') &&
          !a.startsWith('--executor-service-account=') &&
          !a.startsWith('--publish-kubeconfig-playbook=') &&
          !a.startsWith('--allowed-ssh-key-secrets='),
      );
      container.args = [
        ...kept,
        `--executor-image=${settings.image}`,
        `--allowed-ssh-key-secrets=${SSH_KEY_SECRET}`,
        `--executor-service-account=${EXECUTOR_SERVICE_ACCOUNT}`,
        `--publish-kubeconfig-playbook=${settings.publishKubeconfigPlaybook}`,
      ];
    }
    return { ...doc, spec };
  });
}

// The cell's namespace with the playbook Jobs' service account, allowed (by the shipped
// ClusterRole kvmatrix-executor) to publish the kubeconfig Secret there.
export function renderWorkloadNamespace(): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: WORKLOAD_NAMESPACE } },
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: EXECUTOR_SERVICE_ACCOUNT, namespace: WORKLOAD_NAMESPACE },
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: EXECUTOR_SERVICE_ACCOUNT, namespace: WORKLOAD_NAMESPACE },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: EXECUTOR_SERVICE_ACCOUNT },
      subjects: [{ kind: 'ServiceAccount', name: EXECUTOR_SERVICE_ACCOUNT, namespace: WORKLOAD_NAMESPACE }],
    },
  ];
}

// One Idle Machine per managed layout node: its address on the run's network (which the
// management cluster's pods reach), root over SSH on port 22, and the provider's facts as host
// variables (kvmatrix_node_is_container for node containers).
export function renderMachine(node: LayoutNode, machine: Machine): KubeObject {
  if (!isManaged(node)) throw new Error(`layout node ${node.name} is not a managed machine`);
  return {
    apiVersion: 'kvmatrix.io/v1alpha1',
    kind: 'Machine',
    metadata: {
      name: node.name,
      namespace: WORKLOAD_NAMESPACE,
      labels: { [POOL_ROLE_LABEL]: workloadRole(node) },
    },
    spec: {
      address: machine.address,
      sshUser: 'root',
      sshPort: 22,
      hostVars: { ...machine.facts, ip: machine.address },
    },
  };
}

export interface ClusterDeploymentInput {
  // The cell's Ansible variables (kube_version, container_runtime, network_plugin, kvmatrix_os).
  vars: Record<string, unknown>;
  artifactUrl: string;
  registry: string;
  // Machines per workload role right now.
  replicas: { 'control-plane': number; worker: number };
}

// The ClusterDeployment of the workload cluster: the cell's axes, the mirror, and one machine
// set per role selecting the managed machines by their layout role.
export function renderClusterDeployment(input: ClusterDeploymentInput): KubeObject {
  const text = (key: string, fallback: string) => String(input.vars[key] ?? fallback);
  return {
    apiVersion: 'kvmatrix.io/v1alpha1',
    kind: 'ClusterDeployment',
    metadata: { name: WORKLOAD_CLUSTER, namespace: WORKLOAD_NAMESPACE },
    spec: {
      kubernetesVersion: text('kube_version', ''),
      etcd: { topology: 'stacked' },
      loadBalancer: { type: 'none' },
      networkPlugin: text('network_plugin', 'bridge'),
      containerRuntime: text('container_runtime', 'containerd'),
      ...(input.vars.kvmatrix_os ? { os: String(input.vars.kvmatrix_os) } : {}),
      sshKeySecret: SSH_KEY_SECRET,
      artifacts: { url: input.artifactUrl, registry: input.registry },
      machineSets: (['control-plane', 'worker'] as const).map((role) => ({
        name: role === 'control-plane' ? 'cp' : 'workers',
        role,
        replicas: input.replicas[role],
        selector: { matchLabels: { [POOL_ROLE_LABEL]: role } },
      })),
    },
  };
}

// Managed machines per workload role, among the given nodes.
export function countRoles(nodes: LayoutNode[]): { 'control-plane': number; worker: number } {
  const managed = nodes.filter(isManaged);
  return {
    'control-plane': managed.filter((n) => workloadRole(n) === 'control-plane').length,
    worker: managed.filter((n) => workloadRole(n) === 'worker').length,
  };
}
