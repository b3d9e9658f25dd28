import {
  connectionVars,
  type Inventory,
  type InventoryHost,
  PENDING_GROUP,
  roleGroups,
} from '../contracts/inventory.ts';
import { ansibleSshCommonArgs } from '../host/ssh.ts';
import type { LayoutNode } from '../matrix/model.ts';
import { type Machine, sshTargetOf } from '../providers/provider.ts';

// The inventory of a cell's run as a plain object (rendered to YAML by the caller): the contract's
// role groups, and kvmatrix_pending for nodes held back until a scale step. Machines with role
// `managed` (the operator cell's) are left out. Pure: the same inputs give the same inventory.
export function buildInventory(
  nodes: LayoutNode[],
  machines: Machine[],
  vars: Record<string, unknown>,
  pending: ReadonlySet<string>,
): Inventory {
  const byName = new Map(machines.map((m) => [m.name, m]));
  const hosts: Record<string, InventoryHost> = {};
  // Machines left to the operator under test are not the management cluster's hosts.
  const members = nodes.filter((n) => !n.roles.includes('managed'));
  const externalEtcd = members.some((n) => n.roles.includes('etcd'));
  for (const node of members) {
    const machine = byName.get(node.name);
    if (!machine) throw new Error(`no machine was provisioned for layout node ${node.name}`);
    hosts[node.name] = {
      ...connectionVars(sshTargetOf(machine)),
      ip: machine.address,
      ...machine.facts,
    };
  }
  const children: Inventory['all']['children'] = {
    ...roleGroups(members, externalEtcd),
    [PENDING_GROUP]: {
      hosts: Object.fromEntries(members.filter((n) => pending.has(n.name)).map((n) => [n.name, null])),
    },
  };
  return {
    all: {
      vars: {
        ansible_ssh_common_args: ansibleSshCommonArgs(),
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
