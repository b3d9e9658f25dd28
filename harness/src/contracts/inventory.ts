// The Ansible inventory contract between kvmatrix and playbooks/: the group names the playbooks
// read, the connection variables of a host, and the role groups. The runner, `kvmatrix vms up` and
// the operator each build their inventory with these, so the contract has one definition.
// Pure; imports nothing (the operator's image carries contracts/ on its own).

export const CONTROL_PLANE_GROUP = 'kube_control_plane';
export const WORKER_GROUP = 'kube_node';
// Only with external etcd: the playbooks read a non-empty etcd group as external etcd members.
export const ETCD_GROUP = 'etcd';
export const CLUSTER_GROUP = 'k8s_cluster';
// Hosts provisioned but not yet (or no longer) members: excluded by `--limit` until a scale step.
export const PENDING_GROUP = 'kvmatrix_pending';

export interface InventoryHost {
  ansible_host: string;
  ansible_port: number;
  ansible_user: string;
  ansible_ssh_private_key_file?: string;
  [fact: string]: unknown;
}

export interface InventoryGroup {
  hosts?: Record<string, null>;
  children?: Record<string, null>;
}

export interface Inventory {
  all: {
    vars: Record<string, unknown>;
    hosts: Record<string, InventoryHost>;
    children: Record<string, InventoryGroup>;
  };
}

// How Ansible reaches a host: the SSH address, port, user and (when the connection has one) key.
export interface HostConnection {
  host: string;
  port: number;
  user: string;
  keyFile?: string;
}

export function connectionVars(connection: HostConnection): InventoryHost {
  return {
    ansible_host: connection.host,
    ansible_port: connection.port,
    ansible_user: connection.user,
    ...(connection.keyFile ? { ansible_ssh_private_key_file: connection.keyFile } : {}),
  };
}

// A host of the cluster with the roles it plays (`control-plane`, `worker`, `etcd`).
export interface RoleMember {
  name: string;
  roles: readonly string[];
}

// The role groups of the contract, members in the order given: kube_control_plane, kube_node,
// etcd (external etcd only), and k8s_cluster with the first two as children.
export function roleGroups(
  members: readonly RoleMember[],
  externalEtcd: boolean,
): Record<string, InventoryGroup> {
  const group = (role: string): InventoryGroup => ({
    hosts: Object.fromEntries(members.filter((m) => m.roles.includes(role)).map((m) => [m.name, null])),
  });
  return {
    [CONTROL_PLANE_GROUP]: group('control-plane'),
    [WORKER_GROUP]: group('worker'),
    ...(externalEtcd ? { [ETCD_GROUP]: group('etcd') } : {}),
    [CLUSTER_GROUP]: { children: { [CONTROL_PLANE_GROUP]: null, [WORKER_GROUP]: null } },
  };
}
