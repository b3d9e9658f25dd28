import type { LayoutNode } from '../matrix/model.ts';
import type { Machine } from '../providers/provider.ts';

// The Ansible inventory as a plain object (rendered to YAML by the caller). Groups follow the
// playbooks' contract: kube_control_plane, kube_node, etcd, k8s_cluster, and kvmatrix_pending for
// nodes held back until a scale step. Machines with role `managed` (the operator cell's) are left out.
// Pure: the same inputs give the same inventory.
export interface InventoryHost {
  ansible_host: string;
  ansible_port: number;
  ansible_user: string;
  ansible_ssh_private_key_file: string;
  ip: string;
  [fact: string]: unknown;
}

export interface Inventory {
  all: {
    vars: Record<string, unknown>;
    hosts: Record<string, InventoryHost>;
    children: Record<string, { hosts?: Record<string, null>; children?: Record<string, null> }>;
  };
}

export const PENDING_GROUP = 'kvmatrix_pending';

export function buildInventory(
  nodes: LayoutNode[],
  machines: Machine[],
  vars: Record<string, unknown>,
  pending: ReadonlySet<string>,
): Inventory {
  const byName = new Map(machines.map((m) => [m.name, m]));
  const hosts: Record<string, InventoryHost> = {};
  const groups: Record<string, string[]> = {
    kube_control_plane: [],
    kube_node: [],
    etcd: [],
    [PENDING_GROUP]: [],
  };
  const externalEtcd = nodes.some((n) => n.roles.includes('etcd') && !n.roles.includes('managed'));
  for (const node of nodes) {
    // Machines left to the operator under test are not the management cluster's hosts.
    if (node.roles.includes('managed')) continue;
    const machine = byName.get(node.name);
    if (!machine) throw new Error(`no machine was provisioned for layout node ${node.name}`);
    hosts[node.name] = {
      ansible_host: machine.sshHost,
      ansible_port: machine.sshPort,
      ansible_user: machine.sshUser,
      ansible_ssh_private_key_file: machine.sshKeyFile,
      ip: machine.address,
      ...machine.facts,
    };
    if (node.roles.includes('control-plane')) groups.kube_control_plane?.push(node.name);
    if (node.roles.includes('worker')) groups.kube_node?.push(node.name);
    if (node.roles.includes('etcd')) groups.etcd?.push(node.name);
    if (pending.has(node.name)) groups[PENDING_GROUP]?.push(node.name);
  }
  const children: Inventory['all']['children'] = {};
  for (const [group, members] of Object.entries(groups)) {
    if (group === 'etcd' && !externalEtcd) continue;
    children[group] = { hosts: Object.fromEntries(members.map((h) => [h, null])) };
  }
  children.k8s_cluster = { children: { kube_control_plane: null, kube_node: null } };
  return {
    all: {
      vars: {
        ansible_ssh_common_args:
          '-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR',
        ansible_python_interpreter: '/usr/bin/python3',
        etcd_deployment: externalEtcd ? 'external' : 'stacked',
        ...vars,
      },
      hosts,
      children,
    },
  };
}

// The --limit a step runs with: its own limit, and never the nodes still held back.
export function limitFor(stepLimit: string | undefined, pending: ReadonlySet<string>): string | undefined {
  const parts: string[] = [];
  if (stepLimit) parts.push(stepLimit);
  if (pending.size > 0) {
    if (parts.length === 0) parts.push('all');
    parts.push(`!${PENDING_GROUP}`);
  }
  return parts.length ? parts.join(':') : undefined;
}
